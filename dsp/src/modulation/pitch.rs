//! A delay-line pitch shifter.

use crate::blocks::DelayLine;
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};
use std::f32::consts::PI;

crate::ports! {
    /// What the pitch shifter reads.
    pub struct PitchShiftPorts {
        input: Port::input(),
        semitones: Port::signal(0.0, "").within(-48.0, 48.0),
    }
}

/// `pitch_shift`.
pub static PITCH_SHIFT: Declaration = Declaration {
    name: "pitch_shift",
    aliases: &["pitchshift"],
    ports: PitchShiftPorts::PORTS,
    width: Width::AsInput,
    make: make_pitch_shift,
    doc: "Pitch shifter: two crossfaded delay-line heads, same length, pitch moved by semitones.",
    example: "out: s \"bd sn\" # pitch_shift 7",
    control: None,
};

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
        let p = PitchShiftPorts::read(inputs);
        let x = p.input;
        let w = self.window;
        for i in 0..ctx.frames {
            let ratio = 2f32.powf(p.semitones.at(i) / 12.0);
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
