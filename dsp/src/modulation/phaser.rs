//! `phaser`: the input mixed with itself through a chain of first-order all-pass stages whose
//! corner a sine sweeps from 200 Hz up to 2 kHz, with feedback — the notches of the sum move
//! up and down (the original Phonon's `phaser`).

use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};
use std::f32::consts::{PI, TAU};

/// The most all-pass stages.
const MAX_STAGES: usize = 12;

crate::ports! {
    /// What the phaser reads.
    pub struct PhaserPorts {
        input: Port::input(),
        rate: Port::signal(0.5, "Hz").within(0.05, 5.0),
        depth: Port::signal(0.7, "").within(0.0, 1.0),
        feedback: Port::signal(0.5, "").within(0.0, 0.95),
        stages: Port::signal(4.0, "").within(1.0, MAX_STAGES as f32),
    }
}

/// `phaser`.
pub static PHASER: Declaration = Declaration {
    name: "phaser",
    aliases: &[],
    ports: PhaserPorts::PORTS,
    width: Width::AsInput,
    make: |_, _| Box::new(Phaser::default()),
    doc: "Phaser: the input with itself through `stages` all-pass stages swept from 200 Hz to 2 kHz by a sine, with feedback.",
    example: "out: saw 110 # phaser 0.4 0.7 0.5 4 * 0.2",
    control: None,
};

/// One channel's all-pass chain: each stage's last input and output, and what feeds back.
#[derive(Default, Clone, Copy)]
struct Chain {
    inputs: [f32; MAX_STAGES],
    outputs: [f32; MAX_STAGES],
    fed_back: f32,
}

/// Both channels' chains and the sweep's phase.
#[derive(Default)]
pub struct Phaser {
    chains: [Chain; 2],
    phase: f32,
}

impl Node for Phaser {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = PhaserPorts::read(inputs);
        for i in 0..ctx.frames {
            self.phase = (self.phase + p.rate.at(i) / ctx.sample_rate).fract();
            let sweep = ((TAU * self.phase).sin() + 1.0) * 0.5;
            let corner = 200.0 + 1800.0 * sweep * p.depth.at(i);
            let t = (PI * corner / ctx.sample_rate).tan();
            let a = (t - 1.0) / (t + 1.0);
            let (feedback, stages) = (p.feedback.at(i), p.stages.at(i).round() as usize);
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                let chain = &mut self.chains[channel];
                let x = sanitize(p.input.channel(channel, i));
                let mut signal = x + chain.fed_back * feedback;
                for k in 0..stages.clamp(1, MAX_STAGES) {
                    let y = sanitize(a * signal + chain.inputs[k] - a * chain.outputs[k]);
                    chain.inputs[k] = signal;
                    chain.outputs[k] = y;
                    signal = y;
                }
                chain.fed_back = signal;
                buffer[i] = (x + signal) * 0.5;
            }
        }
    }
}
