//! Dynamics: the peak limiter and the compressor; distortion and bit crushing.

pub mod distortion;

use crate::blocks::{param, signal};
use crate::{sanitize, Context, In, Node};

/// Peak limiter with instant attack: the output never exceeds the threshold. Inputs are the
/// signal, threshold and release time in seconds; both channels share one gain.
pub struct Limiter {
    envelope: f32,
}

impl Node for Limiter {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        for i in 0..ctx.frames {
            let param = |index: usize, fallback: f32| {
                inputs.get(index).map_or(fallback, |p| p.param(i, fallback))
            };
            let threshold = param(1, 0.9).clamp(0.001, 1.0);
            let release = param(2, 0.05).max(0.001);
            let fall = (-1.0 / (release * ctx.sample_rate)).exp();
            let channels = out.len().min(2);
            let peak = (0..channels)
                .map(|c| sanitize(signal.channel(c, i)).abs())
                .fold(0.0f32, f32::max);
            self.envelope = sanitize(peak.max(self.envelope * fall));
            let gain = if self.envelope > threshold {
                threshold / self.envelope
            } else {
                1.0
            };
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                buffer[i] = sanitize(signal.channel(channel, i)) * gain;
            }
        }
    }
}

/// Makes a limiter.
pub fn make_limiter(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Limiter { envelope: 0.0 })
}

/// A feed-forward compressor on the louder channel's peak level. Inputs: signal, threshold
/// (dBFS), ratio, attack and release (s), makeup gain (dB).
pub struct Compressor {
    envelope: f32,
}

impl Node for Compressor {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        let coefficient = |seconds: f32| 1.0 - (-1.0 / (seconds.max(1e-4) * sr)).exp();
        for i in 0..ctx.frames {
            let threshold = param(inputs, 1, i, -12.0);
            let ratio = param(inputs, 2, i, 4.0).max(1.0);
            let (attack, release) = (param(inputs, 3, i, 0.01), param(inputs, 4, i, 0.1));
            let makeup = param(inputs, 5, i, 0.0);
            let peak = (0..out.len().min(2))
                .map(|c| sanitize(x.channel(c, i)).abs())
                .fold(0.0, f32::max);
            let k = if peak > self.envelope {
                coefficient(attack)
            } else {
                coefficient(release)
            };
            self.envelope = sanitize(self.envelope + k * (peak - self.envelope));
            let level = 20.0 * self.envelope.max(1e-6).log10();
            let over = (level - threshold).max(0.0);
            let gain = 10f32.powf((makeup - over * (1.0 - 1.0 / ratio)) / 20.0);
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                channel[i] = sanitize(x.channel(c, i)) * gain;
            }
        }
    }
}

/// Makes a compressor.
pub fn make_compressor(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Compressor { envelope: 0.0 })
}
