//! A delay-line pitch shifter.

use crate::blocks::{param, signal, DelayLine};
use crate::{sanitize, Context, In, Node};
use std::f32::consts::PI;

/// The window a pitch shifter's two read heads sweep, in seconds.
const SHIFT_WINDOW_SECONDS: f32 = 0.05;

/// A delay-line pitch shifter: two read heads half a window apart move through the recent past
/// at the pitch ratio, each faded in and out with a sine window so their sum is steady. Inputs:
/// signal, semitones.
pub struct PitchShift {
    lines: [DelayLine; 2],
    /// Each head's delay in samples.
    delay: f32,
    window: f32,
}

impl Node for PitchShift {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let w = self.window;
        for i in 0..ctx.frames {
            let ratio = 2f32.powf(param(inputs, 1, i, 0.0).clamp(-48.0, 48.0) / 12.0);
            // The delay shrinks by (ratio - 1) a sample: reading faster than writing.
            self.delay = (self.delay - (ratio - 1.0)).rem_euclid(w);
            let d1 = self.delay;
            let d2 = (d1 + 0.5 * w).rem_euclid(w);
            let g1 = (PI * d1 / w).sin();
            let g2 = (PI * d2 / w).sin();
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let line = &mut self.lines[c];
                line.push(sanitize(x.channel(c, i)));
                channel[i] = line.read(d1 + 1.0) * g1 * g1 + line.read(d2 + 1.0) * g2 * g2;
            }
        }
    }
}

/// Makes a pitch shifter.
pub fn make_pitch_shift(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let window = (SHIFT_WINDOW_SECONDS * sample_rate).round();
    Box::new(PitchShift {
        lines: [
            DelayLine::new(window as usize + 4),
            DelayLine::new(window as usize + 4),
        ],
        delay: 0.0,
        window,
    })
}
