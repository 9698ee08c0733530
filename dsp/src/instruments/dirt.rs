//! SuperDirt's library synths (`superpiano`, `supermandolin`, `supergong`, …), each computed as
//! its SynthDef in SuperDirt's `default-synths-extra.scd` computes it: the same oscillators,
//! envelopes, filters and parameters (`voice`, `decay`, `detune`, `rate`, `pitch1`, `semitone`,
//! `lfo`, `resonance`, `velocity`, `slide`, `modamp`, `modfreq`) with SuperDirt's defaults.
//! `superpiano` is the one that cannot be the same: SuperCollider's `MdaPiano` plays recorded
//! piano waveforms, so here it is an additive piano (stretched partials, a felt hammer, muffle
//! and velocity as SuperDirt passes them).
//!
//! Each synth is a pure function of its voice's state, one frame at a time, and owns no
//! memory but the delay lines its voice holds, so any number play from a fixed pool.

use super::membrane::Membrane;
use crate::blocks::Biquad;
use pattern::{Control, Controls};
use std::f64::consts::TAU;

/// SuperDirt's library synths Phonon plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirtSynth {
    /// `superpiano`: an additive piano.
    Piano,
    /// `supermandolin`: two detuned combs excited by a noise burst.
    Mandolin,
    /// `supergong`: 15 modes of a clamped circular plate.
    Gong,
    /// `super808`: a swept sine with feedback.
    Kick808,
    /// `superclap`: four filtered noise bursts.
    Clap,
    /// `supersiren`: a variable-width saw gliding up and back.
    Siren,
    /// `supersquare`: two pulses through a ladder swept by an LFO.
    Square,
    /// `superfork`: a tuning fork's four modes.
    Fork,
    /// `superhammond`: nine drawbars, key click and vibrato.
    Hammond,
    /// `supervibe`: a vibraphone's modes under a tremolo.
    Vibe,
    /// `superzow`: phased variable-width saws.
    Zow,
    /// `superstatic`: a pulse stepped by random impulses.
    Static,
    /// `superreese`: two detuned thin saws through resonant low-passes and a clip.
    Reese,
    /// `supertron`: two pulses whose width follows their own filtered output.
    Tron,
    /// `supercomparator`: a widening saw compared against sixteen triangles, through a ladder.
    Comparator,
    /// `soskick`: a sine falling an octave in 20 ms, low-passed.
    SosKick,
    /// `sostoms`: phase-modulated sines over crackle.
    SosToms,
    /// `soshats`: four phase-modulated sines, swept band- and high-passes.
    SosHats,
    /// `sossnare`: a phase-modulated saw over notched, held noise.
    SosSnare,
    /// `supernoise`: stepped noise through a resonant low-pass.
    Noise,
    /// `superhoover`: detuned saws gated by pulses, the "hoover" of rave.
    Hoover,
    /// `superhex`: a hexagonal drum skin (a waveguide mesh) struck once.
    Hex,
    /// `supergrind`: a feedback comb plucked by wavering impulses, through a reverb.
    Grind,
    /// `superprimes`: nine partials struck at prime rates, each through a reverb.
    Primes,
    /// `superwavemechanics`: eight resonating noises, each through a large reverb.
    WaveMechanics,
    /// `imp` (SuperDirt's `default-synths.scd`): four band-limited pulse trains whose
    /// harmonics fill in over the sound.
    Imp,
    /// `psin`: five phase-modulated sines, the modulation fading as the sound goes.
    Psin,
    /// `pmsin`: `psin` as SuperDirt plays it with no mouse: 30 Hz up, modulated at 1 Hz.
    Pmsin,
    /// `gabor`: a sine grain under a Gaussian.
    Gabor,
    /// `dirac`: one frame at full level.
    Dirac,
    /// `cyclo`: sixteen sines whose pitches step with the event's cycle.
    Cyclo,
}

impl DirtSynth {
    /// Each synth by its SuperDirt name.
    pub const ALL: [(&'static str, DirtSynth); 31] = [
        ("superpiano", DirtSynth::Piano),
        ("supermandolin", DirtSynth::Mandolin),
        ("supergong", DirtSynth::Gong),
        ("super808", DirtSynth::Kick808),
        ("superclap", DirtSynth::Clap),
        ("supersiren", DirtSynth::Siren),
        ("supersquare", DirtSynth::Square),
        ("superfork", DirtSynth::Fork),
        ("superhammond", DirtSynth::Hammond),
        ("supervibe", DirtSynth::Vibe),
        ("superzow", DirtSynth::Zow),
        ("superstatic", DirtSynth::Static),
        ("superreese", DirtSynth::Reese),
        ("supertron", DirtSynth::Tron),
        ("supercomparator", DirtSynth::Comparator),
        ("soskick", DirtSynth::SosKick),
        ("sostoms", DirtSynth::SosToms),
        ("soshats", DirtSynth::SosHats),
        ("sossnare", DirtSynth::SosSnare),
        ("supernoise", DirtSynth::Noise),
        ("superhoover", DirtSynth::Hoover),
        ("superhex", DirtSynth::Hex),
        ("supergrind", DirtSynth::Grind),
        ("superprimes", DirtSynth::Primes),
        ("superwavemechanics", DirtSynth::WaveMechanics),
        ("imp", DirtSynth::Imp),
        ("psin", DirtSynth::Psin),
        ("pmsin", DirtSynth::Pmsin),
        ("gabor", DirtSynth::Gabor),
        ("dirac", DirtSynth::Dirac),
        ("cyclo", DirtSynth::Cyclo),
    ];

    /// True for the synths that play in stereo through reverbs of their own, with memory a
    /// voice borrows (a [`super::halls::Hall`]).
    pub fn needs_hall(self) -> bool {
        matches!(
            self,
            DirtSynth::Grind | DirtSynth::Primes | DirtSynth::WaveMechanics
        )
    }

    /// Its SuperDirt name.
    pub fn name(self) -> &'static str {
        DirtSynth::ALL
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("", |(n, _)| n)
    }

    /// How long a voice sounds, in seconds, for an event of `sustain` seconds: where its
    /// SynthDef's envelope frees it.
    pub fn length(self, sustain: f32, freq: f32) -> f32 {
        match self {
            // The first mode's perc envelope is the longest whatever `decay` is (the others'
            // are shorter by their ratio to it): 0.51 of 100/freq, time-scaled by sustain × 5.
            DirtSynth::Gong => 0.51 * 100.0 / freq.max(1.0) * sustain * 5.0,
            // `Env.perc(0.005, sustain)`.
            DirtSynth::SosKick | DirtSynth::SosToms | DirtSynth::SosHats | DirtSynth::SosSnare => {
                0.005 + sustain
            }
            // `Env.perc(0.002, sustain)`, not time-scaled.
            DirtSynth::Psin | DirtSynth::Pmsin => 0.002 + sustain,
            _ => sustain,
        }
    }
}

/// An unset parameter: each synth takes its own default.
const UNSET: f32 = f32::NAN;

/// A parameter as an event gives it, or unset.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param(f32);

impl Param {
    /// Its value, or the synth's `default` when the event left it unset.
    #[inline]
    pub fn or(self, default: f32) -> f32 {
        if self.0.is_nan() {
            default
        } else {
            self.0
        }
    }
}

/// The parameters SuperDirt's library synths read from an event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DirtParams {
    /// `voice`: a tone knob, each synth's own.
    pub voice: Param,
    /// `decay`
    pub decay: Param,
    /// `detune`
    pub detune: Param,
    /// `rate`
    pub rate: Param,
    /// `pitch1`
    pub pitch1: Param,
    /// `semitone`
    pub semitone: Param,
    /// `lfo`
    pub lfo: Param,
    /// `resonance`
    pub resonance: Param,
    /// `velocity`
    pub velocity: Param,
    /// `slide`
    pub slide: Param,
    /// `modamp`
    pub modamp: Param,
    /// `modfreq`
    pub modfreq: Param,
    /// `accelerate`: a glide over the sound to `1 + accelerate` times its pitch.
    pub accelerate: Param,
    /// `n`, which `super808` and `superclap` read as their own.
    pub n: Param,
    /// `delay`, `superclap`'s echo spread.
    pub delay: Param,
    /// `begin` and `end`, which `imp`, `psin` and `cyclo` sweep a phase between.
    pub begin: Param,
    /// See `begin`.
    pub end: Param,
    /// `ratio`, `cyclo`'s spacing of its steps.
    pub ratio: Param,
    /// `cycle`, the event's cycle, which `cyclo` steps with.
    pub cycle: Param,
}

impl DirtParams {
    /// Every parameter unset.
    pub const UNSET: DirtParams = DirtParams {
        voice: Param(UNSET),
        decay: Param(UNSET),
        detune: Param(UNSET),
        rate: Param(UNSET),
        pitch1: Param(UNSET),
        semitone: Param(UNSET),
        lfo: Param(UNSET),
        resonance: Param(UNSET),
        velocity: Param(UNSET),
        slide: Param(UNSET),
        modamp: Param(UNSET),
        modfreq: Param(UNSET),
        accelerate: Param(UNSET),
        n: Param(UNSET),
        delay: Param(UNSET),
        begin: Param(UNSET),
        end: Param(UNSET),
        ratio: Param(UNSET),
        cycle: Param(UNSET),
    };

    /// The parameters `controls` set.
    pub fn from_controls(c: &Controls) -> DirtParams {
        let get = |control| Param(c.get(control).map_or(UNSET, |x| x as f32));
        DirtParams {
            voice: get(Control::Voice),
            decay: get(Control::Decay),
            detune: get(Control::Detune),
            rate: get(Control::Rate),
            pitch1: get(Control::Pitch1),
            semitone: get(Control::Semitone),
            lfo: get(Control::Lfo),
            resonance: get(Control::Resonance),
            velocity: get(Control::Velocity),
            slide: get(Control::Slide),
            modamp: get(Control::Modamp),
            modfreq: get(Control::Modfreq),
            accelerate: get(Control::Accelerate),
            n: get(Control::N),
            delay: get(Control::Delay),
            begin: get(Control::Begin),
            end: get(Control::End),
            ratio: get(Control::Ratio),
            cycle: get(Control::Cycle),
        }
    }
}

/// The lowest modes of a clamped circular plate, over the first (`supergong`).
const GONG_MODES: [f32; 15] = [
    1.000, 2.081, 3.414, 3.893, 4.995, 5.954, 6.819, 8.280, 8.722, 8.882, 10.868, 11.180, 11.754,
    13.710, 13.715,
];

/// The rates of `supercomparator`'s sixteen triangles, before `voice` bends them.
const COMPARATOR_RATIOS: [f32; 16] = [
    1.000, 2.188, 5.091, 8.529, 8.950, 9.305, 13.746, 14.653, 19.462, 22.003, 24.888, 25.991,
    26.085, 30.509, 33.608, 35.081,
];

/// The partials of `superpiano`.
const PIANO_PARTIALS: usize = 9;

/// `superhammond`'s drawbar registrations, selected (and crossfaded) by `voice`.
const DRAWBARS: [[f32; 9]; 10] = [
    [1.0, 4.0, 5.0, 4.0, 3.0, 1.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 8.0, 0.0, 4.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 7.0, 8.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 7.0, 8.0, 8.0, 8.0, 8.0, 7.0, 2.0],
    [4.0, 0.0, 5.0, 5.0, 4.0, 5.0, 3.0, 3.0, 6.0],
    [8.0, 8.0, 5.0, 3.0, 2.0, 4.0, 5.0, 8.0, 8.0],
    [8.0, 8.0, 8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0],
    [8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0],
    [8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8.0, 8.0, 8.0],
    [0.0, 0.0, 8.0, 8.0, 0.0, 0.0, 0.0, 0.0, 0.0],
];

/// The drawbars' pitches over the note's.
const DRAWBAR_RATIOS: [f32; 9] = [0.5, 1.4988, 1.0, 2.0, 2.9976, 4.0, 5.0409, 5.9953, 8.0];

/// One voice's state while it plays a library synth.
#[derive(Clone, Copy, Default)]
pub struct DirtState {
    phases: [f64; 20],
    filters: [Biquad; 6],
    ladder: [f32; 4],
    noise: u32,
    /// A sine-with-feedback's last output; a held noise value.
    held: f32,
    write: usize,
    /// Per-voice constants fixed at the start (drawbar and partial levels, decay rates…).
    fixed: [f32; 32],
}

/// Where a frame of a synth is.
#[derive(Clone, Copy)]
struct Moment {
    /// The frequency now, after `accelerate`'s glide.
    freq: f32,
    /// The note's frequency, before the glide.
    note_freq: f32,
    /// Seconds into the event.
    t: f32,
    /// How far through its sustain, 0 to 1.
    along: f32,
    /// The event's sustain in seconds.
    sustain: f32,
    /// Sample rate.
    sr: f32,
}

impl DirtState {
    /// A fresh voice, its oscillators at phase 0 as SuperCollider's start; `seed` varies its
    /// noise and the phases the SynthDefs draw at random (`rand`, `Rand`).
    pub fn new(seed: u32) -> DirtState {
        DirtState {
            noise: seed.wrapping_mul(2_654_435_761).max(1),
            ..DirtState::default()
        }
    }

    fn white(&mut self) -> f32 {
        crate::xorshift_noise(&mut self.noise)
    }

    fn sine(&mut self, k: usize, freq: f32, sr: f32) -> f32 {
        let p = self.phases[k];
        self.phases[k] = (p + f64::from(freq) / f64::from(sr)).rem_euclid(1.0);
        // The phase is kept in f64 so it does not drift; the sine of it needs only f32.
        (p as f32 * std::f32::consts::TAU).sin()
    }

    /// SuperCollider's `VarSaw`: up over `width` of the cycle, down over the rest.
    fn varsaw(&mut self, k: usize, freq: f32, width: f32, sr: f32) -> f32 {
        let p = self.phases[k] as f32;
        self.phases[k] = (f64::from(p) + f64::from(freq) / f64::from(sr)).rem_euclid(1.0);
        let w = width.clamp(0.001, 0.999);
        if p < w {
            2.0 * p / w - 1.0
        } else {
            1.0 - 2.0 * (p - w) / (1.0 - w)
        }
    }

    /// A pulse of `width`, -1 to 1, with its steps smoothed (PolyBLEP).
    fn pulse(&mut self, k: usize, freq: f32, width: f32, sr: f32) -> f32 {
        let dt = f64::from(freq / sr).clamp(0.0, 0.49);
        let w = f64::from(width.clamp(0.01, 0.99));
        let p = self.phases[k];
        self.phases[k] = (p + dt).fract();
        let mut y = if p < w { 1.0 } else { -1.0 };
        y += crate::oscillators::poly_blep(p, dt);
        y -= crate::oscillators::poly_blep((p - w).rem_euclid(1.0), dt);
        y as f32
    }

    /// The four-pole ladder (`MoogFF`) at `cutoff` Hz with feedback `k` (0–4).
    fn ladder(&mut self, x: f32, cutoff: f32, k: f32, sr: f32) -> f32 {
        let g = 1.0 - (-std::f32::consts::TAU * cutoff.min(0.45 * sr) / sr).exp();
        crate::filters::ladder::step(&mut self.ladder, x, g, k)
    }

    /// `superhammond`'s drawbars: each one's phase, and its level for the `voice` preset.
    fn begin_hammond(&mut self, p: &DirtParams) {
        // `(2pi ! 9).rand`: each drawbar's sine at a phase of its own.
        for k in 0..9 {
            self.phases[k] = f64::from(self.white().abs());
        }
        let voice = p.voice.or(0.0).clamp(0.0, 9.0);
        let (lo, frac) = (voice.floor() as usize, voice.fract());
        let hi = (lo + 1).min(9);
        let mut sum = 0.0;
        for k in 0..9 {
            let bar = DRAWBARS[lo][k] + (DRAWBARS[hi][k] - DRAWBARS[lo][k]) * frac;
            let damped = bar - [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.5][k];
            self.fixed[k] = (damped - 8.0).exp2();
            sum += self.fixed[k];
        }
        for level in &mut self.fixed {
            *level /= sum.max(1e-9);
        }
    }

    /// `superpiano`'s filters, and each partial's level and decay.
    fn begin_piano(&mut self, p: &DirtParams, freq: f32, sr: f32) {
        let velocity = p.velocity.or(1.0).clamp(0.0, 2.0);
        let cutoff = (freq * 12.0 * (0.5 + velocity)).clamp(200.0, 0.45 * sr);
        self.filters[0].low_pass(cutoff, 0.6, sr);
        self.filters[1].band_pass(freq * 7.0, 2.0, sr);
        // Low notes ring longer, as a piano's strings do; each partial's level, its
        // decay per frame, and its level now.
        let ring = (8.0 * (220.0 / freq.max(20.0)).powf(0.6)).clamp(0.5, 20.0);
        for k in 0..PIANO_PARTIALS {
            let n = (k + 1) as f32;
            self.fixed[k] = velocity.powf(0.5 + 0.15 * n) / n;
            self.fixed[PIANO_PARTIALS + k] = (-n.sqrt() / ring / sr).exp();
            self.fixed[2 * PIANO_PARTIALS + k] = 1.0;
        }
    }

    /// Resets what the synth sets once, at its first frame.
    fn begin(&mut self, synth: DirtSynth, p: &DirtParams, freq: f32, sr: f32) {
        match synth {
            DirtSynth::Hammond => self.begin_hammond(p),
            DirtSynth::Clap => {
                let pitch1 = p.pitch1.or(1.0);
                self.filters[0].low_pass(7500.0 * pitch1, std::f32::consts::FRAC_1_SQRT_2, sr);
                self.filters[1].band_pass(1500.0 * pitch1, 1.0, sr);
            }
            DirtSynth::Kick808 => {
                self.filters[0].low_pass(9000.0, std::f32::consts::FRAC_1_SQRT_2, sr);
            }
            DirtSynth::Vibe => {
                // The tremolo's `Rand(0, 2pi)`.
                self.phases[8] = f64::from(self.white().abs());
            }
            DirtSynth::Reese => {
                let voice = p.voice.or(0.0);
                self.phases[0] = 0.7;
                self.phases[1] = 0.5;
                self.filters[0].low_pass(freq * 10.0, 3.0 - 1.25 * voice, sr);
                self.filters[1].low_pass(freq * 20.0, 2.0 + 2.5 * voice, sr);
            }
            DirtSynth::Tron => {
                self.filters[0].low_pass(freq / 6.1, 1.0 / 1.5, sr);
            }
            DirtSynth::SosKick => {
                self.filters[0].low_pass(1000.0, std::f32::consts::FRAC_1_SQRT_2, sr);
            }
            DirtSynth::SosSnare => {
                // Four band-rejects (BRF, rq `resonance`) and the resonator at `pitch1`.
                let pitch1 = p.pitch1.or(2000.0);
                let q = 1.0 / p.resonance.or(0.1).max(0.01);
                for (k, ratio) in [4.0, 2.5, 1.8, 1.0].into_iter().enumerate() {
                    self.filters[k].notch(pitch1 * ratio, q, sr);
                }
                self.filters[4].band_pass(pitch1, 1.0, sr);
            }
            DirtSynth::Noise => {
                self.filters[5].high_pass(20.0, std::f32::consts::FRAC_1_SQRT_2, sr);
            }
            DirtSynth::Hoover => {
                // Its two peaking bells, +3 dB at 6 kHz and +6 dB at 3.5 kHz (BPeakEQ, rq 1).
                self.filters[0].peak(6000.0, 3.0, 1.0, sr);
                self.filters[1].peak(3500.0, 6.0, 1.0, sr);
                // The three detuned copies' slow pitch wobbles start at these phases (radians).
                for (k, phase) in [3.0f64, 5.5, 1.2].into_iter().enumerate() {
                    self.phases[12 + k] = phase / std::f64::consts::TAU;
                }
                // `LFSaw`'s initial phases 1, 1.01 and 1.02 (of 0–2).
                for (k, phase) in [1.0f64, 1.01, 1.02].into_iter().enumerate() {
                    self.phases[k] = phase / 2.0;
                }
            }
            DirtSynth::Imp => {
                // `ExpRand(80, 118)`: how many harmonics it reaches.
                self.fixed[0] = 80.0 * (118.0f32 / 80.0).powf(0.5 + 0.5 * self.white());
            }
            DirtSynth::Comparator => {
                let voice = p.voice.or(0.5);
                for (k, ratio) in COMPARATOR_RATIOS.into_iter().enumerate() {
                    self.fixed[k] = ratio.powf(voice / 5.0);
                }
                // Two slow random walks (`LFNoise2`): their last and next targets.
                self.fixed[16] = self.white();
                self.fixed[17] = self.white();
            }
            DirtSynth::Gong => {
                // Each mode's time scale and level: higher modes die sooner as `decay` falls,
                // and grow louder as `voice` rises.
                let decay = p.decay.or(1.0).clamp(0.0, 2.0);
                let voice = p.voice.or(0.0).clamp(0.0, 4.0);
                for (k, &mode) in GONG_MODES.iter().enumerate() {
                    self.fixed[k] = mode.powf(decay - 2.0);
                    self.fixed[15 + k] = 0.2 * mode.powf(voice);
                }
            }
            DirtSynth::Piano => self.begin_piano(p, freq, sr),
            _ => {}
        }
    }

    /// The next frame of `synth` at `freq` Hz, `t` seconds into an event of `sustain` seconds,
    /// envelope included; `lines` are the voice's two delay lines.
    #[allow(clippy::too_many_arguments)]
    pub fn next(
        &mut self,
        synth: DirtSynth,
        p: &DirtParams,
        freq: f32,
        t: f32,
        sustain: f32,
        sr: f32,
        lines: [&mut [f32]; 2],
    ) -> f32 {
        if t == 0.0 {
            self.begin(synth, p, freq, sr);
        }
        let sustain = sustain.max(1e-3);
        let along = (t / sustain).min(1.0);
        let note_freq = freq;
        // `DirtFreqScale`: the pitch glides to 1 + accelerate times over the sound.
        let freq = freq * (1.0 + p.accelerate.or(0.0) * along);
        let moment = Moment {
            freq,
            note_freq,
            t,
            along,
            sustain,
            sr,
        };
        match synth {
            DirtSynth::Piano => self.piano(p, freq, t, along, sr),
            DirtSynth::Hammond => self.hammond(freq, t, sustain, sr),
            DirtSynth::Comparator => self.comparator(p, freq, t, along, sr),
            DirtSynth::SosHats => self.hats(p, freq, t, sustain, sr),
            DirtSynth::SosSnare => self.snare(p, freq, t, sustain, sr),
            DirtSynth::Noise => self.noise(p, freq, along, sr),
            DirtSynth::Hoover => self.hoover(p, freq, along, sr, lines),
            // They play in stereo from the voice's hall.
            DirtSynth::Grind | DirtSynth::Primes | DirtSynth::WaveMechanics => 0.0,
            DirtSynth::Mandolin | DirtSynth::Gong | DirtSynth::Fork | DirtSynth::Vibe => {
                self.struck(synth, p, &moment, lines)
            }
            DirtSynth::Kick808
            | DirtSynth::Clap
            | DirtSynth::SosKick
            | DirtSynth::SosToms
            | DirtSynth::Hex => self.drum(synth, p, &moment, lines),
            DirtSynth::Imp
            | DirtSynth::Psin
            | DirtSynth::Pmsin
            | DirtSynth::Gabor
            | DirtSynth::Dirac
            | DirtSynth::Cyclo => self.default_synth(synth, p, &moment),
            DirtSynth::Siren
            | DirtSynth::Square
            | DirtSynth::Zow
            | DirtSynth::Static
            | DirtSynth::Reese
            | DirtSynth::Tron => self.oscillating(synth, p, &moment, lines),
        }
    }

    /// Plucked and struck sounds: `supermandolin`, `supergong`, `superfork`, `supervibe`.
    fn struck(
        &mut self,
        synth: DirtSynth,
        p: &DirtParams,
        moment: &Moment,
        lines: [&mut [f32]; 2],
    ) -> f32 {
        let Moment {
            freq,
            t,
            along,
            sustain,
            sr,
            ..
        } = *moment;
        match synth {
            DirtSynth::Mandolin => {
                let env = linen(along, 0.002, 0.996, 0.002, -3.0);
                let midi = 69.0 + 12.0 * (freq.max(1.0) / 440.0).log2();
                let burst = 0.1 * 0.001f32.powf(t / (0.1 * midi / 69.0).max(1e-4)) * self.white();
                let detune = p.detune.or(0.2) / 100.0;
                let period = 1.0 / freq.max(20.0);
                let a = comb(
                    lines[0],
                    self.write,
                    burst,
                    period * (1.0 - detune),
                    sustain,
                    sr,
                );
                let b = comb(
                    lines[1],
                    self.write,
                    burst,
                    period * (1.0 + detune),
                    sustain,
                    sr,
                );
                self.write += 1;
                env * (a + b)
            }
            DirtSynth::Gong => {
                let tscale = 100.0 / freq.max(1.0) * sustain * 5.0;
                let mut sum = 0.0;
                for (k, &mode) in GONG_MODES.iter().enumerate() {
                    let scale = tscale * self.fixed[k];
                    let env = perc(t, 0.01 * scale, 0.5 * scale, -4.0) * self.fixed[15 + k];
                    sum += env * self.sine(k, freq * mode, sr);
                }
                sum
            }
            DirtSynth::Fork => {
                let env = linen(along, 0.001, 0.998, 0.001, 0.0);
                const RATIOS: [f32; 4] = [1.0, 6.1, 16.7, 20.1];
                const STARTS: [f32; 4] = [0.3, 1.0, 1.3, 2.0];
                const ENDS: [f32; 4] = [1e-4, 1e-7, 1e-6, 1e-7];
                const SPANS: [f32; 4] = [4.0, 4.0, 0.5, 0.333];
                let mut sum = 0.0;
                for k in 0..4 {
                    let level = xline(STARTS[k], ENDS[k], sustain * SPANS[k], t);
                    sum += level * self.sine(k, freq * RATIOS[k], sr);
                }
                env * 0.2 * sum
            }
            DirtSynth::Vibe => {
                let env = linen(along, 0.001, 0.998, 0.001, 0.0);
                let velocity = p.velocity.or(1.0);
                let decay = p.decay.or(0.0);
                let modamp = p.modamp.or(1.0);
                let modfreq = p.modfreq.or(7.0);
                let ratios = [1.0, 4.0, 10.0, 13.75 + p.detune.or(0.0)];
                let levels = [
                    1.0,
                    1.1 * velocity,
                    0.6 * velocity * velocity,
                    0.5 * velocity,
                ];
                let fade = (-decay).exp();
                let decays = [1.0, 0.7 * fade, 0.5 * fade, 0.4 * fade];
                let depths = [0.5, 0.3, 0.3, 0.5];
                let tremolo = self.sine(8, modfreq, sr);
                let mut sum = 0.0;
                for k in 0..4 {
                    let f = freq * ratios[k];
                    let onset = xline(1e-6, 1.0, 1.0 / f.max(1.0), t);
                    let ring = xline(1.0, 1e-6, decays[k] * 4.0 * sustain, t);
                    let low = 1.0 - depths[k] * modamp;
                    let tremolo = low + (1.0 - low) * (tremolo + 1.0) * 0.5;
                    sum += 0.3 * levels[k] * self.sine(k, f, sr) * onset * ring * tremolo;
                }
                let strike = xline(0.3 * (velocity + 1e-6), 1e-6, 0.02, t);
                for (k, ratio) in [19.2, 20.0, 21.2].into_iter().enumerate() {
                    sum += strike * self.sine(4 + k, freq * ratio, sr);
                }
                env * sum
            }
            _ => 0.0,
        }
    }

    /// Drums: `super808`, `superclap`, `soskick`, `sostoms`, `superhex`.
    fn drum(
        &mut self,
        synth: DirtSynth,
        p: &DirtParams,
        moment: &Moment,
        lines: [&mut [f32]; 2],
    ) -> f32 {
        let Moment {
            freq,
            note_freq,
            t,
            along,
            sustain,
            sr,
        } = *moment;
        match synth {
            DirtSynth::Kick808 => {
                let n = p.n.or(0.0);
                let n = if n > 0.0 { n } else { 0.0 } + if n < 1.0 { 3.0 } else { 0.0 };
                let f = midicps(n * 10.0) * (1.0 + p.accelerate.or(0.0) * along);
                let start = expexp(f, 10.0, 2000.0, 1000.0, 8000.0);
                let sweep = xline(start, f, 0.025 / p.rate.or(1.0).max(1e-3), t);
                let feedback = p.voice.or(0.0);
                let ph = self.phases[0];
                self.phases[0] = (ph + f64::from(sweep / sr)).rem_euclid(1.0);
                self.held = ((ph * TAU) as f32 + feedback * self.held).sin();
                let env = linen(along, 0.01, 0.0, 1.0, -3.0);
                env * self.filters[0].run(self.held)
            }
            DirtSynth::Clap => {
                let env = linen(along, 0.01, 0.0, 0.6, -3.0);
                let spread = 0.005 * p.delay.or(1.0);
                let power = p.n.or(0.0).clamp(0.0, 5.0) + 1.0;
                let fall = 0.04 / p.rate.or(1.0).max(1e-3);
                let noise = self.white();
                let low = self.filters[0].run(noise);
                let sound = self.filters[1].run(low);
                let mut bursts = 0.0;
                for i in 0..4 {
                    let from = spread * (i as f32).powf(power);
                    if t >= from && t < from + fall {
                        bursts += 1.0 - (t - from) / fall;
                    }
                }
                env * sound * 0.5 * bursts
            }
            DirtSynth::SosKick => {
                let env = perc(t, 0.005, sustain, -4.0);
                let f = freq * (2.0 - (t / 0.02).min(1.0));
                let body = self.sine(0, f, sr);
                env * 1.413 * self.filters[0].run(body)
            }
            DirtSynth::Hex => {
                let [skin, _] = lines;
                let mut skin = Membrane::over(skin);
                let tension = 0.05 * freq / 400.0;
                let loss = 1.0 - 0.01 * p.rate.or(1.0) / note_freq.max(1.0);
                if t == 0.0 {
                    // SuperCollider's constructors run `Decay` and the mesh once on the
                    // impulse before the first block, which then strikes again.
                    skin.next(1.0, tension, loss);
                    self.held = 1.0;
                }
                let fall = (0.001f32.ln() / (0.01 * sr)).exp();
                self.held = crate::sanitize(if t == 0.0 { 1.0 } else { 0.0 } + fall * self.held);
                linen(along, 0.02, 0.96, 0.02, -3.0) * skin.next(self.held, tension, loss)
            }
            DirtSynth::SosToms => {
                let env = 0.631 * perc(t, 0.005, sustain, -6.0);
                let modulator = self.sine(0, freq * 0.85, sr);
                let pm = (p.voice.or(0.5) * modulator).sin() * 1.995;
                let body = pm + self.sine(1, freq, sr) + self.sine(2, freq * 0.8, sr);
                // `Crackle.ar(2)`: |2·y₁ − y₂ − 0.05|.
                let crackle = (2.0 * self.fixed[0] - self.fixed[1] - 0.05).abs();
                self.fixed[1] = self.fixed[0];
                self.fixed[0] = crate::sanitize(crackle);
                let x = body + crackle;
                let y = x - self.fixed[2] + 0.995 * self.fixed[3];
                self.fixed[2] = x;
                self.fixed[3] = crate::sanitize(y);
                env * 0.708 * self.fixed[3]
            }
            _ => 0.0,
        }
    }

    /// The synths of SuperDirt's `default-synths.scd`: `imp`, `psin`, `pmsin`, `gabor`, `dirac`, `cyclo`.
    fn default_synth(&mut self, synth: DirtSynth, p: &DirtParams, moment: &Moment) -> f32 {
        let Moment {
            freq,
            t,
            along,
            sustain,
            sr,
            ..
        } = *moment;
        match synth {
            DirtSynth::Imp => {
                let env = perc(along, 0.01, 0.99, -1.0);
                // `Line.kr(begin, end, sustain)` sets the harmonics, `Blip` truncating them.
                let phase = p.begin.or(0.0) + (p.end.or(1.0) - p.begin.or(0.0)) * along;
                let harmonics = self.fixed[0] * phase;
                let mut sum = 0.0;
                for (k, ratio) in [1.0, 1.25, 1.51, 1.42].into_iter().enumerate() {
                    let f = freq * ratio;
                    let most = (0.5 * sr / f.max(1.0)).floor().max(1.0);
                    let n = harmonics.clamp(1.0, most).floor();
                    let x = std::f32::consts::PI * self.phases[k] as f32;
                    self.phases[k] = (self.phases[k] + f64::from(f / sr)).fract();
                    sum += blip(x, n);
                }
                env * sum
            }
            DirtSynth::Psin | DirtSynth::Pmsin => {
                let env = perc(t, 0.002, sustain, -1.0);
                let (freq, modfreq) = match synth {
                    DirtSynth::Pmsin => (freq + 30.0, 1.0),
                    _ => (freq, p.modfreq.or(40.0)),
                };
                let phase = p.begin.or(0.0) + (p.end.or(1.0) - p.begin.or(0.0)) * along;
                let depth = (1.0 - phase) * 10.0 * env;
                let mut sum = 0.0;
                for k in 0..5 {
                    let m = (k + 1) as f32;
                    let modulator = depth / m
                        * (std::f32::consts::TAU * self.phases[5 + k] as f32
                            + std::f32::consts::FRAC_PI_2)
                            .sin();
                    self.phases[5 + k] = (self.phases[5 + k] + f64::from(modfreq * m / sr)).fract();
                    sum += (std::f32::consts::TAU * self.phases[k] as f32 + modulator).sin();
                    self.phases[k] = (self.phases[k] + f64::from(freq / sr)).fract();
                }
                env * sum
            }
            DirtSynth::Gabor => {
                // `LFGauss.ar(sustain, 0.3).range(0, 1)` over a cosine.
                let width = 0.3f32;
                let x = 2.0 * along - 1.0;
                let floor = (-1.0 / (2.0 * width * width)).exp();
                let gauss = ((-x * x / (2.0 * width * width)).exp() - floor) / (1.0 - floor);
                let y = (std::f32::consts::TAU * self.phases[0] as f32).cos();
                self.phases[0] = (self.phases[0] + f64::from(freq / sr)).fract();
                gauss * y
            }
            // One frame of 1, then silence (below).
            DirtSynth::Dirac if t == 0.0 => 1.0,
            DirtSynth::Cyclo => {
                let env = perc(along, 0.01, 0.99, -1.0);
                let phase = p.begin.or(0.0) + (1.0 - p.end.or(1.0) - p.begin.or(0.0)) * along;
                let (cycle, ratio) = (p.cycle.or(0.0), p.ratio.or(1.0));
                let mut sum = 0.0;
                for k in 0..16 {
                    let step = (cycle.rem_euclid((k + 1) as f32 * ratio + phase)) + 1.0;
                    sum += (std::f32::consts::TAU * self.phases[k] as f32).sin();
                    self.phases[k] = (self.phases[k] + f64::from(step * freq / sr)).fract();
                }
                env * sum / 16.0
            }
            _ => 0.0,
        }
    }

    /// Saws and pulses: `supersiren`, `supersquare`, `superzow`, `superstatic`, `superreese`, `supertron`.
    fn oscillating(
        &mut self,
        synth: DirtSynth,
        p: &DirtParams,
        moment: &Moment,
        lines: [&mut [f32]; 2],
    ) -> f32 {
        let Moment {
            freq,
            t,
            along,
            sustain,
            sr,
            ..
        } = *moment;
        match synth {
            DirtSynth::Siren => {
                let env = linen(along, 0.05, 0.9, 0.05, -2.0);
                let rise = 3.0 * linen(along, 0.25, 0.5, 0.25, 0.0);
                let width = 0.05 + 0.95 * along;
                env * self.varsaw(0, freq * (1.0 + rise), width, sr)
            }
            DirtSynth::Square => {
                let decay = p.decay.or(0.0);
                let env = held(along, 0.05, decay, -3.0);
                let width = p.voice.or(0.5);
                let low = freq / (p.semitone.or(12.0) / 12.0).exp2();
                let from = (freq * 10.0 * p.pitch1.or(1.0)).min(22_000.0);
                let to = (from * (p.lfo.or(1.0) + 1.0)).min(22_000.0);
                let lfo = self.sine(2, freq / 64.0 * p.rate.or(1.0), sr);
                let cutoff = from + (to - from) * (lfo + 1.0) * 0.5;
                let sound =
                    0.7 * self.pulse(0, freq, width, sr) + 0.3 * self.pulse(1, low, width, sr);
                let filtered = self.ladder(sound, cutoff, p.resonance.or(0.2) * 4.0, sr);
                env * filtered.tanh() * 2.0
            }
            DirtSynth::Zow => {
                let decay = p.decay.or(0.0);
                let env = held(along, 0.07, decay, -1.0);
                let slide = p.slide.or(1.0).max(1e-3);
                let detune = p.detune.or(1.0) / 100.0;
                let width = 0.5 * (t / (sustain * 20.0 / slide)).min(1.0);
                let a = self.varsaw(0, freq, width, sr);
                let b = self.varsaw(1, freq * (1.0 + detune), width, sr);
                let c = self.varsaw(2, freq * (1.0 - detune), width, sr);
                let period = sr / freq.max(20.0);
                let near = (t / (5.0 * sustain / slide)).min(1.0) * period;
                let far = (t / (20.0 * sustain / slide)).min(1.0) * period;
                let [first, second] = lines;
                let len = first.len().min(second.len());
                let w = self.write % len;
                first[w] = b;
                second[w] = c;
                self.write += 1;
                let delayed =
                    |line: &[f32], d: f32| line[(w + len - (d as usize).min(len - 1)) % len];
                env * (a - delayed(first, near) + delayed(second, far)) / 2.0
            }
            DirtSynth::Static => {
                let env = (std::f32::consts::PI * along).sin();
                let density = freq * 40.0 / sr;
                let impulse = (self.white() * 0.5 + 0.5) < density;
                let strong = impulse && (self.white() * 0.5 + 0.5) > 0.5;
                let step = if strong { freq * 4.0 } else { 0.0 };
                env * 0.5 * self.pulse(0, step, 0.5, sr)
            }
            DirtSynth::Reese => {
                let env = linen(along, 0.05, 0.8, 0.15, 0.0);
                let detune = p.detune.or(0.0) / 100.0;
                let a = self.varsaw(0, freq * (0.99 - detune), 0.01, sr);
                let b = self.varsaw(1, freq * (1.01 + detune), 0.02, sr);
                let low = self.filters[0].run(a + b);
                let clipped = low.clamp(-0.2, 0.2) * 5.0;
                env * 0.35 * self.filters[1].run(clipped)
            }
            DirtSynth::Tron => {
                let env = linen(along, 0.05, 0.85, 0.1, 0.0);
                let detune = p.detune.or(0.0);
                let top = 1.0 - p.voice.or(0.0) / 1.5;
                // Its own output a frame ago sets the width (SuperCollider's `LocalIn`, a
                // control block ago there).
                let shaped = self.filters[0].run(self.held);
                let width = (shaped.clamp(-1.0, 1.0) + 1.0) * 0.5 * top;
                let sum = self.pulse(0, freq + 1.0 + detune, width, sr)
                    + self.pulse(1, freq - 1.0 - detune, width, sr);
                let out = sum - self.fixed[0] + 0.995 * self.fixed[1];
                self.fixed[0] = sum;
                self.fixed[1] = crate::sanitize(out);
                self.held = self.fixed[1];
                env * self.held
            }
            _ => 0.0,
        }
    }

    /// `soshats`: four sines phase-modulated hard (`PMOsc`, whose carrier's *frequency* is the
    /// SynthDef's `Pulse`, so it barely moves), through a band-pass falling from 15 to 9 kHz
    /// and a high-pass rising from 9 to 12 kHz, each under a percussive envelope, -5 dB.
    fn hats(&mut self, p: &DirtParams, freq: f32, t: f32, sustain: f32, sr: f32) -> f32 {
        let pitch1 = p.pitch1.or(238.5);
        // The sweeps move slowly: the filters are tuned every 32 frames.
        if self.write % 32 == 0 {
            let rq = p.resonance.or(1.0).clamp(0.0, 1.0).max(0.01);
            self.filters[0].band_pass(xline(15_000.0, 9_000.0, sustain, t), 1.0 / rq, sr);
            self.filters[1].high_pass(
                xline(9_000.0, 12_000.0, sustain, t),
                std::f32::consts::FRAC_1_SQRT_2,
                sr,
            );
        }
        self.write += 1;
        let carrier_rate = self.pulse(0, freq, 0.5, sr);
        let mut source = 0.0;
        for (k, (ratio, index)) in [(1.34, 1.0), (2.405, 0.22), (3.09, 0.014), (1.309, 0.0038)]
            .into_iter()
            .enumerate()
        {
            let modulator = self.sine(1 + k, freq * ratio, sr);
            let c = self.phases[5 + k];
            self.phases[5 + k] = (c + f64::from(carrier_rate / sr)).rem_euclid(1.0);
            source += (c as f32 * std::f32::consts::TAU + pitch1 * index * modulator).sin();
        }
        let env = perc(t, 0.005, sustain, -4.0);
        let filtered = env * (self.filters[0].run(source) + self.filters[1].run(source));
        filtered * 0.562 * env
    }

    /// `sossnare`: a saw-driven phase modulation at `semitone` × the pitch, and white noise
    /// held 3,400 times a second through three band-rejects, a fourth under the envelope and a
    /// resonator at `pitch1`, +4 dB under a percussive envelope at half level.
    fn snare(&mut self, p: &DirtParams, freq: f32, t: f32, sustain: f32, sr: f32) -> f32 {
        let voice = p.voice.or(0.385);
        let semitone = p.semitone.or(0.452);
        let saw = self.varsaw(0, freq * 0.85, 0.999, sr);
        let c = self.phases[1];
        self.phases[1] = (c + f64::from(saw / sr)).rem_euclid(1.0);
        let modulator = self.sine(2, freq * semitone, sr);
        let source = (c as f32 * std::f32::consts::TAU + voice * modulator).sin();
        // `Latch.ar(WhiteNoise.ar(0.1), Impulse.ar(3400))`.
        self.fixed[0] += 3400.0 / sr;
        if self.fixed[0] >= 1.0 || t == 0.0 {
            self.fixed[0] = self.fixed[0].fract();
            self.held = 0.1 * self.white();
        }
        let mut noise = self.held;
        for k in 0..3 {
            noise = 0.5 * self.filters[k].run(noise);
        }
        let env = perc(t, 0.005, sustain, -4.0);
        noise = env * self.filters[3].run(noise);
        noise = 40.0 * self.filters[4].run(noise);
        (source + noise) * 1.585 * 0.5 * env
    }

    /// `supernoise`: noise stepped at eight times the pitch (or, with `voice`, crossfaded to
    /// brown and white noise) through a resonant low-pass at five times that (`pitch1` times,
    /// sliding by `slide`), clipped, at 0.3. SuperDirt's `BMoog` is given mode 3, past its
    /// documented three: it is taken as the ladder low-pass.
    fn noise(&mut self, p: &DirtParams, freq: f32, along: f32, sr: f32) -> f32 {
        let env = linen(along, 0.01, 0.98, 0.01, -1.0);
        // Its own glide in place of `DirtFreqScale`: `accelerate` wraps the base pitch.
        let accelerate = p.accelerate.or(0.0);
        let raw = freq / (1.0 + accelerate * along);
        let acc = accelerate * raw * 4.0;
        let swing = acc * (-1.0 + 2.0 * p.rate.or(1.0) * along);
        let wrapped = if acc > 0.0 {
            (swing + acc).rem_euclid(2.0 * acc) - acc
        } else {
            0.0
        };
        let base = raw * 8.0 + wrapped;
        let cutoff =
            (base * 5.0 * p.pitch1.or(1.0) * (1.0 + p.slide.or(0.0) * along)).clamp(60.0, 20_000.0);
        // `LFDNoise0`: a new value `base` times a second.
        self.fixed[0] += base.min(22_000.0) / sr;
        if self.fixed[0] >= 1.0 {
            self.fixed[0] = self.fixed[0].fract();
            self.held = self.white();
        }
        let stepped = 0.5 * self.held;
        let white = self.white();
        self.fixed[1] = (self.fixed[1] + white * 0.125).clamp(-1.0, 1.0);
        let midi = 69.0 + 12.0 * (base.max(1.0) / 440.0).log2();
        let inner = xfade(0.5 * self.fixed[1], 0.5 * white, midi / 127.0);
        let sound = xfade(stepped, inner, 2.0 * p.voice.or(0.0) - 1.0);
        let low = self.ladder(sound, cutoff, 4.0 * p.resonance.or(0.0), sr);
        let high = self.filters[5].run(low);
        env * high.clamp(-1.0, 1.0) * 0.3
    }

    /// `superhoover`: three copies a hair apart in pitch (wobbling at about 3 Hz), each a saw
    /// two octaves, one octave or none below, gated by a pulse whose width an LFO moves, over
    /// a parabolic sine two octaves down, two bells of EQ, and a chorus of the sound delayed by
    /// 3.3–5 ms.
    fn hoover(
        &mut self,
        p: &DirtParams,
        freq: f32,
        along: f32,
        sr: f32,
        lines: [&mut [f32]; 2],
    ) -> f32 {
        let env = held(along, 0.03, p.decay.or(0.0), -1.0);
        // `Env.perc(0.05, 0.3)` time-scaled by the sound's length: a dip by `slide`/4.
        let glide = 1.0 - p.slide.or(0.0) / 4.0 * perc(along, 0.05, 0.3, 0.0);
        let freq = freq * glide;
        let mut mix = 0.0;
        let mut low = 0.0;
        for (k, (wobble, pwm)) in [(2.94, 1.3), (3.0, 2.9), (3.07, 4.4)]
            .into_iter()
            .enumerate()
        {
            // `SinOsc.kr(rate, phase).exprange(0.995, 1.005)`.
            let w = self.sine(12 + k, wobble, sr);
            let f = freq * 0.995 * (1.005f32 / 0.995).powf((w + 1.0) * 0.5);
            let width = 0.125 + 0.75 * (self.sine(15 + k, pwm, sr) + 1.0) * 0.5;
            let saw_rate = f * [0.25, 0.5, 1.0][k];
            let s = self.phases[k];
            self.phases[k] = (s + f64::from(saw_rate / sr)).rem_euclid(1.0);
            let saw = s as f32;
            let pulse_rate = f * [0.5, 1.0, 2.0][k];
            let g = self.phases[3 + k];
            self.phases[3 + k] = (g + f64::from(pulse_rate / sr)).rem_euclid(1.0);
            let gate = if (g as f32) < width { 1.0 } else { 0.0 };
            mix += [1.0, 0.9, 1.1][k] * saw * (1.0 - gate);
            // `LFPar`: a parabola through the cycle, -1 to 1.
            let q = self.phases[6 + k];
            self.phases[6 + k] = (q + f64::from(f * 0.25 / sr)).rem_euclid(1.0);
            let x = (q as f32 * 2.0 + 0.5).rem_euclid(2.0) - 1.0;
            low += 0.1 * (1.0 - 2.0 * x * x).max(-1.0);
        }
        let mut sound = mix * 0.15 + low;
        sound = self.filters[0].run(sound);
        sound = self.filters[1].run(sound);
        // The chorus: a copy `SinOsc.kr(3)` moves between 1/300 and 1/200 s late.
        let [line, _] = lines;
        let len = line.len();
        let w = self.write % len;
        line[w] = sound;
        self.write += 1;
        let lfo = self.sine(18, 3.0, sr);
        let delay = (1.0 / 300.0 + (1.0 / 200.0 - 1.0 / 300.0) * (lfo + 1.0) * 0.5) * sr;
        let d = delay.min((len - 2) as f32);
        let whole = d.floor() as usize;
        let a = line[(w + len - whole) % len];
        let b = line[(w + len - whole - 1) % len];
        let chorus = a + (b - a) * (d - d.floor());
        env * 1.4 * (sound + chorus)
    }

    /// A saw widening over the sound, each of sixteen comparisons against a slow triangle a
    /// square wave, the sum through a ladder whose cutoff an LFO and a random walk move.
    fn comparator(&mut self, p: &DirtParams, freq: f32, t: f32, along: f32, sr: f32) -> f32 {
        let decay = p.decay.or(0.0);
        let env = held(along, 0.05, decay, -3.0);
        let saw = self.varsaw(0, freq, along, sr);
        let mut sum = 0.0;
        for k in 0..16 {
            let p = self.phases[1 + k];
            self.phases[1 + k] = (p + f64::from(self.fixed[k] / sr)).rem_euclid(1.0);
            if saw > triangle(p) {
                sum += 1.0;
            }
        }
        // `Splay` of sixteen, level 1: each at 1/√16 in the mono sum of its two sides.
        let sound = sum / 4.0;
        // `LFNoise2.kr(1)`: a random walk between new targets once a second.
        let second = t.floor();
        if t - second < 1.0 / sr && t > 0.0 {
            self.fixed[16] = self.fixed[17];
            self.fixed[17] = self.white();
        }
        let x = t - second;
        let walk = self.fixed[16] + (self.fixed[17] - self.fixed[16]) * x * x * (3.0 - 2.0 * x);
        let lfo = p.lfo.or(1.0);
        let wobble = self.sine(18, freq / 64.0 * p.rate.or(1.0), sr);
        let cutoff = p.pitch1.or(1.0) * 4.0 * freq + wobble * lfo * freq / 2.0 + walk * lfo * freq;
        let gain = 4.0 * p.resonance.or(0.5);
        env * 0.5 * self.ladder(sound, cutoff.max(20.0), gain, sr)
    }

    /// The additive piano: nine slightly stretched partials, each dying faster the higher it
    /// is, brighter with velocity, over a felt hammer's thump.
    fn piano(&mut self, p: &DirtParams, freq: f32, t: f32, along: f32, sr: f32) -> f32 {
        let env = linen(along, 0.002, 0.996, 0.002, -3.0);
        let stretch = p.detune.or(0.1);
        let mut sum = 0.0;
        for k in 0..PIANO_PARTIALS {
            let n = (k + 1) as f32;
            let f = freq * n * (1.0 + 0.0004 * stretch * n * n);
            if f > 0.45 * sr {
                break;
            }
            let now = 2 * PIANO_PARTIALS + k;
            sum += self.fixed[k] * self.fixed[now] * self.sine(k, f, sr);
            self.fixed[now] *= self.fixed[PIANO_PARTIALS + k];
        }
        let velocity = p.velocity.or(1.0).clamp(0.0, 2.0);
        let hammer = self.white() * (-t / 0.004).exp() * 0.3 * velocity;
        let thump = self.filters[1].run(hammer);
        let body = self.filters[0].run(0.3 * sum + thump);
        env * body
    }

    /// The drawbars, their key click and the vibrato scanner (SuperDirt's percussion is off
    /// by default, as here).
    fn hammond(&mut self, freq: f32, t: f32, sustain: f32, sr: f32) -> f32 {
        let fade = (sustain / 2.0).clamp(0.0, 0.005);
        let env = if t < fade {
            t / fade.max(1e-6)
        } else if t > sustain - fade {
            ((sustain - t) / fade.max(1e-6)).max(0.0)
        } else {
            1.0
        };
        let click = self.white() * xline(1.0, 1e-6, 0.1, t);
        let mut sound = 0.0;
        for (k, ratio) in DRAWBAR_RATIOS.into_iter().enumerate() {
            // The bottom register folded up, high harmonics folded down (twice at most).
            let mut f = ratio * freq;
            if f < 63.0 {
                f *= 2.0;
            }
            for _ in 0..2 {
                if f > 6000.0 {
                    f /= 2.0;
                }
            }
            sound += self.fixed[k] * self.sine(k, f * (2.0 * click + 1.0), sr);
        }
        sound *= 0.5;
        // The scanner at SuperDirt's default `vibrato 0.5`, `vrate 7`.
        let scan = 1000.0 * (1.0 + 0.25 * triangle(self.phases[10]));
        self.phases[10] = (self.phases[10] + 7.0 / f64::from(sr)).fract();
        self.filters[2].all_pass(scan, 1.0, sr);
        env * (sound + self.filters[2].run(sound))
    }
}

/// A comb (`CombL`): `x` into a line that feeds back to ring for `decay` seconds (to −60 dB),
/// `delay` seconds long; `write` counts frames.
fn comb(line: &mut [f32], write: usize, x: f32, delay: f32, decay: f32, sr: f32) -> f32 {
    let len = line.len();
    if len < 4 {
        return 0.0;
    }
    let d = (delay * sr).clamp(1.0, (len - 2) as f32);
    let w = write % len;
    let whole = d.floor();
    let frac = d - whole;
    let a = line[(w + len - whole as usize) % len];
    let b = line[(w + len - whole as usize - 1) % len];
    let out = a + (b - a) * frac;
    let feedback = 0.001f32.powf(delay / decay.max(1e-3));
    line[w] = crate::sanitize(x + feedback * out);
    out
}

/// SuperCollider's envelope curve from `a` to `b` at `x` (0–1) of a segment: linear at 0,
/// slow then fast for positive curves, fast then slow for negative ones.
pub(crate) fn curve(a: f32, b: f32, x: f32, c: f32) -> f32 {
    if c.abs() < 1e-3 {
        a + (b - a) * x
    } else {
        a + (b - a) * (1.0 - (c * x).exp()) / (1.0 - c.exp())
    }
}

/// `Env.linen(attack, sustain, release)` under a time scale of 1, at `t` of it: the times are
/// fractions of the whole.
pub(super) fn linen(t: f32, attack: f32, hold: f32, release: f32, c: f32) -> f32 {
    if t < attack {
        curve(0.0, 1.0, t / attack, c)
    } else if t < attack + hold {
        1.0
    } else if t < attack + hold + release {
        curve(1.0, 0.0, (t - attack - hold) / release.max(1e-6), c)
    } else {
        0.0
    }
}

/// `Env.pairs` at `t`: straight between its (time, level) points, bent by `c`.
fn pairs(t: f32, points: &[(f32, f32)], c: f32) -> f32 {
    for w in points.windows(2) {
        let ((t0, a), (t1, b)) = (w[0], w[1]);
        if t < t1 {
            return curve(a, b, ((t - t0) / (t1 - t0).max(1e-6)).max(0.0), c);
        }
    }
    0.0
}

/// The held envelope of SuperDirt's moog-inspired synths (`supersquare`, `superzow`,
/// `supercomparator`): up over `attack` of the sound, down by `decay` by a fifth of it, held,
/// and out over the last twentieth (`Env.pairs`, bent by `c`).
fn held(along: f32, attack: f32, decay: f32, c: f32) -> f32 {
    let points = [
        (0.0, 0.0),
        (attack, 1.0),
        (0.2, 1.0 - decay),
        (0.95, 1.0 - decay),
        (1.0, 0.0),
    ];
    pairs(along, &points, c)
}

/// `Env.perc(attack, release)` at `t` seconds.
fn perc(t: f32, attack: f32, release: f32, c: f32) -> f32 {
    if t < attack {
        curve(0.0, 1.0, t / attack.max(1e-6), c)
    } else if t < attack + release {
        curve(1.0, 0.0, (t - attack) / release.max(1e-6), c)
    } else {
        0.0
    }
}

/// SuperCollider's `Blip` at half-phase `x` (radians) with `n` harmonics: their cosines'
/// mean, 1 at the pulse.
fn blip(x: f32, n: f32) -> f32 {
    let denominator = x.sin();
    if denominator.abs() < 1e-4 {
        1.0
    } else {
        (((2.0 * n + 1.0) * x).sin() / denominator - 1.0) / (2.0 * n)
    }
}

/// `XLine`: from `a` to `b` exponentially over `span` seconds, then `b`.
fn xline(a: f32, b: f32, span: f32, t: f32) -> f32 {
    a * (b / a).powf((t / span.max(1e-6)).min(1.0))
}

/// A MIDI note's frequency.
fn midicps(note: f32) -> f32 {
    440.0 * ((note - 69.0) / 12.0).exp2()
}

/// `x.expexp(a, b, c, d)`: `a..b` mapped to `c..d`, both exponentially.
fn expexp(x: f32, a: f32, b: f32, c: f32, d: f32) -> f32 {
    let x = x.clamp(a, b);
    c * (d / c).powf((x / a).ln() / (b / a).ln())
}

/// SuperCollider's `XFade2`: `a` at `pan` -1, `b` at 1, equal power between.
fn xfade(a: f32, b: f32, pan: f32) -> f32 {
    let angle = (pan.clamp(-1.0, 1.0) + 1.0) * std::f32::consts::FRAC_PI_4;
    a * angle.cos() + b * angle.sin()
}

/// A triangle wave at phase `p` (cycles), -1 to 1.
fn triangle(p: f64) -> f32 {
    let p = p.rem_euclid(1.0) as f32;
    if p < 0.5 {
        4.0 * p - 1.0
    } else {
        3.0 - 4.0 * p
    }
}
