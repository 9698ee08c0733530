//! What a synth voice plays: a band-limited oscillator under an ADSR envelope, or one of the
//! SuperDirt-style instruments (`superkick`, `supersaw`, …) with the original Phonon's
//! parameters and defaults. A voice is rendered a frame at a time from its own state, so any
//! number of them play from a fixed pool without allocating.

pub mod dirt;
pub mod halls;
pub mod membrane;
pub mod synth;
pub mod voice;

use dirt::{DirtParams, DirtSynth};

use crate::oscillators::{poly_blep, Wave};
use std::f64::consts::TAU;

/// A synth voice's sound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Instrument {
    /// An oscillator under an envelope: attack, decay and release in seconds, sustain a level;
    /// the gate is open for the event's length.
    Osc {
        /// The oscillator.
        wave: Wave,
        /// Attack, decay, sustain, release.
        envelope: [f32; 4],
    },
    /// Detuned saws: `detune` 0–1 spreads them over ±10%, `voices` 2–7 of them.
    SuperSaw {
        /// Spread, 0 to 1.
        detune: f32,
        /// Saws per voice.
        voices: u8,
    },
    /// A sine kick: pitch swept down from `1 + 2·pitch_env` times the note over 50 ms, decaying
    /// over `sustain` seconds, with a click of low-passed noise.
    SuperKick {
        /// Depth of the pitch sweep.
        pitch_env: f32,
        /// Seconds the kick lasts.
        sustain: f32,
        /// Level of the noise click.
        noise: f32,
    },
    /// A snare: a pitched body and a noise burst, `snappy` its level, over `sustain` seconds.
    SuperSnare {
        /// Level of the noise.
        snappy: f32,
        /// Seconds the snare lasts.
        sustain: f32,
    },
    /// A hi-hat: high-passed noise, `bright` raising the cutoff, over `sustain` seconds.
    SuperHat {
        /// 0 (4 kHz cutoff) to 1 (12 kHz).
        bright: f32,
        /// Seconds the hat lasts.
        sustain: f32,
    },
    /// Two-operator FM: a sine modulator at `ratio` times the note, `index` radians deep.
    SuperFm {
        /// Modulator frequency over carrier frequency.
        ratio: f32,
        /// Modulation index.
        index: f32,
    },
    /// A chiptune square with vibrato: `rate` Hz, `depth` a fraction of the frequency.
    SuperChip {
        /// Vibrato rate in Hz.
        rate: f32,
        /// Vibrato depth as a fraction of the frequency.
        depth: f32,
    },
    /// A plucked string (Karplus–Strong): a noise burst circulating in a delay line of one
    /// period, averaged each trip; `damping` 0–1 shortens the ring. A `pickup` position
    /// (0–1 along the string) combs the burst, as plucking there would (0: no comb).
    Pluck {
        /// 0 rings longest, 1 dies fastest.
        damping: f32,
        /// Where along the string it is plucked.
        pickup: f32,
    },
    /// One of SuperDirt's library synths, with the parameters its event set.
    Dirt {
        /// Which.
        synth: DirtSynth,
        /// Its parameters (unset ones take the synth's defaults).
        params: DirtParams,
    },
    /// Pulse-width modulation: the width swept by a sine at `rate` Hz, `depth` 0–1.
    SuperPwm {
        /// Sweep rate in Hz.
        rate: f32,
        /// Sweep depth, 0 to 1.
        depth: f32,
    },
}

impl Instrument {
    /// `supersaw` with its defaults.
    pub const SUPERSAW: Instrument = Instrument::SuperSaw {
        detune: 0.3,
        voices: 7,
    };
    /// `superkick` with its defaults.
    pub const SUPERKICK: Instrument = Instrument::SuperKick {
        pitch_env: 0.5,
        sustain: 0.3,
        noise: 0.1,
    };
    /// `supersnare` with its defaults.
    pub const SUPERSNARE: Instrument = Instrument::SuperSnare {
        snappy: 0.8,
        sustain: 0.15,
    };
    /// `superhat` with its defaults.
    pub const SUPERHAT: Instrument = Instrument::SuperHat {
        bright: 0.7,
        sustain: 0.05,
    };
    /// `superfm` with its defaults.
    pub const SUPERFM: Instrument = Instrument::SuperFm {
        ratio: 2.0,
        index: 1.0,
    };
    /// `superchip` with its defaults.
    pub const SUPERCHIP: Instrument = Instrument::SuperChip {
        rate: 5.0,
        depth: 0.05,
    };
    /// `superpwm` with its defaults.
    pub const SUPERPWM: Instrument = Instrument::SuperPwm {
        rate: 0.5,
        depth: 0.8,
    };

    /// The synths Phonon plays as sounds (`s "superkick"`), by their names: SuperDirt's, and
    /// Strudel's plain waveforms (`s "triangle"`).
    pub const SOUNDS: [(&'static str, Instrument); 42] = [
        ("superkick", Instrument::SUPERKICK),
        ("supersnare", Instrument::SUPERSNARE),
        ("superhat", Instrument::SUPERHAT),
        ("supersaw", Instrument::SUPERSAW),
        ("superfm", Instrument::SUPERFM),
        ("superchip", Instrument::SUPERCHIP),
        ("superpwm", Instrument::SUPERPWM),
        ("superpiano", Instrument::library(DirtSynth::Piano)),
        ("supermandolin", Instrument::library(DirtSynth::Mandolin)),
        ("supergong", Instrument::library(DirtSynth::Gong)),
        ("super808", Instrument::library(DirtSynth::Kick808)),
        ("superclap", Instrument::library(DirtSynth::Clap)),
        ("supersiren", Instrument::library(DirtSynth::Siren)),
        ("supersquare", Instrument::library(DirtSynth::Square)),
        ("superfork", Instrument::library(DirtSynth::Fork)),
        ("superhammond", Instrument::library(DirtSynth::Hammond)),
        ("supervibe", Instrument::library(DirtSynth::Vibe)),
        ("superzow", Instrument::library(DirtSynth::Zow)),
        ("superstatic", Instrument::library(DirtSynth::Static)),
        ("superreese", Instrument::library(DirtSynth::Reese)),
        ("supertron", Instrument::library(DirtSynth::Tron)),
        (
            "supercomparator",
            Instrument::library(DirtSynth::Comparator),
        ),
        ("soskick", Instrument::library(DirtSynth::SosKick)),
        ("sostoms", Instrument::library(DirtSynth::SosToms)),
        ("soshats", Instrument::library(DirtSynth::SosHats)),
        ("sossnare", Instrument::library(DirtSynth::SosSnare)),
        ("supernoise", Instrument::library(DirtSynth::Noise)),
        ("superhoover", Instrument::library(DirtSynth::Hoover)),
        ("superhex", Instrument::library(DirtSynth::Hex)),
        ("supergrind", Instrument::library(DirtSynth::Grind)),
        ("superprimes", Instrument::library(DirtSynth::Primes)),
        (
            "superwavemechanics",
            Instrument::library(DirtSynth::WaveMechanics),
        ),
        ("imp", Instrument::library(DirtSynth::Imp)),
        ("psin", Instrument::library(DirtSynth::Psin)),
        ("pmsin", Instrument::library(DirtSynth::Pmsin)),
        ("gabor", Instrument::library(DirtSynth::Gabor)),
        ("dirac", Instrument::library(DirtSynth::Dirac)),
        ("cyclo", Instrument::library(DirtSynth::Cyclo)),
        ("sine", Instrument::waveform(Wave::Sine)),
        ("sawtooth", Instrument::waveform(Wave::Saw)),
        ("square", Instrument::waveform(Wave::Square)),
        ("triangle", Instrument::DEFAULT),
    ];

    /// A SuperDirt library synth with none of its parameters set.
    pub const fn library(synth: DirtSynth) -> Instrument {
        Instrument::Dirt {
            synth,
            params: DirtParams::UNSET,
        }
    }

    /// The instrument as an event of `controls` plays it: a library synth takes its
    /// parameters from them.
    pub fn for_event(self, controls: &pattern::Controls) -> Instrument {
        match self {
            Instrument::Dirt { synth, .. } => Instrument::Dirt {
                synth,
                params: DirtParams::from_controls(controls),
            },
            other => other,
        }
    }

    /// The library synth and its parameters, if it plays through a hall.
    pub fn hall_synth(&self) -> Option<(DirtSynth, DirtParams)> {
        match *self {
            Instrument::Dirt { synth, params } if synth.needs_hall() => Some((synth, params)),
            _ => None,
        }
    }

    /// True if its voices need delay lines (a plucked string, a library synth's combs).
    pub fn needs_lines(&self) -> bool {
        matches!(self, Instrument::Pluck { .. } | Instrument::Dirt { .. })
    }

    /// What notes with no sound play on: a triangle, as in Strudel.
    pub const DEFAULT: Instrument = Instrument::waveform(Wave::Triangle);

    /// A plain oscillator under the short envelope of an oscillator's notes.
    pub const fn waveform(wave: Wave) -> Instrument {
        Instrument::Osc {
            wave,
            envelope: synth::OSC_ENVELOPE,
        }
    }

    /// The synth a sound called `name` plays, with its defaults.
    pub fn by_sound_name(name: &str) -> Option<Instrument> {
        Instrument::SOUNDS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, i)| i)
    }

    /// A small number naming the instrument (and oscillator), for matching nodes across edits.
    pub fn id(&self) -> u8 {
        match self {
            Instrument::Osc { wave, .. } => *wave as u8,
            Instrument::SuperSaw { .. } => 10,
            Instrument::SuperKick { .. } => 11,
            Instrument::SuperSnare { .. } => 12,
            Instrument::SuperHat { .. } => 13,
            Instrument::SuperFm { .. } => 14,
            Instrument::SuperChip { .. } => 15,
            Instrument::SuperPwm { .. } => 16,
            Instrument::Pluck { .. } => 17,
            Instrument::Dirt { synth, .. } => 20 + *synth as u8,
        }
    }

    /// The instrument with its parameter `name` set to `value`; names it does not have are
    /// ignored (the registry only offers the instrument's own).
    pub fn with(self, name: &str, value: f32) -> Instrument {
        let mut i = self;
        match (&mut i, name) {
            (Instrument::Osc { envelope, .. }, "attack") => envelope[0] = value,
            (Instrument::Osc { envelope, .. }, "decay") => envelope[1] = value,
            (Instrument::Osc { envelope, .. }, "sustain") => envelope[2] = value,
            (Instrument::Osc { envelope, .. }, "release") => envelope[3] = value,
            (Instrument::SuperSaw { detune, .. }, "detune") => *detune = value,
            (Instrument::SuperSaw { voices, .. }, "voices") => {
                *voices = value.clamp(2.0, 7.0) as u8
            }
            (Instrument::SuperKick { pitch_env, .. }, "pitch_env") => *pitch_env = value,
            (Instrument::SuperKick { sustain, .. }, "sustain")
            | (Instrument::SuperSnare { sustain, .. }, "sustain")
            | (Instrument::SuperHat { sustain, .. }, "sustain") => *sustain = value,
            (Instrument::SuperKick { noise, .. }, "noise") => *noise = value,
            (Instrument::SuperSnare { snappy, .. }, "snappy") => *snappy = value,
            (Instrument::SuperHat { bright, .. }, "bright") => *bright = value,
            (Instrument::Pluck { damping, .. }, "damping") => *damping = value,
            (Instrument::Pluck { pickup, .. }, "pickup") => *pickup = value,
            (Instrument::SuperFm { ratio, .. }, "mod_ratio") => *ratio = value,
            (Instrument::SuperFm { index, .. }, "mod_index") => *index = value,
            (Instrument::SuperChip { rate, .. }, "vibrato_rate")
            | (Instrument::SuperPwm { rate, .. }, "pwm_rate") => *rate = value,
            (Instrument::SuperChip { depth, .. }, "vibrato_depth")
            | (Instrument::SuperPwm { depth, .. }, "pwm_depth") => *depth = value,
            _ => {}
        }
        i
    }

    /// The parameters a voice takes from its synth's inputs at its onset, in port order.
    pub fn ports(&self) -> &'static [&'static str] {
        match self {
            Instrument::Osc { .. } => &["attack", "decay", "sustain", "release"],
            Instrument::SuperSaw { .. } => &["detune", "voices"],
            Instrument::SuperKick { .. } => &["pitch_env", "sustain", "noise"],
            Instrument::SuperSnare { .. } => &["snappy", "sustain"],
            Instrument::SuperHat { .. } => &["bright", "sustain"],
            Instrument::SuperFm { .. } => &["mod_ratio", "mod_index"],
            Instrument::SuperChip { .. } => &["vibrato_rate", "vibrato_depth"],
            Instrument::SuperPwm { .. } => &["pwm_rate", "pwm_depth"],
            Instrument::Pluck { .. } => &["damping", "pickup"],
            Instrument::Dirt { .. } => &[],
        }
    }

    /// Its name in listings.
    pub fn label(&self) -> &'static str {
        match self {
            Instrument::Osc { wave, .. } => match wave {
                Wave::Sine => "sine voices",
                Wave::Saw => "saw voices",
                Wave::Square => "square voices",
                Wave::Triangle => "tri voices",
            },
            Instrument::SuperSaw { .. } => "supersaw",
            Instrument::SuperKick { .. } => "superkick",
            Instrument::SuperSnare { .. } => "supersnare",
            Instrument::SuperHat { .. } => "superhat",
            Instrument::SuperFm { .. } => "superfm",
            Instrument::SuperChip { .. } => "superchip",
            Instrument::SuperPwm { .. } => "superpwm",
            Instrument::Pluck { .. } => "pluck",
            Instrument::Dirt { synth, .. } => synth.name(),
        }
    }

    /// The oscillator, for the kinds a band-limited [`crate::oscillators::Oscillator`] renders.
    pub fn wave(&self) -> Option<Wave> {
        match self {
            Instrument::Osc { wave, .. } => Some(*wave),
            _ => None,
        }
    }

    /// For percussion, the seconds a voice lasts whatever the event's length.
    pub fn one_shot(&self) -> Option<f32> {
        match *self {
            Instrument::SuperKick { sustain, .. }
            | Instrument::SuperSnare { sustain, .. }
            | Instrument::SuperHat { sustain, .. } => Some(sustain.max(0.001)),
            _ => None,
        }
    }

    /// Attack, decay, sustain and release of a held voice.
    pub fn envelope(&self) -> [f32; 4] {
        match *self {
            Instrument::Osc { envelope, .. } => envelope,
            Instrument::SuperSaw { .. } | Instrument::SuperPwm { .. } => [0.01, 0.0, 1.0, 0.2],
            Instrument::SuperFm { .. } => [0.005, 0.0, 1.0, 0.1],
            Instrument::SuperChip { .. } => [0.002, 0.0, 1.0, 0.05],
            Instrument::Pluck { .. } => [0.0, 0.0, 1.0, 0.3],
            // A library synth shapes itself; the voice only ends it.
            Instrument::Dirt { .. } => [0.0, 0.0, 1.0, 0.0],
            _ => [0.001, 0.0, 1.0, 0.001],
        }
    }
}

/// The delay line a plucked string needs at `sample_rate`: one period of 20 Hz and a little.
pub fn string_length(sample_rate: f32) -> usize {
    (sample_rate / 20.0) as usize + 4
}

/// The state of one voice of an instrument other than a plain oscillator.
#[derive(Clone, Copy, Default)]
pub struct Tone {
    phases: [f64; 8],
    noise: u32,
    /// The low-pass filter's memory, and its coefficient for the cutoff it last had.
    low: f32,
    low_cutoff: f32,
    low_coefficient: f32,
    /// Where a string's delay line is written next.
    write: usize,
    /// Frames since the voice started.
    age: u64,
}

impl Tone {
    /// A fresh voice; `seed` varies its noise and the saws' starting phases.
    pub fn new(seed: u32) -> Tone {
        let mut tone = Tone {
            noise: seed.wrapping_mul(2_654_435_761).max(1),
            ..Tone::default()
        };
        for (k, p) in tone.phases.iter_mut().enumerate() {
            *p = (k as f64 * 0.13) % 1.0;
        }
        tone
    }

    fn white(&mut self) -> f32 {
        crate::xorshift_noise(&mut self.noise)
    }

    /// True once a one-shot instrument has finished.
    pub fn finished(&self, instrument: &Instrument, sample_rate: f32) -> bool {
        instrument
            .one_shot()
            .is_some_and(|s| self.age as f32 >= s * sample_rate)
    }

    /// The next frame of `instrument` at `freq` Hz, before the voice's envelope; `string` is
    /// the voice's delay line (for [`Instrument::Pluck`], at least [`string_length`] long).
    pub fn next(
        &mut self,
        instrument: &Instrument,
        freq: f32,
        sample_rate: f32,
        string: &mut [f32],
    ) -> f32 {
        let sr = f64::from(sample_rate);
        let t = self.age as f32 / sample_rate;
        self.age += 1;
        let freq = if freq.is_finite() { freq.max(0.0) } else { 0.0 };
        match *instrument {
            Instrument::Osc { .. } | Instrument::Dirt { .. } => 0.0,
            Instrument::Pluck { damping, pickup } => {
                self.pluck(damping, pickup, freq, sample_rate, t, string)
            }
            Instrument::SuperSaw { detune, voices } => {
                let n = voices.clamp(2, 7) as usize;
                let mut sum = 0.0;
                for k in 0..n {
                    let offset = (k as f64 / (n - 1) as f64 - 0.5) * 2.0;
                    let f = f64::from(freq) * (1.0 + offset * f64::from(detune) * 0.1);
                    let dt = (f / sr).clamp(0.0, 0.49);
                    let p = self.phases[k];
                    sum += 2.0 * p - 1.0 - poly_blep(p, dt);
                    self.phases[k] = (p + dt).fract();
                }
                (sum * 0.7 / n as f64) as f32
            }
            Instrument::SuperKick {
                pitch_env,
                sustain,
                noise,
            } => {
                let sweep = (1.0 - t / 0.05).max(0.0);
                let f = freq * (1.0 + sweep * 2.0 * pitch_env);
                let body = self.sine(0, f, sr);
                let amp = (1.0 - t / sustain.max(0.001)).max(0.0);
                // The click is over in 10 ms (its filter's tail a little later).
                let click = if t < 0.02 {
                    let burst = self.white() * (1.0 - t / 0.01).max(0.0) * noise;
                    self.lowpass(burst, 800.0, sample_rate)
                } else {
                    0.0
                };
                body * amp * amp + click
            }
            Instrument::SuperSnare { snappy, sustain } => {
                let sustain = sustain.max(0.001);
                let sweep = (1.0 - t / 0.02).max(0.0);
                let body = self.sine(0, freq * (1.0 + 0.5 * sweep), sr)
                    * (1.0 - t / (sustain * 0.3)).max(0.0);
                let n = self.white();
                let n = self.lowpass(n, 3000.0, sample_rate) * (1.0 - t / sustain).max(0.0);
                0.5 * body + snappy * n
            }
            Instrument::SuperHat { bright, sustain } => {
                let cutoff = 4000.0 + 8000.0 * bright.clamp(0.0, 1.0);
                let n = self.white();
                let low = self.lowpass(n, cutoff, sample_rate);
                let amp = (1.0 - t / sustain.max(0.001)).max(0.0);
                (n - low) * amp * amp
            }
            Instrument::SuperFm { ratio, index } => {
                let modulator = self.sine(1, freq * ratio, sr);
                let p = self.phases[0];
                self.phases[0] = (p + f64::from(freq) / sr).fract();
                ((p * TAU) as f32 + index * modulator).sin()
            }
            Instrument::SuperChip { rate, depth } => {
                let vibrato = self.sine(1, rate, sr);
                let f = f64::from(freq * (1.0 + depth * vibrato));
                self.pulse(0, f / sr, 0.5) * 0.5
            }
            Instrument::SuperPwm { rate, depth } => {
                let lfo = self.sine(1, rate, sr);
                let width = 0.5 + 0.45 * depth.clamp(0.0, 1.0) * lfo;
                let dt = f64::from(freq) / sr;
                let a = self.pulse(0, dt, f64::from(width));
                let b = self.pulse(2, dt * 1.005, f64::from(width));
                0.35 * (a + b)
            }
        }
    }

    /// The next frame of a plucked string (Karplus–Strong) `t` seconds in.
    fn pluck(
        &mut self,
        damping: f32,
        pickup: f32,
        freq: f32,
        sample_rate: f32,
        t: f32,
        string: &mut [f32],
    ) -> f32 {
        let len = string.len();
        if len < 4 {
            return 0.0;
        }
        if t == 0.0 {
            // The pluck: the whole line filled with a noise burst.
            for x in string.iter_mut() {
                *x = self.white();
            }
            let comb = (pickup.clamp(0.0, 0.95) * sample_rate / freq.max(20.0)) as usize;
            if comb > 0 {
                for k in (comb..len).rev() {
                    string[k] = 0.5 * (string[k] - string[k - comb]);
                }
            }
            self.write = 0;
        }
        // The two-point average delays half a frame: the line makes up the rest.
        let delay = (sample_rate / freq.max(20.0) - 0.5).clamp(1.0, (len - 2) as f32);
        let read = |d: f32| {
            let whole = d.floor();
            let frac = d - whole;
            let a = (self.write + len - whole as usize) % len;
            let b = (a + len - 1) % len;
            string[a] + (string[b] - string[a]) * frac
        };
        let gain = 1.0 - 0.02 * damping.clamp(0.0, 1.0);
        let y = gain * 0.5 * (read(delay) + read(delay + 1.0));
        string[self.write] = crate::sanitize(y);
        self.write = (self.write + 1) % len;
        y
    }

    fn sine(&mut self, k: usize, freq: f32, sr: f64) -> f32 {
        let p = self.phases[k];
        self.phases[k] = (p + f64::from(freq) / sr).fract();
        (p * TAU).sin() as f32
    }

    /// A band-limited pulse of `width` (0–1) on phase `k`.
    fn pulse(&mut self, k: usize, dt: f64, width: f64) -> f32 {
        let dt = dt.clamp(0.0, 0.49);
        let width = width.clamp(0.05, 0.95);
        let p = self.phases[k];
        self.phases[k] = (p + dt).fract();
        let mut y = if p < width { 1.0 } else { -1.0 };
        y += poly_blep(p, dt);
        y -= poly_blep((p - width + 1.0).fract(), dt);
        y as f32
    }

    /// A one-pole low-pass.
    fn lowpass(&mut self, x: f32, cutoff: f32, sample_rate: f32) -> f32 {
        if cutoff != self.low_cutoff {
            self.low_cutoff = cutoff;
            self.low_coefficient = 1.0 - (-std::f32::consts::TAU * cutoff / sample_rate).exp();
        }
        self.low += self.low_coefficient * (x - self.low);
        self.low
    }
}
