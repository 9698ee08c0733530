//! `phasor`: a ramp from 0 to 1 locked to the cycle, the original Phonon's tempo-synced LFO.

use crate::declaration::{Declaration, Port};
use crate::{Context, In, Node, Width};

crate::ports! {
    /// What the phasor reads.
    pub struct PhasorPorts {
        speed: Port::signal(1.0, "per cycle"),
    }
}

/// `phasor`.
pub static PHASOR: Declaration = Declaration {
    name: "phasor",
    aliases: &[],
    ports: PhasorPorts::PORTS,
    width: Width::Mono,
    make: |_, _| Box::new(Phasor),
    doc: "A ramp from 0 to 1, speed times a cycle, locked to the beat: a tempo-synced LFO.",
    example: "out: saw 55 # lpf (phasor 2 * 2000 + 200) 4 * 0.2",
    control: None,
};

/// The fractional part of the cycle position times the speed: it holds no state, so it is
/// where the beat says after an edit, a seek or a change of tempo.
pub struct Phasor;

impl Node for Phasor {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let speed = PhasorPorts::read(inputs).speed;
        let begin = ctx.span.begin.to_f64();
        let step = (ctx.span.end - ctx.span.begin).to_f64() / ctx.frames.max(1) as f64;
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let position = begin + step * i as f64;
            *y = (position * f64::from(speed.at(i))).rem_euclid(1.0) as f32;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}
