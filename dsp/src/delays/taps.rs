//! Multi-tap and ping-pong delays.

use crate::blocks::DelayLine;
use crate::declaration::{Declaration, Port};
use crate::delays::MAX_DELAY_SECONDS;
use crate::{sanitize, Context, In, Node, Width};

/// The longest multi-tap delay (all taps), in seconds.
const MULTITAP_SECONDS: f32 = 8.0;
/// The most taps.
pub const MAX_TAPS: usize = 16;

crate::ports! {
    /// What the multi-tap delay reads.
    pub struct MultiTapPorts {
        input: Port::input(),
        // The longest time is shorter with more taps: all of them fit in 8 s.
        time: Port::signal(0.125, "s").within(0.0, MULTITAP_SECONDS),
        taps: Port::signal(4.0, "").within(1.0, MAX_TAPS as f32),
        feedback: Port::signal(0.5, "").within(0.0, 1.0),
        mix: Port::mix(0.5),
    }
}

/// `multitap`.
pub static MULTITAP: Declaration = Declaration {
    name: "multitap",
    aliases: &[],
    ports: MultiTapPorts::PORTS,
    width: Width::AsInput,
    make: make_multitap,
    doc: "Multi-tap delay: taps at 1, 2, … taps times the time, each feedback times quieter.",
    example: "out: s \"bd ~ ~ ~\" # multitap 0.125 4 0.6 0.5",
    control: None,
};

crate::ports! {
    /// What the ping-pong delay reads.
    pub struct PingPongPorts {
        input: Port::input(),
        time: Port::signal(0.25, "s").within(0.001, MAX_DELAY_SECONDS - 0.01),
        feedback: Port::signal(0.5, "").within(0.0, 0.99),
        width: Port::signal(1.0, "").within(0.0, 1.0),
        channel: Port::signal(0.0, ""),
        mix: Port::mix(0.5),
    }
}

/// `pingpong`.
pub static PINGPONG: Declaration = Declaration {
    name: "pingpong",
    aliases: &[],
    ports: PingPongPorts::PORTS,
    width: Width::Stereo,
    make: make_pingpong,
    doc: "Ping-pong delay: echoes alternate left and right (channel 1 starts right).",
    example: "out: s \"cp ~ ~ ~\" # pingpong 0.25 0.6",
    control: None,
};

/// Taps at 1, 2, … `taps` times the delay time, each `feedback` times quieter than the one
/// before. Inputs: signal, time (s), taps, feedback, mix.
pub struct MultiTap {
    lines: [DelayLine; 2],
}

impl Node for MultiTap {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = MultiTapPorts::read(inputs);
        let x = p.input;
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let taps = p.taps.at(i).round() as usize;
            let time = p.time.at(i).clamp(1.0 / sr, MULTITAP_SECONDS / taps as f32) * sr;
            let (feedback, mix) = (p.feedback.at(i), p.mix.at(i));
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
        let p = PingPongPorts::read(inputs);
        let x = p.input;
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let time = p.time.at(i) * sr;
            let (feedback, width) = (p.feedback.at(i), p.width.at(i));
            let right_first = p.channel.at(i) > 0.5;
            let mix = p.mix.at(i);
            let dry = sanitize(x.raw(i));
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
    let length = (MAX_DELAY_SECONDS * sample_rate) as usize + 4;
    Box::new(PingPong {
        lines: [DelayLine::new(length), DelayLine::new(length)],
    })
}
