//! Delays: the feedback delay (also the delay of SuperDirt's orbits), the tape echo, multi-tap
//! and ping-pong delays. Delay memory is allocated when the node is made, never while
//! processing.

pub mod tape;
pub mod taps;

use crate::blocks::DelayLine;
use crate::{sanitize, Context, In, Node};

/// The longest delay time the `delay` node offers, in seconds.
pub const MAX_DELAY_SECONDS: f32 = 4.0;

/// Feedback delay: inputs are the signal, time in seconds, feedback and mix.
pub struct Delay {
    lines: [DelayLine; 2],
    /// Smoothed delay time in samples, so moving the time glides instead of clicking.
    time: Option<f32>,
}

impl Node for Delay {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        let smoothing = 1.0 - (-1.0 / (0.05 * ctx.sample_rate)).exp();
        for i in 0..ctx.frames {
            let param = |index: usize, fallback: f32| {
                inputs.get(index).map_or(fallback, |p| p.param(i, fallback))
            };
            let target = param(1, 0.25).clamp(0.0, MAX_DELAY_SECONDS) * ctx.sample_rate;
            let time = match self.time {
                None => target,
                Some(t) => t + (target - t) * smoothing,
            };
            self.time = Some(time);
            let feedback = param(2, 0.5).clamp(-0.99, 0.99);
            let mix = param(3, 0.5).clamp(0.0, 1.0);
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                let x = sanitize(signal.channel(channel, i));
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
