//! Synthesis beyond the basic waves: two-operator FM, additive harmonics and a wavetable.

use crate::declaration::{Declaration, Port};
use crate::{downcast, Carry, Context, In, Node, Width};
use std::f32::consts::TAU;

crate::ports! {
    /// What the FM pair reads.
    pub struct FmPorts {
        carrier: Port::signal(440.0, "Hz"),
        modulator: Port::signal(220.0, "Hz"),
        index: Port::signal(1.0, ""),
    }
}

/// `fm`.
pub static FM: Declaration = Declaration {
    name: "fm",
    aliases: &[],
    ports: FmPorts::PORTS,
    width: Width::Mono,
    make: make_fm,
    doc: "Two-operator FM: a sine carrier phase-modulated by a sine, index radians deep.",
    example: "out: fm 220 440 (sine 0.25 * 2 + 2) * 0.2",
    control: None,
};

crate::ports! {
    /// What the additive and wavetable oscillators read.
    pub struct PitchPorts {
        freq: Port::signal(440.0, "Hz").within(0.0, f32::INFINITY),
    }
}

/// `wavetable`.
pub static WAVETABLE: Declaration = Declaration {
    name: "wavetable",
    aliases: &[],
    ports: PitchPorts::PORTS,
    width: Width::Mono,
    make: make_wavetable,
    doc: "Wavetable oscillator on a built-in warm table (16 harmonics falling as 1/n²).",
    example: "out: wavetable \"110 165\" * 0.2",
    control: None,
};

/// Two-operator FM: a sine carrier whose phase a sine modulator moves by `index` radians.
/// Inputs: carrier frequency, modulator frequency (Hz), index.
pub struct Fm {
    carrier: f64,
    modulator: f64,
}

impl Node for Fm {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = FmPorts::read(inputs);
        let sr = f64::from(ctx.sample_rate);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let fc = f64::from(p.carrier.at(i));
            let fm = f64::from(p.modulator.at(i));
            let index = f64::from(p.index.at(i));
            let m = (self.modulator * std::f64::consts::TAU).sin();
            *y = (self.carrier * std::f64::consts::TAU + index * m).sin() as f32;
            self.carrier = (self.carrier + fc / sr).rem_euclid(1.0);
            self.modulator = (self.modulator + fm / sr).rem_euclid(1.0);
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes an FM pair.
pub fn make_fm(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Fm {
        carrier: 0.0,
        modulator: 0.0,
    })
}

/// The most partials an additive oscillator sums.
pub const MAX_PARTIALS: usize = 32;

/// Harmonic amplitudes, of a fixed capacity so that a kind can hold them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Harmonics {
    amplitudes: [f32; MAX_PARTIALS],
    len: usize,
}

impl Harmonics {
    /// None yet: the registry's placeholder.
    pub const EMPTY: Harmonics = Harmonics {
        amplitudes: [0.0; MAX_PARTIALS],
        len: 0,
    };

    /// The amplitudes of harmonics 1, 2, … (1 to [`MAX_PARTIALS`]); `None` otherwise.
    pub fn new(amplitudes: &[f32]) -> Option<Harmonics> {
        if amplitudes.is_empty() || amplitudes.len() > MAX_PARTIALS {
            return None;
        }
        let mut h = Harmonics::EMPTY;
        h.amplitudes[..amplitudes.len()].copy_from_slice(amplitudes);
        h.len = amplitudes.len();
        Some(h)
    }
}

/// Additive synthesis: harmonics of a frequency at given amplitudes, scaled so they sum to at
/// most 1; harmonics at or above Nyquist are left out. Input: frequency.
pub struct Additive {
    harmonics: Harmonics,
    phase: f64,
}

impl Node for Additive {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let sr = f64::from(ctx.sample_rate);
        let h = &self.harmonics;
        let total: f32 = h.amplitudes[..h.len].iter().map(|a| a.abs()).sum();
        let scale = if total > 0.0 { 1.0 / total } else { 0.0 };
        let freq = PitchPorts::read(inputs).freq;
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let f = f64::from(freq.at(i));
            let mut sum = 0.0;
            for (k, &a) in h.amplitudes[..h.len].iter().enumerate() {
                let n = (k + 1) as f64;
                if n * f >= 0.5 * sr {
                    break;
                }
                sum += a * ((self.phase * n).fract() * std::f64::consts::TAU).sin() as f32;
            }
            *y = sum * scale;
            self.phase = (self.phase + f / sr).rem_euclid(1.0);
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }

    /// Keeps its own (perhaps edited) harmonics and goes on from the older one's phase.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<Additive>(old) {
            self.phase = old.phase;
        }
        Carry::Taken
    }
}

/// Makes an additive oscillator.
pub fn make_additive(harmonics: Harmonics) -> Box<dyn Node> {
    Box::new(Additive {
        harmonics,
        phase: 0.0,
    })
}

/// Points in the wavetable.
const TABLE: usize = 2048;

/// A wavetable oscillator on a built-in table (sixteen harmonics falling as 1/n², a warm
/// bright tone), read with linear interpolation. Input: frequency.
pub struct Wavetable {
    table: Box<[f32]>,
    phase: f64,
}

impl Node for Wavetable {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let sr = f64::from(ctx.sample_rate);
        let freq = PitchPorts::read(inputs).freq;
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let f = f64::from(freq.at(i));
            let position = self.phase * TABLE as f64;
            let k = position as usize % TABLE;
            let frac = (position - position.floor()) as f32;
            let (a, b) = (self.table[k], self.table[(k + 1) % TABLE]);
            *y = a + (b - a) * frac;
            self.phase = (self.phase + f / sr).rem_euclid(1.0);
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes a wavetable oscillator.
pub fn make_wavetable(_: f32, _: usize) -> Box<dyn Node> {
    let mut table: Vec<f32> = (0..TABLE)
        .map(|k| {
            let t = k as f32 / TABLE as f32;
            (1..=16)
                .map(|n| (TAU * n as f32 * t).sin() / (n * n) as f32)
                .sum()
        })
        .collect();
    let peak = table.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    table.iter_mut().for_each(|x| *x /= peak);
    Box::new(Wavetable {
        table: table.into_boxed_slice(),
        phase: 0.0,
    })
}
