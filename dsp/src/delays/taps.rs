//! Multi-tap and ping-pong delays.

use crate::blocks::{param, signal, DelayLine};
use crate::{sanitize, Context, In, Node};

/// The longest multi-tap delay (all taps), in seconds.
const MULTITAP_SECONDS: f32 = 8.0;
/// The most taps.
pub const MAX_TAPS: usize = 16;

/// Taps at 1, 2, … `taps` times the delay time, each `feedback` times quieter than the one
/// before. Inputs: signal, time (s), taps, feedback, mix.
pub struct MultiTap {
    lines: [DelayLine; 2],
}

impl Node for MultiTap {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let p = |k: usize, fallback: f32| param(inputs, k, i, fallback);
            let taps = (p(2, 4.0).round() as usize).clamp(1, MAX_TAPS);
            let time = p(1, 0.125).clamp(1.0 / sr, MULTITAP_SECONDS / taps as f32) * sr;
            let feedback = p(3, 0.5).clamp(0.0, 1.0);
            let mix = p(4, 0.5).clamp(0.0, 1.0);
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let dry = sanitize(x.channel(c, i));
                let line = &mut self.lines[c];
                let mut wet = 0.0;
                let mut gain = 1.0;
                for k in 1..=taps {
                    wet += line.read(k as f32 * time) * gain;
                    gain *= feedback;
                }
                line.push(dry);
                channel[i] = dry * (1.0 - mix) + wet * mix;
            }
        }
    }
}

/// Makes a multi-tap delay.
pub fn make_multitap(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (MULTITAP_SECONDS * sample_rate) as usize + 4;
    Box::new(MultiTap {
        lines: [DelayLine::new(length), DelayLine::new(length)],
    })
}

/// A ping-pong delay: echoes alternate between left and right. Inputs: signal, time (s),
/// feedback, stereo width (0 mono to 1 hard), the side the first echo takes (0 left, 1 right),
/// mix. The output is stereo.
pub struct PingPong {
    lines: [DelayLine; 2],
}

impl Node for PingPong {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let p = |k: usize, fallback: f32| param(inputs, k, i, fallback);
            let time = p(1, 0.25).clamp(0.001, crate::delays::MAX_DELAY_SECONDS - 0.01) * sr;
            let feedback = p(2, 0.5).clamp(0.0, 0.99);
            let width = p(3, 1.0).clamp(0.0, 1.0);
            let right_first = p(4, 0.0) > 0.5;
            let mix = p(5, 0.5).clamp(0.0, 1.0);
            let dry = sanitize(x.at(i));
            let (l, r) = (self.lines[0].read(time), self.lines[1].read(time));
            let (first, second) = if right_first { (1, 0) } else { (0, 1) };
            let (echo_first, echo_second) = if right_first { (r, l) } else { (l, r) };
            self.lines[first].push(sanitize(dry + echo_second * feedback));
            self.lines[second].push(sanitize(echo_first * feedback));
            // Width blends each side toward the middle.
            let mid = 0.5 * (l + r);
            let (wl, wr) = (mid + (l - mid) * width, mid + (r - mid) * width);
            let dry_side = |c: usize| sanitize(x.channel(c, i)) * (1.0 - mix);
            if let [left, right, ..] = out {
                left[i] = dry_side(0) + wl * mix;
                right[i] = dry_side(1) + wr * mix;
            }
        }
    }
}

/// Makes a ping-pong delay.
pub fn make_pingpong(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (crate::delays::MAX_DELAY_SECONDS * sample_rate) as usize + 4;
    Box::new(PingPong {
        lines: [DelayLine::new(length), DelayLine::new(length)],
    })
}
