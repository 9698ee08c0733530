//! A resonant four-pole ladder low-pass in the manner of the Moog filter: four one-pole stages
//! with tanh saturation and negative feedback from the last stage (after Stilson and Smith, and
//! Huovilainen's nonlinear model). Resonance 0 to 1; near 1 it rings.

use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};
use std::f32::consts::TAU;

crate::ports! {
    /// What the ladder reads.
    pub struct LadderPorts {
        input: Port::input(),
        cutoff: Port::signal(1000.0, "Hz").within(10.0, 24_000.0),
        resonance: Port::signal(0.5, "").within(0.0, 1.0),
    }
}

/// `moog`.
pub static MOOG: Declaration = Declaration {
    name: "moog",
    aliases: &["ladder", "moog_ladder", "moog_hz"],
    ports: LadderPorts::PORTS,
    width: Width::AsInput,
    make: make_moog,
    doc: "Resonant four-pole ladder low-pass filter.",
    example: "out: saw 55 # moog (sine 0.5 * 600 + 900) 0.8 * 0.3",
    control: None,
};

/// tanh by a Padé approximant: within 2% everywhere and exact in the limits, at a fraction of
/// the cost of `f32::tanh` (the ladder needs five a sample).
#[inline]
fn tanh(x: f32) -> f32 {
    let x = x.clamp(-3.0, 3.0);
    let x2 = x * x;
    x * (27.0 + x2) / (27.0 + 9.0 * x2)
}

/// One frame of `x` through the four `stages` of a ladder with one-pole coefficient `g` and
/// feedback `k` (0–4, self-oscillating near 4).
#[inline]
pub fn step(s: &mut [f32; 4], x: f32, g: f32, k: f32) -> f32 {
    let x = sanitize(x);
    // Feedback from the last stage, with gain compensation so resonance does not hollow out
    // the pass band entirely.
    let drive = tanh(x * (1.0 + 0.5 * k) - k * s[3]);
    s[0] = sanitize(s[0] + g * (drive - tanh(s[0])));
    s[1] = sanitize(s[1] + g * (tanh(s[0]) - tanh(s[1])));
    s[2] = sanitize(s[2] + g * (tanh(s[1]) - tanh(s[2])));
    s[3] = sanitize(s[3] + g * (tanh(s[2]) - tanh(s[3])));
    s[3]
}

/// The ladder; inputs are the signal, the cutoff in Hz and the resonance.
pub struct Ladder {
    stages: [[f32; 4]; 2],
}

impl Node for Ladder {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = LadderPorts::read(inputs);
        for i in 0..ctx.frames {
            let fc = p.cutoff.at(i).min(0.45 * ctx.sample_rate);
            let g = 1.0 - (-TAU * fc / ctx.sample_rate).exp();
            let k = 4.0 * p.resonance.at(i);
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                buffer[i] = step(&mut self.stages[channel], p.input.channel(channel, i), g, k);
            }
        }
    }
}

/// Makes a ladder filter.
pub fn make_moog(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Ladder {
        stages: [[0.0; 4]; 2],
    })
}
