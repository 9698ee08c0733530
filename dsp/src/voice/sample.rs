//! One playing sample with SuperDirt's per-event controls: rate (speed, note, midinote,
//! octave, `unit "c"`), accelerate, begin and end, length (sustain, legato), attack and
//! release, coarse, crush, shape, vowel, low-, high- and band-pass, SuperDirt's later effect
//! modules (`extras`), the level law and the pan law, and its send to its orbit's reverb (the
//! orbit's delay takes the whole orbit). Nothing is allocated once made.

use super::extras::Extras;
use super::memory::Shelf;
use crate::blocks::envelope::{Adsr, EnvelopeStage, Stage as EnvelopeStep};
use crate::blocks::laws::{event_level, pan_gains, DECLICK_SECONDS};
use crate::blocks::pool::Voice;
use crate::filters::resonant::{Kind, Resonant};
use crate::samples::bank::Sample;
use crate::Context;
use pattern::{Control, Controls};
use std::ops::Range;
use std::sync::Arc;

/// The vowels a, e, i, o, u as SuperDirt sings them (the Vowel quark's counter-tenor): five
/// formants each, their frequencies (Hz), levels (dB) and bandwidths (Hz).
const VOWELS: [[(f32, f32, f32); 5]; 5] = [
    [
        (660.0, 0.0, 80.0),
        (1120.0, -6.0, 90.0),
        (2750.0, -23.0, 120.0),
        (3000.0, -24.0, 130.0),
        (3350.0, -38.0, 140.0),
    ],
    [
        (440.0, 0.0, 70.0),
        (1800.0, -14.0, 80.0),
        (2700.0, -18.0, 100.0),
        (3000.0, -20.0, 120.0),
        (3300.0, -20.0, 120.0),
    ],
    [
        (270.0, 0.0, 40.0),
        (1850.0, -24.0, 90.0),
        (2900.0, -24.0, 100.0),
        (3350.0, -36.0, 120.0),
        (3590.0, -36.0, 120.0),
    ],
    [
        (430.0, 0.0, 40.0),
        (820.0, -10.0, 80.0),
        (2700.0, -26.0, 100.0),
        (3000.0, -22.0, 120.0),
        (3300.0, -34.0, 120.0),
    ],
    [
        (370.0, 0.0, 40.0),
        (630.0, -20.0, 60.0),
        (2750.0, -23.0, 100.0),
        (3000.0, -30.0, 120.0),
        (3400.0, -34.0, 120.0),
    ],
];

/// A vowel's formant filters and how its sound crosses with the dry one.
struct Vowel {
    formants: [Filter; 5],
    /// SuperDirt's `XFade2` of the dry and the voweled sound: the gain of each.
    dry: f32,
    wet: f32,
}

/// Tidal's cycles per second when an event does not say.
const DEFAULT_CPS: f64 = 0.5625;

/// A filter and the gain after it.
struct Filter {
    filter: Resonant,
    gain: f32,
}

/// The playback rate `controls` ask for, in sample frames per output frame before the
/// sample's own rate: speed × 2^(semitones / 12), the semitones from `note` (or `midinote`
/// − 60) and `octave` − 5; with `unit "c"`, speed is in cycles of the played part
/// (`part_seconds` long).
pub fn rate_of(controls: &Controls, part_seconds: f64) -> f64 {
    let mut speed = controls.or(Control::Speed, 1.0);
    if controls.get(Control::Unit).is_some_and(|u| u != 0.0) {
        speed *= controls.or(Control::Cps, DEFAULT_CPS) * part_seconds;
    }
    let note = match controls.get(Control::Midinote) {
        Some(m) => m - 60.0,
        None => controls.or(Control::Note, 0.0),
    } + (controls.or(Control::Octave, 5.0) - 5.0) * 12.0;
    speed * (note / 12.0).exp2()
}

/// A sample voice: silent until started.
pub struct SampleVoice {
    sample: Option<Arc<Sample>>,
    /// What it was started with but for its level and place (for [`SampleVoice::is_twin`]).
    recipe: Option<Controls>,
    play: Playback,
    /// SuperDirt's effects after the filters (tremolo, phaser, ring…).
    extras: Extras,
}

/// The state of a sample being played.
#[derive(Default)]
struct Playback {
    position: f64,
    rate: f64,
    /// Added to the rate each frame.
    accelerate: f64,
    /// The part of the sample played, in frames.
    lo: f64,
    hi: f64,
    /// Whether it wraps around that part (`loop`) rather than ending.
    looping: bool,
    /// `timescale`'s overlap-add, and how far into the stretched sound it is, in frames.
    stretch: Option<Stretch>,
    stretched: f64,
    /// Frames it plays, and has played.
    length: u64,
    played: u64,
    /// The frame its release begins at.
    release_at: u64,
    adsr: Option<Adsr>,
    envelope: EnvelopeStage,
    /// SuperDirt's envelope, when the event asks for one.
    linen: Option<Linen>,
    /// Each channel's place (the pan law) times the level (the level law), summed over the
    /// twins the voice plays for.
    gains: [f32; 2],
    /// The place alone, and the level alone: SuperDirt shapes and crushes a sound after
    /// panning it and before its level.
    place: [f32; 2],
    level: f32,
    shape: f32,
    crush: f32,
    coarse: u32,
    held: [f32; 2],
    hold_count: u32,
    filters: [Option<Filter>; 3],
    vowel: Option<Vowel>,
    /// How much goes to the orbit's reverb.
    reverb_send: f32,
}

impl SampleVoice {
    /// A silent voice with room for every effect at `sample_rate`. Allocates.
    pub fn new(sample_rate: f32) -> SampleVoice {
        SampleVoice {
            sample: None,
            recipe: None,
            play: Playback::default(),
            extras: Extras::new(sample_rate),
        }
    }

    /// Borrows from `shelf` the memory `controls` ask for (the pitch shifter, `squiz`, the band
    /// delay, the spectral effects), and gives back what they do not need. Called before [`SampleVoice::start`].
    pub(crate) fn suit(&mut self, controls: &Controls, shelf: &mut Shelf) {
        self.extras.suit(controls, shelf);
    }

    /// Gives back all it has borrowed: it has fallen silent.
    pub(crate) fn give_back(&mut self, shelf: &mut Shelf) {
        self.extras.give_back(shelf);
    }

    /// Sets the voice up to play `sample` as `controls` ask at `sample_rate`, at `default_amp`
    /// when they set no `amp`. `Delta` (the event's seconds, for `legato`) and `Cps` (for
    /// `unit "c"`) come from the controls. False if there is nothing to play.
    pub fn start(
        &mut self,
        sample: &Arc<Sample>,
        controls: &Controls,
        sample_rate: f32,
        default_amp: f32,
    ) -> bool {
        let c = controls;
        let frames = sample.frames() as f64;
        let sr = f64::from(sample_rate);
        let begin = c.or(Control::Begin, 0.0).clamp(0.0, 1.0);
        let end = c.or(Control::End, 1.0).clamp(0.0, 1.0);
        let (lo, hi) = (begin.min(end) * frames, begin.max(end) * frames);
        let rate = rate_of(c, (hi - lo) / sr);
        if !rate.is_finite() {
            return false;
        }
        // SuperDirt times an accelerating sound by its "average" speed, the start's plus half
        // the end's (`DirtEvent.calcTimeSpan`), and glides the rate from start to end over it.
        let accelerate = c.or(Control::Accelerate, 0.0);
        let speed = if accelerate == 0.0 {
            rate.abs()
        } else {
            rate.abs() + (rate * (1.0 + accelerate)).abs() * 0.5
        };
        let natural = if speed == 0.0 { 0.0 } else { (hi - lo) / speed };
        let asked = match (c.get(Control::Sustain), c.get(Control::Legato)) {
            (Some(s), _) => Some(s * sr),
            (None, Some(l)) => c.get(Control::Delta).map(|d| l * d * sr),
            (None, None) => None,
        };
        // `loop`, when the length is the sample's own: it plays that many times over, as
        // SuperDirt's sample player (a sawtooth through the played part) wraps around.
        let looping = asked.is_none().then(|| c.get(Control::Loop)).flatten();
        let natural = natural * looping.map_or(1.0, f64::abs);
        // `timescale` stretches the sound, and so its length, at its pitch.
        let stretch = c
            .get(Control::Timescale)
            .filter(|t| *t > 0.0 && t.is_finite())
            .map(|t| Stretch::new(t, c.or(Control::Timescalewin, 1.0), sample_rate));
        let scale = stretch.map_or(1.0, |s| s.timescale);
        let natural = natural * scale;
        let length = asked.map_or(natural, |a| (a * scale).min(natural)).max(0.0);
        if length.is_nan() || length < 1.0 {
            return false;
        }
        let linen = Linen::of(c, sample_rate, length);
        // Past the end of its envelope a sound is silent: the voice ends there.
        let heard = linen.map_or(length, |l| length.min(l.total().max(1.0)));
        let (adsr, release_at) = gate(heard, heard + 1.0 < natural, sample_rate);
        let level = event_level(c, default_amp);
        let place = pan_gains(c.or(Control::Pan, 0.5) as f32);
        let gains = place.map(|g| g * level);
        let shape = c.or(Control::Shape, 0.0).clamp(0.0, 0.99) as f32;
        self.sample = Some(sample.clone());
        self.recipe = Some(SampleVoice::recipe(c));
        self.extras.start(c, (length / sr) as f32);
        let mut envelope = EnvelopeStage::default();
        envelope.open();
        envelope.skip_instant(&adsr);
        self.play = Playback {
            position: if rate < 0.0 { hi - 1.0 } else { lo },
            rate,
            accelerate: rate * accelerate / length,
            lo,
            hi,
            looping: looping.is_some(),
            stretch,
            stretched: 0.0,
            length: heard as u64,
            played: 0,
            release_at: release_at as u64,
            adsr: Some(adsr),
            envelope,
            linen,
            gains,
            place,
            level,
            shape: 2.0 * shape / (1.0 - shape),
            crush: c.or(Control::Crush, 0.0).clamp(0.0, 32.0) as f32,
            coarse: c.or(Control::Coarse, 1.0).clamp(1.0, 4096.0) as u32,
            held: [0.0; 2],
            hold_count: 0,
            filters: filters(c, sample_rate),
            vowel: vowel(c, sample_rate),
            reverb_send: super::orbit::reverb_send(c),
        };
        true
    }

    /// What `controls` ask of a sound but for its level (and its place, unless it is shaped or
    /// crushed after panning): two events with the same recipe on the same sample and frame
    /// sound alike up to their gains.
    pub fn recipe(controls: &Controls) -> Controls {
        let mut recipe = *controls;
        recipe.set(Control::Gain, f64::NAN);
        recipe.set(Control::Amp, f64::NAN);
        let nonlinear = [
            Control::Shape,
            Control::Crush,
            Control::Triode,
            Control::Krush,
            Control::Octer,
            Control::Octersub,
            Control::Octersubsub,
        ]
        .iter()
        .any(|&c| controls.get(c).is_some_and(|x| x != 0.0));
        if !nonlinear {
            recipe.set(Control::Pan, f64::NAN);
        }
        recipe
    }

    /// True if this voice plays `sample` with `recipe` (see [`SampleVoice::recipe`]).
    pub fn is_twin(&self, sample: &Arc<Sample>, recipe: &Controls) -> bool {
        match (&self.sample, &self.recipe) {
            (Some(own), Some(mine)) => Arc::ptr_eq(own, sample) && mine == recipe,
            _ => false,
        }
    }

    /// Adds another event's level and place to this voice's (see [`SampleVoice::is_twin`]).
    pub fn add_gains(&mut self, controls: &Controls, default_amp: f32) {
        let level = event_level(controls, default_amp);
        let place = pan_gains(controls.or(Control::Pan, 0.5) as f32);
        for (g, extra) in self.play.gains.iter_mut().zip(place) {
            *g += extra * level;
        }
        // Twins of a shaped or crushed sound share their place (see `recipe`).
        self.play.level += level;
    }

    /// The sample it plays.
    pub fn sample(&self) -> Option<&Arc<Sample>> {
        self.sample.as_ref()
    }

    /// How much of it goes to the orbit's reverb.
    pub fn reverb_send(&self) -> f32 {
        self.play.reverb_send
    }
}

/// A sample voice's gate over `length` frames and the frame its fade begins: open
/// throughout, but a sound `cut_short` fades out over [`DECLICK_SECONDS`] so it never clicks.
fn gate(length: f64, cut_short: bool, sample_rate: f32) -> (Adsr, f64) {
    let fade = if cut_short {
        f64::from(DECLICK_SECONDS) * f64::from(sample_rate)
    } else {
        0.0
    };
    let release_at = (length - fade).max(1.0);
    let adsr = Adsr::new(
        0.0,
        0.0,
        1.0,
        ((length - release_at) / f64::from(sample_rate)) as f32,
        sample_rate,
    );
    (adsr, release_at)
}

/// SuperDirt's envelopes, when an event asks for them. `dirt_envelope`, when it sets `attack`,
/// `hold` or `release`: from the sound's start, up over `attack`, held for `hold`, down over
/// `release` (`Env.linen`; an unset one is 0, as SuperDirt sends it, so `release 0.1` alone
/// fades the sound out over its first tenth of a second). `dirt_grain_envelope`, when it sets
/// `tilt`: over the event's length, `plat` of it held, the rest split `tilt` rising and
/// 1 − `tilt` falling. Both bend by `curve` (straight when unset, as SuperDirt sends it); with
/// both, the sound is their product.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Linen {
    /// Attack, hold and release in frames, of each envelope asked for.
    stages: [Option<[f64; 3]>; 2],
    curve: f32,
}

impl Linen {
    /// The envelopes `c` asks for, in frames, for an event `length` frames long, if any.
    pub(crate) fn of(c: &Controls, sample_rate: f32, length: f64) -> Option<Linen> {
        let asked = [Control::Attack, Control::Hold, Control::Release]
            .iter()
            .any(|&k| c.get(k).is_some());
        let frames = |k: Control| c.or(k, 0.0).max(0.0) * f64::from(sample_rate);
        let envelope = asked.then(|| {
            [
                frames(Control::Attack),
                frames(Control::Hold),
                frames(Control::Release),
            ]
        });
        let grain = c.get(Control::Tilt).map(|tilt| {
            let (tilt, plat) = (
                tilt.clamp(0.0, 1.0),
                c.or(Control::Plat, 0.0).clamp(0.0, 1.0),
            );
            let length = length.max(0.0);
            [
                tilt * (1.0 - plat) * length,
                plat * length,
                (1.0 - tilt) * (1.0 - plat) * length,
            ]
        });
        (envelope.is_some() || grain.is_some()).then(|| Linen {
            stages: [envelope, grain],
            curve: c.or(Control::Curve, 0.0) as f32,
        })
    }

    /// Frames until it reaches 0.
    pub(crate) fn total(&self) -> f64 {
        self.stages
            .iter()
            .flatten()
            .map(|[a, h, r]| a + h + r)
            .fold(f64::INFINITY, f64::min)
    }

    /// Its level `t` frames into the sound.
    pub(crate) fn at(&self, t: f64) -> f32 {
        let curve =
            |a: f32, b: f32, x: f64| crate::instruments::dirt::curve(a, b, x as f32, self.curve);
        self.stages
            .iter()
            .flatten()
            .map(|&[attack, hold, release]| {
                if t < attack {
                    curve(0.0, 1.0, t / attack)
                } else if t < attack + hold {
                    1.0
                } else if t < attack + hold + release {
                    curve(1.0, 0.0, (t - attack - hold) / release)
                } else {
                    0.0
                }
            })
            .product()
    }
}

/// `timescale`: SuperDirt's `dirt_stretchsample`, an overlap-add of two grains under a
/// Gaussian window. Grains start every `step` frames of the stretched sound, each reading the
/// sample at its own speed from `step / timescale` further on than the last, so the sound lasts
/// `timescale` times as long at its own pitch.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Stretch {
    timescale: f64,
    /// The window, in frames: `timescale` (held to 0.1–2) × 50 ms × `timescalewin`.
    window: f64,
    /// Frames of the stretched sound between grains.
    step: f64,
}

impl Stretch {
    fn new(timescale: f64, timescalewin: f64, sample_rate: f32) -> Stretch {
        let window =
            (timescale.clamp(0.1, 2.0) * 0.05 * f64::from(sample_rate) * timescalewin).max(2.0);
        Stretch {
            timescale,
            window,
            step: window / timescale,
        }
    }

    /// The frame `at` frames into the stretched sound, from `channel`'s part `lo..hi`
    /// (backwards when `rate` is negative); a grain past the part's end reads its last frame.
    fn read(&self, channel: &[f32], at: f64, lo: f64, hi: f64, rate: f64) -> f32 {
        let grain = (at / self.step).floor();
        let (mut sum, mut weights) = (0.0f64, 0.0f64);
        for n in [grain - 1.0, grain] {
            let into = at - n * self.step;
            let weight = (-50.0 * (into / self.window - 0.5).powi(2)).exp();
            let offset = into + n * self.step / self.timescale;
            let place = if rate < 0.0 {
                hi - 1.0 - offset
            } else {
                lo + offset
            };
            // Held to the played part, as `BufRd` without looping holds its index.
            let place = place.clamp(lo, (hi - 1.0).max(lo));
            let k = place as usize;
            let frac = place - k as f64;
            let x0 = f64::from(channel.get(k).copied().unwrap_or(0.0));
            let x1 = f64::from(channel.get(k + 1).copied().unwrap_or(x0 as f32));
            let x = x0 + (x1 - x0) * frac;
            sum += weight * x;
            weights += weight;
        }
        if weights > 0.0 {
            (sum / weights) as f32
        } else {
            0.0
        }
    }
}

/// The low-, high- and band-pass filters `c` asks for, as SuperDirt's modules make them:
/// `RLPF` and `RHPF` with rq from 1 (resonance 0) down to 0.001 (resonance 1), `BPF` with rq
/// 1/`bandq` (at least 1) and its level raised by `bandq`.
fn filters(c: &Controls, sample_rate: f32) -> [Option<Filter>; 3] {
    let rq_of = |control: Control| 0.001f32.powf(c.or(control, 0.0).clamp(0.0, 1.0) as f32);
    let filter = |kind, cutoff: f64, rq: f32, gain: f32| Filter {
        filter: Resonant::new(kind, cutoff.abs() as f32, rq, sample_rate),
        gain,
    };
    [
        c.get(Control::Cutoff)
            .map(|f| filter(Kind::LowPass, f, rq_of(Control::Resonance), 1.0)),
        c.get(Control::Hcutoff)
            .map(|f| filter(Kind::HighPass, f, rq_of(Control::Hresonance), 1.0)),
        c.get(Control::Bandf).map(|f| {
            let q = c.or(Control::Bandq, 10.0).max(1.0) as f32;
            filter(Kind::BandPass, f, 1.0 / q, q)
        }),
    ]
}

/// The vowel `c` asks for (1 to 5: a, e, i, o, u), as SuperDirt's `dirt_vowel` makes it: its
/// formants' band-passes, narrower and louder as `resonance` rises (0.5 when unset), all an
/// octave up once `cutoff` reaches 1, crossed with the dry sound at a quarter of the level.
fn vowel(c: &Controls, sample_rate: f32) -> Option<Vowel> {
    let k = c.get(Control::Vowel).filter(|&k| (1.0..6.0).contains(&k))?;
    let resonance = c.or(Control::Resonance, 0.5).clamp(0.0, 1.0) as f32;
    let cutoff = c.or(Control::Cutoff, 0.0).clamp(0.0, 1.0) as f32;
    let shift = cutoff.exp2();
    let level = 50.0 + 150.0 * resonance;
    let narrowing = 0.1 + 0.4 * resonance;
    let formants = VOWELS[k as usize - 1].map(|(freq, db, width)| Filter {
        filter: Resonant::new(
            Kind::BandPass,
            (freq * shift).min(0.5 * sample_rate),
            1.0 / width / narrowing,
            sample_rate,
        ),
        gain: 10f32.powf(db / 20.0) * level,
    });
    let angle = std::f32::consts::FRAC_PI_4 * (0.5 + 1.5 * resonance);
    Some(Vowel {
        formants,
        dry: 0.25 * angle.cos(),
        wet: 0.25 * angle.sin(),
    })
}

impl Voice for SampleVoice {
    fn render(&mut self, ctx: &Context<'_>, out: &mut [&mut [f32]]) -> usize {
        let Some(sample) = self.sample.as_deref() else {
            return 0;
        };
        self.play.render(sample, ctx.frames, out, &mut self.extras)
    }
}

impl Playback {
    fn render(
        &mut self,
        sample: &Sample,
        frames: usize,
        out: &mut [&mut [f32]],
        extras: &mut Extras,
    ) -> usize {
        let (left, right): (&mut [f32], &mut [f32]) = match out {
            [l, r, ..] => (&mut **l, &mut **r),
            [l] => (&mut **l, &mut []),
            [] => return 0,
        };
        let stereo_out = !right.is_empty();
        let frames = frames
            .min(left.len())
            .min((self.length - self.played) as usize);
        // The common case: nothing but a level and a place, the envelope holding: the gains
        // are applied as the sample is read.
        let plain = self.crush == 0.0
            && self.shape == 0.0
            && !extras.any()
            && self.vowel.is_none()
            && self.filters.iter().all(Option::is_none)
            && self.envelope.stage() == EnvelopeStep::Sustain
            && self.linen.is_none()
            && self.played + (frames as u64) < self.release_at;
        // Otherwise, as SuperDirt: the place before the effects (shape and crush are not
        // linear), the envelope and the level after.
        let nonlinear = self.shape > 0.0 || self.crush > 0.0 || extras.any();
        let (before, after) = match (plain, nonlinear) {
            // The steady part is read at its gains; what is read after, with every check, gets
            // them with the envelope.
            (true, _) => (self.gains, self.gains),
            (false, true) => (self.place, [self.level; 2]),
            (false, false) => ([1.0; 2], self.gains),
        };
        let steady = self.read_steady(sample, &mut left[..frames], right, stereo_out, before);
        let from = if plain {
            self.played += steady as u64;
            steady
        } else {
            0
        };
        let read = self.read(sample, steady, frames, left, right, stereo_out);
        let produced = steady + read;
        if !plain {
            if nonlinear {
                scale(steady..produced, left, right, stereo_out, before);
            }
            self.effects(from..produced, left, right, stereo_out);
            if extras.any() {
                let right = if stereo_out {
                    &mut right[..produced]
                } else {
                    &mut []
                };
                extras.process([&mut left[..produced], right], produced, stereo_out);
            }
        }
        self.level(from..produced, left, right, stereo_out, after);
        produced
    }

    /// Reads frames with no per-frame checks while the position stays safely inside the
    /// played part and nothing changes the rate; returns how many.
    fn read_steady(
        &mut self,
        sample: &Sample,
        left: &mut [f32],
        right: &mut [f32],
        stereo_out: bool,
        [gl, gr]: [f32; 2],
    ) -> usize {
        let length = sample.frames() as f64;
        if self.accelerate != 0.0 || self.coarse > 1 || self.rate == 0.0 || self.stretch.is_some() {
            return 0;
        }
        let (lo, hi) = (self.lo.max(0.0), self.hi.min(length - 1.0));
        let p = self.position;
        if p < lo || p >= hi {
            return 0;
        }
        // Frames until the position (and the next frame read for interpolation) would leave.
        let room = if self.rate > 0.0 {
            (hi - p) / self.rate
        } else {
            (p - lo) / -self.rate
        };
        if !room.is_finite() || room < 1.0 {
            return 0;
        }
        let n = (room.floor() as usize).min(left.len());
        let first = &sample.channels[0];
        let mut p = p;
        match (sample.channels.get(1), stereo_out) {
            (Some(second), true) => {
                for j in 0..n {
                    let k = p as usize;
                    let f = (p - k as f64) as f32;
                    left[j] = (first[k] + (first[k + 1] - first[k]) * f) * gl;
                    right[j] = (second[k] + (second[k + 1] - second[k]) * f) * gr;
                    p += self.rate;
                }
            }
            (None, true) => {
                for j in 0..n {
                    let k = p as usize;
                    let f = (p - k as f64) as f32;
                    let x = first[k] + (first[k + 1] - first[k]) * f;
                    left[j] = x * gl;
                    right[j] = x * gr;
                    p += self.rate;
                }
            }
            (_, false) => {
                for y in left[..n].iter_mut() {
                    let k = p as usize;
                    let f = (p - k as f64) as f32;
                    *y = (first[k] + (first[k + 1] - first[k]) * f) * gl;
                    p += self.rate;
                }
            }
        }
        self.position = p;
        n
    }

    /// Reads frames `from..frames` with every check; returns how many it read before the
    /// sample ran out.
    fn read(
        &mut self,
        sample: &Sample,
        from: usize,
        frames: usize,
        left: &mut [f32],
        right: &mut [f32],
        stereo_out: bool,
    ) -> usize {
        let first = &sample.channels[0];
        let second = sample.channels.get(1).unwrap_or(first);
        if let Some(stretch) = self.stretch {
            for i in from..frames {
                let mut frame = [0.0f32; 2];
                for (c, channel) in [first, second].into_iter().enumerate() {
                    frame[c] = stretch.read(channel, self.stretched, self.lo, self.hi, self.rate);
                }
                left[i] = frame[0];
                if stereo_out {
                    right[i] = frame[1];
                }
                self.stretched += self.rate.abs();
                self.rate += self.accelerate;
            }
            return frames - from;
        }
        for i in from..frames {
            let mut p = self.position;
            if !(p >= self.lo && p < self.hi) {
                if !self.looping || self.hi <= self.lo {
                    return i - from;
                }
                p = self.lo + (p - self.lo).rem_euclid(self.hi - self.lo);
                self.position = p;
            }
            // p ≥ lo ≥ 0: truncation is the floor.
            let k = p as usize;
            let frac = (p - k as f64) as f32;
            // The last frame played is `hi - 1`: its right neighbour is itself.
            let next = if ((k + 1) as f64) < self.hi { k + 1 } else { k };
            let read = |channel: &[f32]| {
                let x0 = channel.get(k).copied().unwrap_or(0.0);
                let x1 = channel.get(next).copied().unwrap_or(0.0);
                x0 + (x1 - x0) * frac
            };
            let mut frame = [read(first), read(second)];
            if self.coarse > 1 {
                if self.hold_count == 0 {
                    self.held = frame;
                }
                self.hold_count = (self.hold_count + 1) % self.coarse;
                frame = self.held;
            }
            left[i] = frame[0];
            if stereo_out {
                right[i] = frame[1];
            }
            self.position += self.rate;
            self.rate += self.accelerate;
        }
        frames - from
    }

    /// The effects, in place, in SuperDirt's order: vowel, shape, high-pass, band-pass, crush,
    /// low-pass (coarse is applied as the sample is read).
    fn effects(
        &mut self,
        range: Range<usize>,
        left: &mut [f32],
        right: &mut [f32],
        stereo_out: bool,
    ) {
        let channels = if stereo_out { 2 } else { 1 };
        let step = 0.5f32.powf(self.crush - 1.0);
        let [lpf, hpf, bpf] = &mut self.filters;
        for c in 0..channels {
            let buffer: &mut [f32] = if c == 0 { left } else { right };
            for x in buffer[range.clone()].iter_mut() {
                if let Some(vowel) = self.vowel.as_mut() {
                    let dry = *x;
                    let voweled: f32 = vowel
                        .formants
                        .iter_mut()
                        .map(|f| f.filter.tick(c, dry) * f.gain)
                        .sum();
                    *x = vowel.dry * dry + vowel.wet * voweled;
                }
                if self.shape > 0.0 {
                    *x = *x * (1.0 + self.shape) / (1.0 + self.shape * x.abs());
                }
                for f in [&mut *hpf, &mut *bpf].into_iter().flatten() {
                    *x = f.filter.tick(c, *x) * f.gain;
                }
                if self.crush > 0.0 {
                    *x = (*x / step).round() * step;
                }
                if let Some(f) = lpf.as_mut() {
                    *x = f.filter.tick(c, *x) * f.gain;
                }
            }
        }
    }

    /// The envelope and `gains`, in place. Nothing here feeds back, and the outputs are
    /// guarded, so no frame needs sanitizing.
    fn level(
        &mut self,
        range: Range<usize>,
        left: &mut [f32],
        right: &mut [f32],
        stereo_out: bool,
        [gl, gr]: [f32; 2],
    ) {
        let Some(adsr) = self.adsr else {
            return;
        };
        for i in range {
            let mut env = self.envelope.next(&adsr);
            if let Some(linen) = self.linen {
                env *= linen.at(self.played as f64);
            }
            self.played += 1;
            if self.played == self.release_at {
                self.envelope.close(&adsr);
            }
            left[i] *= env * gl;
            if stereo_out {
                right[i] *= env * gr;
            }
        }
    }
}

/// Multiplies frames `range` of each channel by its gain.
fn scale(
    range: Range<usize>,
    left: &mut [f32],
    right: &mut [f32],
    stereo_out: bool,
    [gl, gr]: [f32; 2],
) {
    left[range.clone()].iter_mut().for_each(|x| *x *= gl);
    if stereo_out {
        right[range].iter_mut().for_each(|x| *x *= gr);
    }
}
