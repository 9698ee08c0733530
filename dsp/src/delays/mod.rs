//! Delays: the feedback delay (also the delay of SuperDirt's orbits), the tape echo, multi-tap
//! and ping-pong delays, the comb filter. Delay memory is allocated when the node is made, never while
//! processing.

pub mod comb;
pub mod tape;
pub mod taps;

use crate::blocks::DelayLine;
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

/// The longest delay time the `delay` node offers, in seconds.
pub const MAX_DELAY_SECONDS: f32 = 4.0;

crate::ports! {
    /// What the feedback delay reads.
    pub struct DelayPorts {
        input: Port::input(),
        time: Port::signal(0.25, "s").within(0.0, MAX_DELAY_SECONDS),
        feedback: Port::signal(0.5, "").within(-0.99, 0.99),
        mix: Port::mix(0.5),
    }
}

/// `delay`.
pub static DELAY: Declaration = Declaration {
    name: "delay",
    aliases: &[],
    ports: DelayPorts::PORTS,
    width: Width::AsInput,
    make: make_delay,
    doc: "Feedback delay line.",
    example: "out: s \"cp ~ ~ ~\" # delay 0.375 0.6 0.4",
    control: None,
};

/// Feedback delay: inputs are the signal, time in seconds, feedback and mix.
pub struct Delay {
    lines: [DelayLine; 2],
    /// Smoothed delay time in samples, so moving the time glides instead of clicking.
    time: Option<f32>,
}

impl Node for Delay {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = DelayPorts::read(inputs);
        let smoothing = 1.0 - (-1.0 / (0.05 * ctx.sample_rate)).exp();
        for i in 0..ctx.frames {
            let target = p.time.at(i) * ctx.sample_rate;
            let time = match self.time {
                None => target,
                Some(t) => t + (target - t) * smoothing,
            };
            self.time = Some(time);
            let (feedback, mix) = (p.feedback.at(i), p.mix.at(i));
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                let x = sanitize(p.input.channel(channel, i));
                let line = &mut self.lines[channel];
                let delayed = line.read(time);
                line.push(sanitize(x + delayed * feedback));
                buffer[i] = x * (1.0 - mix) + delayed * mix;
            }
        }
    }
}

/// Makes a delay with room for [`MAX_DELAY_SECONDS`].
pub fn make_delay(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (MAX_DELAY_SECONDS * sample_rate) as usize + 2;
    Box::new(Delay {
        lines: [DelayLine::new(length), DelayLine::new(length)],
        time: None,
    })
}
