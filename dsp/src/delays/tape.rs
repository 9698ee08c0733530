//! A tape echo.

use crate::blocks::{param, signal, DelayLine, Lfo};
use crate::{sanitize, Context, In, Node};
use std::f32::consts::TAU;

/// The longest tape delay, in seconds.
const TAPE_SECONDS: f32 = 4.0;

/// A tape echo: the delay time wanders with wow and flutter, and each repeat is saturated and
/// loses some top end. Inputs: signal, time (s), feedback, wow rate (Hz) and depth, flutter
/// rate (Hz) and depth (fractions of the time), saturation (0-1), mix.
pub struct TapeDelay {
    lines: [DelayLine; 2],
    tone: [f32; 2],
    wow: Lfo,
    flutter: Lfo,
}

impl Node for TapeDelay {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        let loss = 1.0 - (-TAU * 5000.0 / sr).exp();
        for i in 0..ctx.frames {
            let p = |k: usize, fallback: f32| param(inputs, k, i, fallback);
            let wow = self.wow.next(p(3, 0.5), sr) * p(4, 0.002);
            let flutter = self.flutter.next(p(5, 6.0), sr) * p(6, 0.0005);
            let time = p(1, 0.375).clamp(0.001, TAPE_SECONDS - 0.1) * (1.0 + wow + flutter);
            let feedback = p(2, 0.5).clamp(0.0, 0.99);
            let drive = 1.0 + 4.0 * p(7, 0.3).clamp(0.0, 1.0);
            let mix = p(8, 0.5).clamp(0.0, 1.0);
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let dry = sanitize(x.channel(c, i));
                let echo = self.lines[c].read(time * sr);
                self.tone[c] = sanitize(self.tone[c] + loss * (echo - self.tone[c]));
                let back = (self.tone[c] * feedback * drive).tanh() / drive;
                self.lines[c].push(sanitize(dry + back));
                channel[i] = dry * (1.0 - mix) + echo * mix;
            }
        }
    }
}

/// Makes a tape delay.
pub fn make_tapedelay(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (TAPE_SECONDS * sample_rate) as usize + 4;
    Box::new(TapeDelay {
        lines: [DelayLine::new(length), DelayLine::new(length)],
        tone: [0.0; 2],
        wow: Lfo::default(),
        flutter: Lfo(0.25),
    })
}
