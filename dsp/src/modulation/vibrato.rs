//! `vibrato`: the pitch swung up and down by a sine, through a delay whose length the sine
//! moves (the original Phonon's `vibrato`, its depth in semitones).

use crate::blocks::DelayLine;
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};
use std::f32::consts::TAU;

/// The widest swing a delay of this length allows at the slowest rate: 2 semitones at 0.1 Hz.
const MAX_DELAY_SECONDS: f32 = 0.25;

crate::ports! {
    /// What the vibrato reads.
    pub struct VibratoPorts {
        input: Port::input(),
        rate: Port::signal(5.0, "Hz").within(0.1, 20.0),
        depth: Port::signal(0.3, "semitones").within(0.0, 2.0),
    }
}

/// `vibrato`.
pub static VIBRATO: Declaration = Declaration {
    name: "vibrato",
    aliases: &[],
    ports: VibratoPorts::PORTS,
    width: Width::AsInput,
    make: |sample_rate, _| {
        let length = (MAX_DELAY_SECONDS * sample_rate) as usize + 2;
        Box::new(Vibrato {
            lines: [DelayLine::new(length), DelayLine::new(length)],
            phase: 0.0,
        })
    },
    doc: "Vibrato: the pitch swung `depth` semitones up and down, `rate` times a second.",
    example: "out: sine 330 # vibrato 5.5 0.4 * 0.2",
    control: None,
};

/// A delay of `A · (1 + sin)` seconds: its rate of change bends the pitch by up to `A·ω`, so
/// `A = (2^(depth/12) − 1) / ω` gives the depth asked for.
pub struct Vibrato {
    lines: [DelayLine; 2],
    phase: f32,
}

impl Node for Vibrato {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = VibratoPorts::read(inputs);
        for i in 0..ctx.frames {
            let rate = p.rate.at(i);
            let omega = TAU * rate;
            let swing = (2f32.powf(p.depth.at(i) / 12.0) - 1.0) / omega;
            self.phase = (self.phase + rate / ctx.sample_rate).fract();
            let delay = (swing * (1.0 + (TAU * self.phase).sin()) + 0.001) * ctx.sample_rate;
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                let line = &mut self.lines[channel];
                line.push(sanitize(p.input.channel(channel, i)));
                buffer[i] = line.read(delay + 1.0);
            }
        }
    }
}
