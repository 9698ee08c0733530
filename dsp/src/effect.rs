//! Effects: feedback delay, Freeverb-class reverb, distortion, bit crusher, chorus and a peak
//! limiter. Delay memory is allocated when the node is made, never while processing.

use crate::{sanitize, Context, In, Node};
use std::f32::consts::TAU;

/// The longest delay time the `delay` node offers, in seconds.
pub const MAX_DELAY_SECONDS: f32 = 4.0;

/// A circular delay line read with linear interpolation.
pub(crate) struct DelayLine {
    buffer: Box<[f32]>,
    write: usize,
}

impl DelayLine {
    pub(crate) fn new(length: usize) -> DelayLine {
        DelayLine {
            buffer: vec![0.0; length.max(2)].into_boxed_slice(),
            write: 0,
        }
    }

    /// The sample written `delay` samples ago (fractional, at least 1).
    #[inline]
    pub(crate) fn read(&self, delay: f32) -> f32 {
        let len = self.buffer.len();
        let delay = delay.clamp(1.0, (len - 1) as f32);
        let whole = delay.floor();
        let frac = delay - whole;
        let a = (self.write + len - whole as usize) % len;
        let b = (a + len - 1) % len;
        self.buffer[a] + (self.buffer[b] - self.buffer[a]) * frac
    }

    #[inline]
    pub(crate) fn push(&mut self, x: f32) {
        self.buffer[self.write] = x;
        self.write = (self.write + 1) % self.buffer.len();
    }
}

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

/// A lowpass-feedback comb filter, Freeverb's building block.
struct Comb {
    line: DelayLine,
    length: f32,
    store: f32,
}

/// An all-pass diffuser.
struct Allpass {
    line: DelayLine,
    length: f32,
}

/// Freeverb's tunings at 44.1 kHz; the right channel's lines are 23 samples longer.
const COMBS: [usize; 8] = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
const ALLPASSES: [usize; 4] = [556, 441, 341, 225];
const SPREAD: usize = 23;

/// Freeverb: eight parallel combs into four series all-passes per channel. Inputs are the signal,
/// room size, damping and mix; the output is stereo.
pub struct Reverb {
    combs: [Vec<Comb>; 2],
    allpasses: [Vec<Allpass>; 2],
}

impl Node for Reverb {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        for i in 0..ctx.frames {
            let param = |index: usize, fallback: f32| {
                inputs.get(index).map_or(fallback, |p| p.param(i, fallback))
            };
            let feedback = param(1, 0.7).clamp(0.0, 1.0) * 0.28 + 0.7;
            let damp = param(2, 0.5).clamp(0.0, 1.0) * 0.4;
            let mix = param(3, 0.3).clamp(0.0, 1.0);
            let input = sanitize(signal.at(i)) * 0.015;
            for channel in 0..out.len().min(2) {
                let mut wet = 0.0;
                for comb in &mut self.combs[channel] {
                    let y = comb.line.read(comb.length);
                    comb.store = sanitize(y * (1.0 - damp) + comb.store * damp);
                    comb.line.push(input + comb.store * feedback);
                    wet += y;
                }
                for allpass in &mut self.allpasses[channel] {
                    let delayed = allpass.line.read(allpass.length);
                    allpass.line.push(sanitize(wet + delayed * 0.5));
                    wet = delayed - wet;
                }
                let dry = signal.channel(channel, i);
                out[channel][i] = dry * (1.0 - mix) + wet * 3.0 * mix;
            }
        }
    }
}

/// Makes a reverb tuned for the sample rate.
pub fn make_reverb(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let scale = sample_rate / 44_100.0;
    let sized = |n: usize| ((n as f32 * scale).round() as usize).max(2);
    let combs = |spread: usize| {
        COMBS
            .iter()
            .map(|&n| {
                let length = sized(n + spread);
                Comb {
                    line: DelayLine::new(length + 1),
                    length: length as f32,
                    store: 0.0,
                }
            })
            .collect()
    };
    let allpasses = |spread: usize| {
        ALLPASSES
            .iter()
            .map(|&n| {
                let length = sized(n + spread);
                Allpass {
                    line: DelayLine::new(length + 1),
                    length: length as f32,
                }
            })
            .collect()
    };
    Box::new(Reverb {
        combs: [combs(0), combs(SPREAD)],
        allpasses: [allpasses(0), allpasses(SPREAD)],
    })
}

/// Soft-clipping distortion: inputs are the signal, drive and mix.
pub struct Distort;

impl Node for Distort {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        for (channel, buffer) in out.iter_mut().enumerate() {
            for (i, y) in buffer[..ctx.frames].iter_mut().enumerate() {
                let param = |index: usize, fallback: f32| {
                    inputs.get(index).map_or(fallback, |p| p.param(i, fallback))
                };
                let drive = param(1, 2.0).clamp(0.0, 100.0);
                let mix = param(2, 1.0).clamp(0.0, 1.0);
                let x = sanitize(signal.channel(channel, i));
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
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        for i in 0..ctx.frames {
            let param = |index: usize, fallback: f32| {
                inputs.get(index).map_or(fallback, |p| p.param(i, fallback))
            };
            let levels = 2f32.powf(param(1, 8.0).clamp(1.0, 24.0) - 1.0);
            let rate = param(2, 1.0).clamp(1.0, 1024.0);
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

/// Chorus: a delay of 5 to 25 ms swept by a sine, a quarter cycle apart between the channels.
/// Inputs are the signal, rate in Hz, depth and mix; the output is stereo.
pub struct Chorus {
    lines: [DelayLine; 2],
    phase: f32,
}

impl Node for Chorus {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        for i in 0..ctx.frames {
            let param = |index: usize, fallback: f32| {
                inputs.get(index).map_or(fallback, |p| p.param(i, fallback))
            };
            let rate = param(1, 0.8).clamp(0.0, 20.0);
            let depth = param(2, 0.4).clamp(0.0, 1.0);
            let mix = param(3, 0.5).clamp(0.0, 1.0);
            self.phase = (self.phase + rate / ctx.sample_rate).fract();
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                let x = sanitize(signal.channel(channel, i));
                let sweep = (TAU * (self.phase + 0.25 * channel as f32)).sin();
                let delay = (0.015 + 0.01 * depth * sweep) * ctx.sample_rate;
                let line = &mut self.lines[channel];
                let delayed = line.read(delay);
                line.push(x);
                buffer[i] = x * (1.0 - mix) + delayed * mix;
            }
        }
    }
}

/// Makes a chorus.
pub fn make_chorus(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (0.03 * sample_rate) as usize + 2;
    Box::new(Chorus {
        lines: [DelayLine::new(length), DelayLine::new(length)],
        phase: 0.0,
    })
}

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

/// Ring modulation: the input times a sine of the given frequency (sum and difference
/// frequencies, no carrier). Inputs are the signal and the frequency in Hz.
pub struct RingMod {
    phase: f64,
}

impl Node for RingMod {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        let freq = inputs.get(1).copied().unwrap_or(In::Const(100.0));
        for i in 0..ctx.frames {
            let carrier = (self.phase * std::f64::consts::TAU).sin() as f32;
            let step = f64::from(freq.param(i, 100.0)) / f64::from(ctx.sample_rate);
            self.phase = (self.phase + step).rem_euclid(1.0);
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                buffer[i] = sanitize(signal.channel(channel, i) * carrier);
            }
        }
    }
}

/// Makes a ring modulator.
pub fn make_ring_mod(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(RingMod { phase: 0.0 })
}
