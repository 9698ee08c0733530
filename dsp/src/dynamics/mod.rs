//! Dynamics: the peak limiter and the compressor; distortion and bit crushing; level
//! followers and gates.

pub mod distortion;
pub mod followers;

use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

crate::ports! {
    /// What the limiter reads.
    pub struct LimiterPorts {
        input: Port::input(),
        threshold: Port::signal(0.9, "").within(0.001, 1.0),
        release: Port::signal(0.05, "s").within(0.001, f32::INFINITY),
    }
}

/// `limiter`.
pub static LIMITER: Declaration = Declaration {
    name: "limiter",
    aliases: &["limit"],
    ports: LimiterPorts::PORTS,
    width: Width::AsInput,
    make: make_limiter,
    doc: "Peak limiter.",
    example: "out: s \"bd*4\" # gain 1.5 # limiter 0.8",
    control: None,
};

/// A time the compressor follows the level in.
const SECONDS: Port = Port::signal(0.0, "s").within(1e-4, f32::INFINITY);

crate::ports! {
    /// What the compressor reads.
    pub struct CompressorPorts {
        input: Port::input(),
        threshold: Port::signal(-12.0, "dB"),
        ratio: Port::signal(4.0, "").within(1.0, f32::INFINITY),
        attack: Port { default: 0.01, ..SECONDS },
        release: Port { default: 0.1, ..SECONDS },
        makeup: Port::signal(0.0, "dB"),
    }
}

/// `compressor`.
pub static COMPRESSOR: Declaration = Declaration {
    name: "compressor",
    aliases: &[],
    ports: CompressorPorts::PORTS,
    width: Width::AsInput,
    make: make_compressor,
    doc: "Compressor: above threshold, the level rises 1/ratio as fast; then makeup gain.",
    example: "out: s \"bd sn\" # compressor -20 4 0.005 0.1 6",
    control: None,
};

/// Peak limiter with instant attack: the output never exceeds the threshold. Inputs are the
/// signal, threshold and release time in seconds; both channels share one gain.
pub struct Limiter {
    peak: PeakLimiter,
}

impl Node for Limiter {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = LimiterPorts::read(inputs);
        let signal = p.input;
        for i in 0..ctx.frames {
            let (threshold, release) = (p.threshold.at(i), p.release.at(i));
            let fall = (-1.0 / (release * ctx.sample_rate)).exp();
            let channels = out.len().min(2);
            let peak = (0..channels)
                .map(|c| sanitize(signal.channel(c, i)).abs())
                .fold(0.0f32, f32::max);
            let gain = self.peak.gain(peak, threshold, fall);
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                buffer[i] = sanitize(signal.channel(channel, i)) * gain;
            }
        }
    }
}

/// A peak limiter's state: a level that jumps to each peak and falls back exponentially, and the
/// gain that keeps the peaks at the threshold. With no look-ahead it adds no latency; the
/// output never exceeds the threshold.
#[derive(Clone, Copy, Debug, Default)]
pub struct PeakLimiter {
    envelope: f32,
}

impl PeakLimiter {
    /// The gain for a frame whose louder channel is `peak`, the level falling by `fall` a frame.
    #[inline]
    pub fn gain(&mut self, peak: f32, threshold: f32, fall: f32) -> f32 {
        self.envelope = sanitize(peak.max(self.envelope * fall));
        if self.envelope > threshold {
            threshold / self.envelope
        } else {
            1.0
        }
    }

    /// True when the level is at or under `threshold`. From there, what it falls from no
    /// longer matters: the next peak over the threshold sets it, and nothing under the
    /// threshold is limited. So a silent block at this threshold may skip [`Self::limit`].
    pub fn has_let_go(&self, threshold: f32) -> bool {
        self.envelope <= threshold
    }

    /// Limits a stereo pair in place to `threshold`, letting go over `release` seconds.
    pub fn limit(
        &mut self,
        [left, right]: [&mut [f32]; 2],
        threshold: f32,
        release: f32,
        sample_rate: f32,
    ) {
        let fall = (-1.0 / (release * sample_rate)).exp();
        let peak = left
            .iter()
            .chain(right.iter())
            .fold(0.0f32, |m, x| m.max(x.abs()));
        if peak <= threshold && self.envelope <= threshold {
            // Nothing to limit: the level only falls (and what it falls from no longer matters
            // once it is under the threshold).
            self.envelope = sanitize(self.envelope.max(peak) * fall);
            return;
        }
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let gain = self.gain(l.abs().max(r.abs()), threshold, fall);
            if gain < 1.0 {
                *l *= gain;
                *r *= gain;
            }
        }
    }
}

/// Makes a limiter.
pub fn make_limiter(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Limiter {
        peak: PeakLimiter::default(),
    })
}

/// A feed-forward compressor on the louder channel's peak level. Inputs: signal, threshold
/// (dBFS), ratio, attack and release (s), makeup gain (dB).
pub struct Compressor {
    envelope: f32,
}

impl Node for Compressor {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = CompressorPorts::read(inputs);
        let x = p.input;
        let sr = ctx.sample_rate;
        let coefficient = |seconds: f32| 1.0 - (-1.0 / (seconds * sr)).exp();
        for i in 0..ctx.frames {
            let (threshold, ratio) = (p.threshold.at(i), p.ratio.at(i));
            let (attack, release) = (p.attack.at(i), p.release.at(i));
            let makeup = p.makeup.at(i);
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
