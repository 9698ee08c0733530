//! Modulation effects: choruses, the flanger, the phaser, vibrato and ring modulation; pitch shifting; freezing and
//! granulation.

pub mod granular;
pub mod phaser;
pub mod pitch;
pub mod vibrato;

use crate::blocks::{DelayLine, Lfo};
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};
use std::f32::consts::TAU;

crate::ports! {
    /// What the chorus reads.
    pub struct ChorusPorts {
        input: Port::input(),
        rate: Port::signal(0.8, "Hz").within(0.0, 20.0),
        depth: Port::signal(0.4, "").within(0.0, 1.0),
        mix: Port::mix(0.5),
    }
}

/// `chorus`.
pub static CHORUS: Declaration = Declaration {
    name: "chorus",
    aliases: &[],
    ports: ChorusPorts::PORTS,
    width: Width::Stereo,
    make: make_chorus,
    doc: "Modulated-delay chorus.",
    example: "out: saw 220 # chorus 0.5 0.6 0.5 * 0.2",
    control: None,
};

/// A voice's offset in seconds.
const OFFSET: Port = Port::signal(0.0, "s").within(0.0, 0.05);

crate::ports! {
    /// What the three-voice chorus reads.
    pub struct FchorusPorts {
        input: Port::input(),
        separation: Port { default: 0.015, ..OFFSET },
        variation: Port { default: 0.005, ..OFFSET },
        mod_frequency: Port::signal(0.3, "Hz"),
    }
}

/// `fchorus`.
pub static FCHORUS: Declaration = Declaration {
    name: "fchorus",
    aliases: &[],
    ports: FchorusPorts::PORTS,
    width: Width::AsInput,
    make: make_fchorus,
    doc: "Three-voice chorus: voices separation apart, swung by variation at mod_frequency.",
    example: "out: saw 110 # fchorus * 0.2",
    control: None,
};

crate::ports! {
    /// What the flanger reads.
    pub struct FlangerPorts {
        input: Port::input(),
        depth: Port::signal(0.5, "").within(0.0, 1.0),
        rate: Port::signal(0.5, "Hz"),
        feedback: Port::signal(0.5, "").within(-0.95, 0.95),
    }
}

/// `flanger`.
pub static FLANGER: Declaration = Declaration {
    name: "flanger",
    aliases: &[],
    ports: FlangerPorts::PORTS,
    width: Width::AsInput,
    make: make_flanger,
    doc: "Flanger: a 1-6 ms delay swept by a sine, with feedback, mixed with the input.",
    example: "out: saw 110 # flanger 0.7 0.2 0.6 * 0.2",
    control: None,
};

crate::ports! {
    /// What the ring modulator reads.
    pub struct RingModPorts {
        input: Port::input(),
        freq: Port::signal(100.0, "Hz"),
    }
}

/// `ring_mod`.
pub static RING_MOD: Declaration = Declaration {
    name: "ring_mod",
    aliases: &["ringmod"],
    ports: RingModPorts::PORTS,
    width: Width::AsInput,
    make: make_ring_mod,
    doc: "Ring modulation: the input times a sine, leaving sum and difference frequencies.",
    example: "out: sine 440 # ring_mod 30 * 0.2",
    control: None,
};

/// Chorus: a delay of 5 to 25 ms swept by a sine, a quarter cycle apart between the channels.
/// Inputs are the signal, rate in Hz, depth and mix; the output is stereo.
pub struct Chorus {
    lines: [DelayLine; 2],
    phase: f32,
}

impl Node for Chorus {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = ChorusPorts::read(inputs);
        let signal = p.input;
        for i in 0..ctx.frames {
            let (rate, depth, mix) = (p.rate.at(i), p.depth.at(i), p.mix.at(i));
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
        let p = FchorusPorts::read(inputs);
        let x = p.input;
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let (separation, variation) = (p.separation.at(i), p.variation.at(i));
            let phase = self.lfo.0;
            self.lfo.next(p.mod_frequency.at(i), sr);
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
        let p = FlangerPorts::read(inputs);
        let x = p.input;
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let depth = p.depth.at(i);
            let sweep = self.lfo.next(p.rate.at(i), sr);
            let feedback = p.feedback.at(i);
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
        let p = RingModPorts::read(inputs);
        let signal = p.input;
        for i in 0..ctx.frames {
            let carrier = (self.phase * std::f64::consts::TAU).sin() as f32;
            let step = f64::from(p.freq.at(i)) / f64::from(ctx.sample_rate);
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
