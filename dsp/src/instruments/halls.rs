//! The SuperDirt synths with reverbs inside them, from synthdef.art: `supergrind` (a plucked
//! feedback loop through one `GVerb`), `superprimes` (nine partials struck at prime rates, each
//! through its own `GVerb`) and `superwavemechanics` (eight resonating noises, each through a
//! `GVerb` of up to 99 m). Their rooms need up to 2.6 MB a voice, too much for every voice, so
//! an orbit (or a synth node) keeps [`LENT_HALLS`] [`Hall`]s and lends them to the voices that
//! play these synths. Each is computed as its SynthDef computes it, in stereo, the channels
//! spread as SuperDirt's `DirtPan` spreads them (`Splay`, after `SplayAz` for `superprimes`).

use super::dirt::{linen, DirtParams, DirtSynth};
use super::voice::InstrumentVoice;
use super::Instrument;
use crate::blocks::Biquad;
use crate::dynamics::PeakLimiter;
use crate::reverbs::gverb::{GVerb, GVerbSettings, Ring};
use std::f32::consts::{FRAC_PI_4, PI, TAU};

/// Halls an orbit or a synth node lends at once: a third voice of these synths sounding at the
/// same time in one orbit is silent.
pub const LENT_HALLS: usize = 2;

/// The largest room `superwavemechanics` asks for, in metres.
const LARGEST_ROOM: f32 = 99.0;

/// SuperCollider's control block, over which control-rate signals hold.
const CONTROL_BLOCK: usize = 64;

/// `superprimes`' primes.
const PRIMES: [f32; 9] = [2.0, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0, 19.0, 23.0];

/// `superwavemechanics`' ratios.
const WAVE_RATIOS: [f32; 4] = [3.0 / 8.0, 5.0 / 8.0, 1.0, 9.0 / 8.0];

/// The halls a synth node or a MIDI keyboard lends its voices: [`LENT_HALLS`] when its
/// instrument needs them, none otherwise. (An orbit keeps its own on its shelf.)
#[allow(clippy::vec_box)]
pub struct Halls(Vec<Box<Hall>>);

impl Halls {
    /// Halls for voices of `instrument` at `sample_rate`. Allocates.
    pub fn for_instrument(instrument: &Instrument, sample_rate: f32) -> Halls {
        let count = if instrument.hall_synth().is_some() {
            LENT_HALLS
        } else {
            0
        };
        Halls(
            (0..count)
                .map(|_| Box::new(Hall::new(sample_rate)))
                .collect(),
        )
    }

    /// Lends `voice` a hall if `instrument` needs one (or takes back the one it no longer
    /// needs).
    pub fn lend(&mut self, voice: &mut InstrumentVoice, instrument: &Instrument) {
        voice.suit_hall(instrument, &mut self.0);
    }

    /// Takes back the halls of `silent` voices.
    pub fn take_back<'a>(&mut self, silent: impl Iterator<Item = &'a mut InstrumentVoice>) {
        if self.0.len() < self.0.capacity() {
            for voice in silent {
                voice.give_back_hall(&mut self.0);
            }
        }
    }
}

/// The memory and state of one voice of these synths.
pub struct Hall {
    arena: Box<[f32]>,
    verbs: [GVerb; 9],
    filters: [Biquad; 24],
    limiters: [PeakLimiter; 16],
    /// Per-channel constants fixed at the start (frequencies, decay factors).
    fixed: [f32; 9],
    /// Per-channel running values (phases, decays, impulse phases).
    running: [f32; 27],
    tapes: [Ring; 3],
    /// `supergrind`'s `LeakDC`: its last input and output.
    leak: [f32; 2],
    /// `superprimes`' wandering centre: the random line's from, to and how far along.
    wander: [f32; 3],
    /// The stereo gains of each channel, held over a control block.
    spread: [[f32; 2]; 18],
    noise: u32,
}

impl Hall {
    /// Floats of arena a hall holds at `sample_rate`: eight `GVerb`s of the largest room.
    fn arena_len(sample_rate: f32) -> usize {
        8 * GVerb::arena_len(LARGEST_ROOM, sample_rate)
    }

    /// A hall for voices at `sample_rate`. Allocates, and writes every page of its memory
    /// once, so the audio thread's first use of it takes no page faults.
    pub fn new(sample_rate: f32) -> Hall {
        let mut arena = vec![0.0f32; Hall::arena_len(sample_rate)].into_boxed_slice();
        for page in arena.chunks_mut(1024) {
            page[0] = std::hint::black_box(0.0);
        }
        Hall {
            arena,
            verbs: [GVerb::default(); 9],
            filters: [Biquad::default(); 24],
            limiters: [PeakLimiter::default(); 16],
            fixed: [0.0; 9],
            running: [0.0; 27],
            tapes: [Ring::default(); 3],
            leak: [0.0; 2],
            wander: [0.0; 3],
            spread: [[0.0; 2]; 18],
            noise: 1,
        }
    }

    fn white(&mut self) -> f32 {
        crate::xorshift_noise(&mut self.noise)
    }

    /// Sets the hall up for `synth` at `freq` Hz with `p`; `seed` varies its random draws.
    pub fn begin(&mut self, synth: DirtSynth, p: &DirtParams, freq: f32, sr: f32, seed: u32) {
        self.noise = seed.wrapping_mul(2_246_822_519).max(1);
        self.running = [0.0; 27];
        self.leak = [0.0; 2];
        self.limiters = [PeakLimiter::default(); 16];
        let voice = p.voice.or(0.0);
        let mut next = 0;
        match synth {
            DirtSynth::Grind => {
                next = self.verbs[0].start(GVerbSettings::new(10.0, 3.0), sr, &mut self.arena, 0);
                // The comb pair (up to 0.1 s), the loop's block of delay, the chorus' 0.2 s.
                for (tape, seconds) in self.tapes.iter_mut().zip([0.1, 0.01, 0.2]) {
                    let len = (seconds * sr) as usize + 4;
                    *tape = Ring::new(next, len);
                    self.arena[next..tape.end()].fill(0.0);
                    next = tape.end();
                }
                // Impulse.ar's first frame is an impulse.
                self.running[1] = 1.0;
            }
            DirtSynth::Primes => {
                let room = 10.0 * linexp(voice, 0.0, 5.0, 1.0, 0.01);
                let cutoff = linexp(voice, 0.0, 2.0, 30.0, 18_000.0);
                for k in 0..9 {
                    next = self.verbs[k].start(
                        GVerbSettings::new(room, 10.0),
                        sr,
                        &mut self.arena,
                        next,
                    );
                    self.filters[k] = Biquad::default();
                    self.filters[k].low_pass(cutoff, std::f32::consts::FRAC_1_SQRT_2, sr);
                    // Impulse.ar's phase starts at 1: each strikes at once. SuperCollider's
                    // constructors have run `Decay` on that strike already, so the first
                    // block's strike lands on a decay at 1: twice as loud.
                    self.running[18 + k] = 1.0;
                    self.fixed[k] = 1.0;
                }
                self.wander = [self.white(), self.white(), 0.0];
            }
            DirtSynth::WaveMechanics => {
                let room = linexp(p.resonance.or(0.0), 0.0, 1.0, LARGEST_ROOM, 0.1);
                let bandwidth = 0.01 + linexp(voice, 0.0, 1.0, 1e-3, 1.0);
                let detune = p.detune.or(0.0).min(1.5);
                for k in 0..8 {
                    next = self.verbs[k].start(
                        GVerbSettings::new(room, 10.0),
                        sr,
                        &mut self.arena,
                        next,
                    );
                    let step = ((self.white() + 1.0) * 2.0).floor().clamp(0.0, 3.0);
                    let (lo, hi) = (1.6 * step - detune, 1.7 * step + detune);
                    let d = ((lo + (hi - lo) * (self.white() + 1.0) * 0.5) * 4.0).round() / 4.0;
                    self.fixed[k] = freq * WAVE_RATIOS[k % 4] * d;
                    self.filters[k] = Biquad::default();
                    self.filters[k].band_pass(self.fixed[k].abs().max(1.0), 1.0 / bandwidth, sr);
                }
                for filter in &mut self.filters[8..] {
                    *filter = Biquad::default();
                    filter.high_pass(30.0, std::f32::consts::FRAC_1_SQRT_2, sr);
                }
            }
            _ => {}
        }
        debug_assert!(next <= self.arena.len());
    }

    /// The next stereo frame of `synth`, `t` seconds into an event of `sustain` seconds, its
    /// envelope included; `frame` counts frames from its start.
    #[allow(clippy::too_many_arguments)]
    pub fn next(
        &mut self,
        synth: DirtSynth,
        p: &DirtParams,
        freq: f32,
        t: f32,
        frame: usize,
        sustain: f32,
        sr: f32,
    ) -> [f32; 2] {
        let along = (t / sustain).min(1.0);
        let freq = freq * (1.0 + p.accelerate.or(0.0) * along);
        match synth {
            DirtSynth::Grind => self
                .grind(p, freq, t, frame, sr)
                .map(|x| x * linen(along, 0.1, 0.8, 0.1, 0.0)),
            DirtSynth::Primes => {
                let env = linen(along, 0.1, 0.6, 0.3, 0.0);
                self.primes(p, freq, frame, sustain, sr).map(|x| x * env)
            }
            DirtSynth::WaveMechanics => {
                let env = (PI * along).sin().powi(2);
                self.wave_mechanics(sr).map(|x| x * env)
            }
            _ => [0.0; 2],
        }
    }

    /// `supergrind`: impulses at a wavering rate into a feedback comb tuned to the note, with
    /// a slow chorus, then folded through `sin` and a `GVerb`.
    fn grind(&mut self, p: &DirtParams, freq: f32, t: f32, frame: usize, sr: f32) -> [f32; 2] {
        let f = freq / 2.0;
        let rate = p.rate.or(1.0);
        let detune = p.detune.or(0.0);
        let voice = p.voice.or(0.0);
        // The trigger: `Impulse.kr` at `rate` × 1/4, 1/4, 1/4, 2 Hz in successive seconds, a
        // control block up and one down as an audio-rate sum hears it.
        if frame % CONTROL_BLOCK == 0 {
            let step = [0.25, 0.25, 0.25, 2.0][(t as usize) % 4];
            let phase = self.running[2] + rate * step * CONTROL_BLOCK as f32 / sr;
            let fire = frame == 0 || phase >= 1.0;
            self.running[2] = if frame == 0 { 0.0 } else { phase.fract() };
            self.running[3] = self.running[4];
            self.running[4] = if fire { 1.0 } else { 0.0 };
        }
        let within = (frame % CONTROL_BLOCK) as f32 / CONTROL_BLOCK as f32;
        let trig = self.running[3] + (self.running[4] - self.running[3]) * within;
        // `Impulse.ar(SinOsc.ar(1/4, 0, f/2, (voice + 1) f))`.
        let rate_now = (voice + 1.0) * f + f / 2.0 * (TAU * t / 4.0).sin();
        let impulse = std::mem::replace(&mut self.running[1], 0.0);
        self.running[0] += rate_now / sr;
        if self.running[0] >= 1.0 {
            self.running[0] = self.running[0].fract();
            self.running[1] = 1.0;
        }
        let [mut comb, mut block, mut chorus] = self.tapes;
        let arena = &mut self.arena;
        let fed_back = block.read(arena, CONTROL_BLOCK);
        comb.write(arena, fed_back + impulse + trig);
        let late = |hz: f32| (sr / (2.0 * f + hz).max(1.0) - CONTROL_BLOCK as f32).max(0.0);
        let y = 0.5
            * (comb.read_between(arena, late(detune)) + comb.read_between(arena, late(-detune)));
        let leaked = y - self.leak[0] + 0.995 * self.leak[1];
        self.leak = [y, leaked];
        block.write(arena, leaked.tanh());
        chorus.write(arena, y);
        let y = y + chorus.read_between(arena, (0.1 + 1e-3 * (TAU * t).sin()) * sr);
        self.tapes = [comb, block, chorus];
        let [l, r] = self.verbs[0].next(arena, ((y + 8.0 * trig) * 4.0).sin());
        [0.3 * (l.sin() + y), 0.3 * (r.sin() + y)]
    }

    /// `superprimes`: nine partials, each struck at its prime's rate through a low-passed
    /// decay and its own `GVerb`, spread round nine places that drift, then into stereo.
    fn primes(
        &mut self,
        p: &DirtParams,
        freq: f32,
        frame: usize,
        sustain: f32,
        sr: f32,
    ) -> [f32; 2] {
        let rate = p.rate.or(1.0);
        let detune = p.detune.or(0.0);
        if frame % CONTROL_BLOCK == 0 {
            self.primes_spread(sustain, sr);
        }
        let mut out = [0.0; 2];
        for (k, prime) in PRIMES.iter().enumerate() {
            // The strike: `Impulse.ar(30 / prime / sustain × rate)`.
            let strike_rate = 30.0 / prime / sustain.max(1e-3) * rate;
            let struck = self.running[18 + k] >= 1.0;
            if struck {
                self.running[18 + k] -= 1.0;
                self.running[9 + k] = 0.0;
            }
            self.running[18 + k] += strike_rate / sr;
            // `Decay` of the strike over (prime + 3) × sustain / 10 seconds, low-passed.
            let fall = (0.001f32.ln() / ((prime + 3.0) * sustain / 10.0 * sr).max(1.0)).exp();
            let decayed = if struck { 1.0 } else { 0.0 } + fall * self.fixed[k];
            self.fixed[k] = crate::sanitize(decayed);
            let level = self.filters[k].run(decayed);
            // `Phasor.kr` adds to the sine's phase, reset by each strike.
            self.running[9 + k] += 1.0 / prime / sr;
            let ratio = if k % 2 == 0 {
                1.0 + detune / 12.0
            } else {
                1.0 - detune / 12.0
            };
            let phase = self.running[k];
            self.running[k] = (phase + freq * (k + 1) as f32 * ratio / 2.0 / sr).fract();
            let x = (TAU * phase + self.running[9 + k]).sin() * level;
            let soft = if x.abs() <= 0.5 {
                x
            } else {
                (x.abs() - 0.25) / x
            };
            let [l, r] = self.verbs[k].next(&mut self.arena, soft);
            for (c, y) in [l, r].into_iter().enumerate() {
                let [gl, gr] = self.spread[2 * k + c];
                let y = y.tanh();
                out[0] += gl * y;
                out[1] += gr * y;
            }
        }
        out
    }

    /// `SplayAz` of the 18 channels over nine places round `LFNoise2.kr(sustain)` × 4 + 4,
    /// then `Splay` of the nine into stereo: each channel's two gains, for a control block.
    fn primes_spread(&mut self, sustain: f32, sr: f32) {
        let [from, to, along] = self.wander;
        let x = along.min(1.0);
        let centre = 4.0 + 4.0 * (from + (to - from) * x * x * (3.0 - 2.0 * x));
        let along = along + sustain * CONTROL_BLOCK as f32 / sr;
        self.wander = if along >= 1.0 {
            [to, self.white(), along - 1.0]
        } else {
            [from, to, along]
        };
        let places = 9.0f32;
        let level = 1.0 / 18f32.sqrt() / places.sqrt();
        for (i, gains) in self.spread.iter_mut().enumerate() {
            let pos = centre - 1.0 + 2.0 * i as f32 / 17.0;
            *gains = [0.0; 2];
            // PanAz of width 2, orientation 0.5: the two nearest of nine places.
            let scaled = pos * 0.5 * places + 1.0 + 0.5;
            for place in 0..9 {
                let mut at = (scaled - place as f32) * 0.5;
                at -= 4.5 * (at / 4.5).floor();
                if at <= 1.0 {
                    let amp = (PI * at).sin() * level;
                    // Splay's place for it: -1 (left) to 1 (right).
                    let spot = place as f32 / 4.0 - 1.0;
                    let angle = (spot + 1.0) * FRAC_PI_4;
                    gains[0] += amp * angle.cos();
                    gains[1] += amp * angle.sin();
                }
            }
        }
    }

    /// `superwavemechanics`: white noise through eight resonators, each through its `GVerb`,
    /// 55 times louder into a limiter at 1, high-passed at 30 Hz, spread by `Splay`.
    fn wave_mechanics(&mut self, sr: f32) -> [f32; 2] {
        let fall = (-1.0 / (0.01 * sr)).exp();
        let mut out = [0.0; 2];
        let level = 1.0 / 4.0;
        for k in 0..8 {
            let noise = 0.5 * self.white();
            let rung = self.filters[k].run(noise);
            let [l, r] = self.verbs[k].next(&mut self.arena, rung);
            for (c, y) in [l, r].into_iter().enumerate() {
                let ch = 2 * k + c;
                let y = 55.0 * y;
                let y = y * self.limiters[ch].gain(y.abs(), 1.0, fall);
                let y = crate::sanitize(self.filters[8 + ch].run(y));
                let spot = ch as f32 * 2.0 / 15.0 - 1.0;
                let angle = (spot + 1.0) * FRAC_PI_4;
                out[0] += level * angle.cos() * y;
                out[1] += level * angle.sin() * y;
            }
        }
        out
    }
}

/// `x.linexp(a, b, c, d)`, clipped: `a..b` mapped exponentially onto `c..d`.
fn linexp(x: f32, a: f32, b: f32, c: f32, d: f32) -> f32 {
    let x = ((x - a) / (b - a)).clamp(0.0, 1.0);
    c * (d / c).powf(x)
}
