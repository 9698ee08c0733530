//! The engine's live input as a node: `in 1` is the first channel JACK gives Phonon.

use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

crate::ports! {
    /// What the live input reads: the channel number. The runtime binds that channel's buffer
    /// as one more input after these ports.
    pub struct LiveInputPorts {
        channel: Port::number(1.0, "").within(1.0, f32::INFINITY),
    }
}

/// `in`.
pub static LIVE_INPUT: Declaration = Declaration {
    name: "in",
    aliases: &["input"],
    ports: LiveInputPorts::PORTS,
    width: Width::Mono,
    make: |_, _| Box::new(LiveInput),
    doc: "The engine's nth input channel (silence offline).",
    example: "out: in 1 # lpf 800 * 0.5",
    control: None,
};

/// The engine's live input: the channel the runtime binds after the declared ports, or silence
/// when none is bound (offline).
pub struct LiveInput;

impl Node for LiveInput {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let bound = inputs.get(LiveInputPorts::PORTS.len());
        for buffer in out.iter_mut() {
            for (i, y) in buffer[..ctx.frames].iter_mut().enumerate() {
                *y = bound.map_or(0.0, |b| sanitize(b.at(i)));
            }
        }
    }
}
