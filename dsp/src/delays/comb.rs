//! `comb`: a feedback comb filter tuned to a frequency — a string or a metallic ring excited by
//! its input (the original Phonon's `comb`).

use crate::blocks::DelayLine;
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

/// The lowest frequency the comb tunes to; its delay memory is made for it.
const LOWEST_HZ: f32 = 20.0;

crate::ports! {
    /// What the comb filter reads.
    pub struct CombPorts {
        input: Port::input(),
        freq: Port::signal(440.0, "Hz").within(LOWEST_HZ, 20_000.0),
        feedback: Port::signal(0.9, "").within(0.0, 0.99),
    }
}

/// `comb`.
pub static COMB: Declaration = Declaration {
    name: "comb",
    aliases: &[],
    ports: CombPorts::PORTS,
    width: Width::AsInput,
    make: |sample_rate, _| {
        let length = (sample_rate / LOWEST_HZ) as usize + 2;
        Box::new(Comb {
            lines: [DelayLine::new(length), DelayLine::new(length)],
        })
    },
    doc: "Feedback comb filter: the input plus itself a period of `freq` later, fed back; it rings at `freq`.",
    example: "out: s \"hh*4\" # comb \"440 660\" 0.95 * 0.3",
    control: None,
};

/// `y = x + feedback · y(t − 1/freq)`, per channel.
pub struct Comb {
    lines: [DelayLine; 2],
}

impl Node for Comb {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = CombPorts::read(inputs);
        for i in 0..ctx.frames {
            let period = ctx.sample_rate / p.freq.at(i);
            let feedback = p.feedback.at(i);
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                let line = &mut self.lines[channel];
                let y = sanitize(p.input.channel(channel, i) + feedback * line.read(period));
                line.push(y);
                buffer[i] = y;
            }
        }
    }
}
