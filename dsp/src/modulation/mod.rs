//! Modulation effects: choruses, the flanger and ring modulation; pitch shifting; freezing and
//! granulation.

pub mod granular;
pub mod pitch;

use crate::blocks::{param, signal, DelayLine, Lfo};
use crate::{sanitize, Context, In, Node};
use std::f32::consts::TAU;

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

/// A three-voice chorus after fundsp's: voices `separation` seconds apart, each delay swung by
/// `variation` seconds at `mod_frequency`. Inputs: signal, separation, variation, mod frequency.
pub struct Fchorus {
    lines: [DelayLine; 2],
    lfo: Lfo,
}

impl Node for Fchorus {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let separation = param(inputs, 1, i, 0.015).clamp(0.0, 0.05);
            let variation = param(inputs, 2, i, 0.005).clamp(0.0, 0.05);
            let phase = self.lfo.0;
            self.lfo.next(param(inputs, 3, i, 0.3), sr);
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let dry = sanitize(x.channel(c, i));
                let line = &mut self.lines[c];
                let mut wet = 0.0;
                for k in 0..3 {
                    let swing = ((phase + k as f32 / 3.0 + c as f32 * 0.25) * TAU).sin();
                    let delay = 0.001 + separation * (k + 1) as f32 + variation * (1.0 + swing);
                    wet += line.read(delay * sr);
                }
                line.push(dry);
                channel[i] = 0.5 * dry + wet / 6.0;
            }
        }
    }
}

/// Makes a three-voice chorus.
pub fn make_fchorus(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (0.3 * sample_rate) as usize + 4;
    Box::new(Fchorus {
        lines: [DelayLine::new(length), DelayLine::new(length)],
        lfo: Lfo::default(),
    })
}

/// A flanger: a 1–6 ms delay swept by a sine, mixed with the dry signal, with feedback.
/// Inputs: signal, depth (0-1), rate (Hz), feedback.
pub struct Flanger {
    lines: [DelayLine; 2],
    lfo: Lfo,
}

impl Node for Flanger {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let depth = param(inputs, 1, i, 0.5).clamp(0.0, 1.0);
            let sweep = self.lfo.next(param(inputs, 2, i, 0.5), sr);
            let feedback = param(inputs, 3, i, 0.5).clamp(-0.95, 0.95);
            let delay = (0.001 + depth * 0.0025 * (1.0 + sweep)) * sr;
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let dry = sanitize(x.channel(c, i));
                let wet = self.lines[c].read(delay);
                self.lines[c].push(sanitize(dry + wet * feedback));
                channel[i] = 0.5 * (dry + wet);
            }
        }
    }
}

/// Makes a flanger.
pub fn make_flanger(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (0.01 * sample_rate) as usize + 4;
    Box::new(Flanger {
        lines: [DelayLine::new(length), DelayLine::new(length)],
        lfo: Lfo::default(),
    })
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
