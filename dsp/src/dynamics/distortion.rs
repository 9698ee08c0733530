//! Soft-clipping distortion and the bit crusher.

use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

crate::ports! {
    /// What the distortion reads.
    pub struct DistortPorts {
        input: Port::input(),
        drive: Port::signal(2.0, "").within(0.0, 100.0),
        mix: Port::mix(1.0),
    }
}

/// `distort`.
pub static DISTORT: Declaration = Declaration {
    name: "distort",
    aliases: &["distortion", "dist"],
    ports: DistortPorts::PORTS,
    width: Width::AsInput,
    make: make_distort,
    doc: "Soft-clipping distortion.",
    example: "out: sine 55 # distort 8 * 0.2",
    control: None,
};

crate::ports! {
    /// What the bit crusher reads.
    pub struct BitcrushPorts {
        input: Port::input(),
        bits: Port::signal(8.0, "").within(1.0, 24.0),
        rate: Port::signal(1.0, "").within(1.0, 1024.0),
    }
}

/// `bitcrush`.
pub static BITCRUSH: Declaration = Declaration {
    name: "bitcrush",
    aliases: &["crush"],
    ports: BitcrushPorts::PORTS,
    width: Width::AsInput,
    make: make_bitcrush,
    doc: "Reduce bit depth and sample rate.",
    example: "out: saw 110 # bitcrush 4 8 * 0.2",
    control: None,
};

/// Soft-clipping distortion: inputs are the signal, drive and mix.
pub struct Distort;

impl Node for Distort {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = DistortPorts::read(inputs);
        for (channel, buffer) in out.iter_mut().enumerate() {
            for (i, y) in buffer[..ctx.frames].iter_mut().enumerate() {
                let (drive, mix) = (p.drive.at(i), p.mix.at(i));
                let x = sanitize(p.input.channel(channel, i));
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
        let p = BitcrushPorts::read(inputs);
        let signal = p.input;
        for i in 0..ctx.frames {
            let levels = 2f32.powf(p.bits.at(i) - 1.0);
            let rate = p.rate.at(i);
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
