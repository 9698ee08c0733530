//! The per-event effects SuperDirt's modules add after its filters, each as SuperDirt's own
//! SynthDef computes it, in SuperDirt's order: the pitch shifter (`psrate`), `tremolo`,
//! `phaser`, `waveloss`, `squiz`, `fshift`, `triode`, `krush`, `octer`, `ring`, `distort`, the
//! band delay (`tsdelay`), the spectral effects, then the DJ filter `djf`. A voice holds their
//! state from when it is made, but for the memory of the pitch shifter, `squiz`, the band
//! delay and the spectral effects, which its orbit lends it ([`super::memory`]); starting an
//! event only sets numbers.

use super::band_delay::BandDelaySettings;
use super::grains::ShiftSettings;
use super::memory::{Borrowed, Shelf};
use super::spectral::SpectralSettings;
use crate::blocks::hilbert::FrequencyShifter;
use crate::blocks::{DcBlocker, DelayLine};
use crate::filters::resonant::Ringz;
use crate::filters::{Response, Svf};
use pattern::{Control, Controls};
use std::f32::consts::{FRAC_PI_2, TAU};

/// The longest delay the phaser reads, in seconds (SuperDirt sweeps 8.8 to 10 ms).
const PHASER_SECONDS: f32 = 0.0101;

/// The effects one event asks for, and their state.
pub(crate) struct Extras {
    sample_rate: f32,
    /// Frames since the event started (the modulators' time).
    elapsed: u64,
    tremolo: Option<(f32, f32)>,
    phaser: Option<(f32, f32)>,
    phaser_lines: [DelayLine; 2],
    triode: Option<f32>,
    /// Per channel: the DC blocker after the triode.
    triode_leak: [DcBlocker; 2],
    krush: Option<(f32, Svf)>,
    octer: Option<Octer>,
    ring: Option<(f32, f32, f32)>,
    ring_phase: f32,
    /// `waveloss`: the share of cycles dropped; per channel, whether the cycle sounds, and the
    /// last sample (for rises through zero); the random draws.
    waveloss: Option<f32>,
    wave_on: [(bool, f32); 2],
    noise: u32,
    distort: Option<f32>,
    /// Whether the pitch shifter runs (with the memory borrowed for it).
    shifting: bool,
    /// `squiz`'s pitch ratio (with the memory borrowed for it).
    squiz: Option<f32>,
    /// `fshift`: the shift in hertz and the shifter.
    fshift: Option<(f32, FrequencyShifter)>,
    /// Whether the band delay runs (with the memory borrowed for it).
    band_delay: bool,
    /// Whether the spectral effects run (with the memory borrowed for them).
    spectral: bool,
    borrowed: Borrowed,
    /// `distort`'s resonators (60, 61, 240 Hz and 3 kHz swept ±100 Hz at 62 Hz).
    resonators: [Ringz; 4],
    djf: Option<[Svf; 2]>,
}

/// `distort`'s resonators: frequencies and ring times (the last is swept).
const DISTORT_RINGS: [(f32, f32); 4] = [(60.0, 0.1), (61.0, 0.1), (240.0, 0.05), (3000.0, 0.01)];

/// The octaver's settings and state.
struct Octer {
    amounts: [f32; 3],
    /// A low-pass at 440 Hz: the "sub" the lower octaves follow.
    sub: Svf,
    /// Per channel: the DC blocker of `2|x|`, and the two flip-flops with the sub's last value.
    leak: [DcBlocker; 2],
    flips: [(bool, bool, f32); 2],
}

impl Extras {
    /// Room for every effect at `sample_rate`. Allocates (the phaser's lines).
    pub(crate) fn new(sample_rate: f32) -> Extras {
        let line = || DelayLine::new((PHASER_SECONDS * sample_rate) as usize + 4);
        Extras {
            sample_rate,
            elapsed: 0,
            tremolo: None,
            phaser: None,
            phaser_lines: [line(), line()],
            triode: None,
            triode_leak: [DcBlocker::default(); 2],
            krush: None,
            octer: None,
            ring: None,
            ring_phase: 0.0,
            waveloss: None,
            wave_on: [(true, 0.0); 2],
            noise: 0x9e37_79b9,
            distort: None,
            shifting: false,
            squiz: None,
            fshift: None,
            band_delay: false,
            spectral: false,
            borrowed: Borrowed::default(),
            resonators: [Ringz::default(); 4],
            djf: None,
        }
    }

    /// Borrows from `shelf` the memory the event `c` asks for, and gives back what it does not
    /// need. Called before [`Extras::start`].
    pub(crate) fn suit(&mut self, c: &Controls, shelf: &mut Shelf) {
        self.borrowed.suit(c, shelf);
    }

    /// Gives back all it has borrowed (the voice has fallen silent).
    pub(crate) fn give_back(&mut self, shelf: &mut Shelf) {
        self.borrowed.give_back(shelf);
    }

    /// Sets up the effects `c` asks for an event `seconds` long, clearing what an earlier
    /// event left.
    pub(crate) fn start(&mut self, c: &Controls, seconds: f32) {
        let sr = self.sample_rate;
        let get = |control: Control| c.get(control).map(|v| v as f32);
        self.elapsed = 0;
        self.tremolo = get(Control::Tremolorate)
            .or(get(Control::Tremolodepth).map(|_| 1.0))
            .map(|rate| (rate, get(Control::Tremolodepth).unwrap_or(0.5)));
        self.phaser = get(Control::Phaserrate)
            .or(get(Control::Phaserdepth).map(|_| 1.0))
            .map(|rate| {
                (
                    rate,
                    get(Control::Phaserdepth).unwrap_or(0.5).clamp(0.0, 1.0),
                )
            });
        if self.phaser.is_some() {
            for line in &mut self.phaser_lines {
                line.clear();
            }
        }
        self.triode = get(Control::Triode);
        self.triode_leak = [DcBlocker::default(); 2];
        self.krush = get(Control::Krush).map(|krush| {
            let cutoff = get(Control::Kcutoff).filter(|&f| f > 0.0).unwrap_or(4000.0);
            (
                krush,
                Svf::fixed(Response::LowPass, cutoff.clamp(20.0, 10_000.0), 1.0, sr),
            )
        });
        let octer = [Control::Octer, Control::Octersub, Control::Octersubsub].map(get);
        self.octer = octer.iter().any(Option::is_some).then(|| Octer {
            amounts: octer.map(|a| a.unwrap_or(0.0)),
            sub: Svf::fixed(
                Response::LowPass,
                440.0,
                std::f32::consts::FRAC_1_SQRT_2,
                sr,
            ),
            leak: [DcBlocker::default(); 2],
            flips: [(false, false, 0.0); 2],
        });
        self.ring = get(Control::Ring).map(|ring| {
            let from = get(Control::Ringf).unwrap_or(0.0);
            (ring, from, from + get(Control::Ringdf).unwrap_or(0.0))
        });
        self.ring_phase = 0.0;
        // SuperDirt passes `waveloss` as the whole number of cycles dropped of 100.
        self.waveloss = get(Control::Waveloss).map(|drop| drop.trunc().clamp(0.0, 100.0) / 100.0);
        self.wave_on = [(true, 0.0); 2];
        self.distort = get(Control::Distort);
        if self.distort.is_some() {
            self.resonators = [Ringz::default(); 4];
            for (ringz, (freq, ring)) in self.resonators.iter_mut().zip(DISTORT_RINGS) {
                ringz.tune(freq, ring, sr);
            }
        }
        self.fshift = get(Control::Fshift).map(|hz| {
            // SuperDirt's `freq`: the event's note (middle C unless `note`, `midinote` or
            // `octave` move it).
            let midinote = c
                .get(Control::Midinote)
                .unwrap_or_else(|| c.or(Control::Note, 0.0) + 12.0 * c.or(Control::Octave, 5.0))
                as f32;
            let freq = 440.0 * ((midinote - 69.0) / 12.0).exp2();
            let shift = hz + get(Control::Fshiftnote).unwrap_or(0.0) * freq;
            (
                shift,
                FrequencyShifter::new(get(Control::Fshiftphase).unwrap_or(0.0)),
            )
        });
        self.start_borrowed(c, seconds);
        self.djf = get(Control::Djf).map(|djf| {
            let low = linexp(djf, 0.0, 0.5, 20.0, 10_000.0);
            let high = linexp(djf, 0.5, 1.0, 20.0, 10_000.0);
            [
                Svf::fixed(Response::LowPass, low, 1.0, sr),
                Svf::fixed(Response::HighPass, high, 1.0, sr),
            ]
        });
    }

    /// Sets up the effects that play through borrowed memory: the pitch shifter, `squiz`, the
    /// band delays and the spectral effects.
    fn start_borrowed(&mut self, c: &Controls, seconds: f32) {
        let get = |control: Control| c.get(control).map(|v| v as f32);
        self.shifting = match (get(Control::Psrate), self.borrowed.shifter.as_mut()) {
            (Some(rate), Some(shifter)) => {
                let spread = get(Control::Psdisp).unwrap_or(0.0);
                shifter.start(ShiftSettings::new(rate, seconds, spread));
                true
            }
            _ => false,
        };
        self.squiz = match self.borrowed.squiz.as_mut() {
            Some(memory) => get(Control::Squiz).inspect(|_| memory.clear()),
            None => None,
        };
        let (ts, xs) = (get(Control::Tsdelay), get(Control::Xsdelay));
        self.band_delay = match self.borrowed.band_delay.as_mut() {
            Some(delay) if ts.is_some() || xs.is_some() => {
                delay.start(BandDelaySettings::new(ts, xs));
                true
            }
            _ => false,
        };
        self.spectral = match (SpectralSettings::of(c), self.borrowed.spectral.as_mut()) {
            (Some(settings), Some(memory)) => {
                memory.start(settings);
                true
            }
            _ => false,
        };
    }

    /// True if the event asked for any of them.
    pub(crate) fn any(&self) -> bool {
        self.tremolo.is_some()
            || self.phaser.is_some()
            || self.triode.is_some()
            || self.krush.is_some()
            || self.octer.is_some()
            || self.ring.is_some()
            || self.waveloss.is_some()
            || self.distort.is_some()
            || self.shifting
            || self.squiz.is_some()
            || self.fshift.is_some()
            || self.band_delay
            || self.spectral
            || self.djf.is_some()
    }

    /// Runs them over `frames` frames of `channels` (one or two), in place.
    pub(crate) fn process(&mut self, channels: [&mut [f32]; 2], frames: usize, stereo: bool) {
        let [left, right] = channels;
        for i in 0..frames {
            if let (true, Some(shifter)) = (self.shifting, self.borrowed.shifter.as_mut()) {
                let mut none = 0.0;
                let r = if stereo { &mut right[i] } else { &mut none };
                shifter.tick(&mut left[i], r, stereo);
            }
            let modulation = self.modulation();
            left[i] = self.channel(0, left[i], &modulation);
            if stereo {
                right[i] = self.channel(1, right[i], &modulation);
            }
            if let (true, Some(delay)) = (self.band_delay, self.borrowed.band_delay.as_mut()) {
                delay.advance();
            }
            self.elapsed += 1;
        }
    }

    /// This frame's modulators, shared by both channels; advances them.
    fn modulation(&mut self) -> Modulation {
        let sr = self.sample_rate;
        let t = self.elapsed as f32 / sr;
        let tremolo = self.tremolo.map(|(rate, depth)| {
            let depth = depth.clamp(0.0, 1.0) * 0.5;
            (1.0 - depth) + depth * (TAU * rate * t + FRAC_PI_2).sin()
        });
        // SuperCollider's LFPar, a parabolic sine, swept between 8.8 and 10 ms.
        let phaser_delay = self.phaser.map(|(rate, _)| {
            let lfo = (TAU * rate * t + FRAC_PI_2).sin();
            (0.0094 + 0.0006 * lfo) * sr
        });
        let ring = self.ring.map(|(amount, from, to)| {
            // An exponential glide over one second, as `XLine`, within 20 Hz to 20 kHz.
            let freq = if from > 0.0 && to > 0.0 {
                from * (to / from).powf(t.min(1.0))
            } else {
                to
            };
            let m = amount * (TAU * self.ring_phase).sin();
            self.ring_phase = (self.ring_phase + freq.clamp(20.0, 20_000.0) / sr).rem_euclid(1.0);
            m
        });
        let phasor = self
            .fshift
            .as_mut()
            .map(|(shift, shifter)| shifter.advance(*shift, sr));
        if self.distort.is_some() {
            // `3000 + SinOsc.ar(62, mul: 100)`.
            let swept = 3000.0 + 100.0 * (TAU * 62.0 * t).sin();
            self.resonators[3].tune(swept, DISTORT_RINGS[3].1, sr);
        }
        Modulation {
            tremolo,
            phaser_delay,
            ring,
            phasor,
        }
    }

    /// One frame of channel `c` through every effect the event asked for, in SuperDirt's order.
    fn channel(&mut self, c: usize, x: f32, modulation: &Modulation) -> f32 {
        let mut y = x;
        if let Some(w) = modulation.tremolo {
            y *= w;
        }
        if let (Some(d), Some((_, depth))) = (modulation.phaser_delay, self.phaser) {
            let line = &mut self.phaser_lines[c];
            let delayed = line.read(d);
            line.push(y);
            y += depth * delayed;
        }
        if let Some(drop) = self.waveloss {
            // `WaveLoss` (random mode): at each rise through zero, the coming cycle is kept
            // or, with the chance `drop`, silenced.
            let (on, before) = &mut self.wave_on[c];
            if *before < 0.0 && y >= 0.0 {
                let draw = crate::xorshift_noise(&mut self.noise) * 0.5 + 0.5;
                *on = draw >= drop;
            }
            *before = y;
            if !*on {
                y = 0.0;
            }
        }
        if let (Some(ratio), Some(memory)) = (self.squiz, self.borrowed.squiz.as_mut()) {
            y = memory.tick(c, y, ratio);
        }
        if let (Some(phasor), Some((_, shifter))) = (modulation.phasor, self.fshift.as_mut()) {
            y = shifter.tick(c, y, phasor);
        }
        if let Some(triode) = self.triode {
            let sc = triode * 10.0 + 1e-3;
            let shaped = if y > 0.0 { y } else { (y * sc).tanh() / sc };
            y = self.triode_leak[c].tick(shaped);
        }
        if let Some((krush, filter)) = self.krush.as_mut() {
            let k = *krush;
            let crushed = (y * y + k * y) / (y * y + y.abs() * (k - 1.0) + 1.0);
            let crushed = filter.tick(c, crushed);
            // `SelectX`: an equal-power crossfade from the dry sound.
            let w = (k * 2.0).clamp(0.0, 1.0) * FRAC_PI_2;
            y = y * w.cos() + crushed * w.sin();
        }
        if let Some(octer) = self.octer.as_mut() {
            y = octer.tick(c, y);
        }
        if let Some(m) = modulation.ring {
            y += y * m;
        }
        if let Some(amount) = self.distort {
            y = distorted(y, amount, c, &mut self.resonators);
        }
        if let (true, Some(delay)) = (self.band_delay, self.borrowed.band_delay.as_mut()) {
            y = delay.tick(c, y);
        }
        if let (true, Some(memory)) = (self.spectral, self.borrowed.spectral.as_mut()) {
            y = memory.tick(c, y);
        }
        if let Some([low, high]) = self.djf.as_mut() {
            y = high.tick(c, low.tick(c, y));
        }
        y
    }
}

/// What the effects' modulators give one frame.
struct Modulation {
    /// The tremolo's gain.
    tremolo: Option<f32>,
    /// The phaser's delay, in frames.
    phaser_delay: Option<f32>,
    /// The ring modulator's signal.
    ring: Option<f32>,
    /// The frequency shifter's quadrature phasor.
    phasor: Option<(f32, f32)>,
}

impl Octer {
    /// One frame of channel `c`: SuperDirt's (Sonic Pi's) octaver.
    fn tick(&mut self, c: usize, x: f32) -> f32 {
        let [up, sub, subsub] = self.amounts;
        let octave_up = self.leak[c].tick(2.0 * x.abs());
        let low = self.sub.tick(c, x);
        let (first, second, before) = &mut self.flips[c];
        // `ToggleFF` flips on each rise through zero; the second flips on the first's rises.
        if *before <= 0.0 && low > 0.0 {
            *first = !*first;
            if *first {
                *second = !*second;
            }
        }
        *before = low;
        // `SelectX`: an equal-power crossfade from the dry sound to the octave up.
        let w = up.clamp(0.0, 1.0) * FRAC_PI_2;
        let blended = x * w.cos() + up * octave_up * w.sin();
        blended
            + sub * f32::from(u8::from(*first)) * low
            + subsub * f32::from(u8::from(*second)) * low
    }
}

/// SuperDirt's `dirt_distort` of one frame: crossover distortion (threshold 0.2, smoothing
/// 0.01) plus `0.1 × distort` of the resonators, cubed, times eight, soft-clipped and halved, then
/// crossfaded from the dry sound by `distort`.
fn distorted(x: f32, amount: f32, c: usize, resonators: &mut [Ringz; 4]) -> f32 {
    const THRESHOLD: f32 = 0.2;
    const SMOOTH: f32 = 0.01;
    let mut crossed = x.abs() - THRESHOLD;
    if crossed < 0.0 {
        crossed *= (1.0 + crossed / (THRESHOLD * SMOOTH)) * SMOOTH;
    }
    let crossed = if x < 0.0 { -crossed } else { crossed };
    let rings: f32 = resonators.iter_mut().map(|r| r.tick(c, x)).sum();
    let m = 8.0 * (crossed + 0.1 * amount * rings).powi(3);
    // SuperCollider's `softclip`.
    let clipped = if m.abs() <= 0.5 {
        m
    } else {
        (m.abs() - 0.25) / m
    };
    let w = amount.clamp(0.0, 1.0) * FRAC_PI_2;
    x * w.cos() + 0.5 * clipped * w.sin()
}

/// SuperCollider's `linexp`: `x` from `a..b` to `c..d` exponentially, held at the ends.
fn linexp(x: f32, a: f32, b: f32, c: f32, d: f32) -> f32 {
    if x <= a {
        c
    } else if x >= b {
        d
    } else {
        c * (d / c).powf((x - a) / (b - a))
    }
}
