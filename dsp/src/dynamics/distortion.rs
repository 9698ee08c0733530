//! Soft-clipping distortion and the bit crusher.

use crate::{sanitize, Context, In, Node};

/// Soft-clipping distortion: inputs are the signal, drive and mix.
pub struct Distort;

impl Node for Distort {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        for (channel, buffer) in out.iter_mut().enumerate() {
            for (i, y) in buffer[..ctx.frames].iter_mut().enumerate() {
                let param = |index: usize, fallback: f32| {
                    inputs.get(index).map_or(fallback, |p| p.param(i, fallback))
                };
                let drive = param(1, 2.0).clamp(0.0, 100.0);
                let mix = param(2, 1.0).clamp(0.0, 1.0);
                let x = sanitize(signal.channel(channel, i));
                *y = x * (1.0 - mix) + (drive * x).tanh() * mix;
            }
        }
    }
}

/// Makes a distortion.
pub fn make_distort(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Distort)
}

/// Bit crusher: inputs are the signal, bits and rate (keep one sample in `rate`).
pub struct Bitcrush {
    held: [f32; 2],
    /// Samples until the next one is taken.
    counter: f32,
}

impl Node for Bitcrush {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        for i in 0..ctx.frames {
            let param = |index: usize, fallback: f32| {
                inputs.get(index).map_or(fallback, |p| p.param(i, fallback))
            };
            let levels = 2f32.powf(param(1, 8.0).clamp(1.0, 24.0) - 1.0);
            let rate = param(2, 1.0).clamp(1.0, 1024.0);
            if self.counter <= 0.0 {
                self.counter += rate;
                for (channel, held) in self.held.iter_mut().enumerate() {
                    *held = (sanitize(signal.channel(channel, i)) * levels).round() / levels;
                }
            }
            self.counter -= 1.0;
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                buffer[i] = self.held[channel];
            }
        }
    }
}

/// Makes a bit crusher.
pub fn make_bitcrush(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Bitcrush {
        held: [0.0; 2],
        counter: 0.0,
    })
}
