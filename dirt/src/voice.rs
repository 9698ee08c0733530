//! One playing sample with SuperDirt's per-event effects: rate, reverse, accelerate, begin/end,
//! length (legato, sustain), attack/release, coarse, crush, shape, vowel, low-, high- and
//! band-pass, level (amp × gain⁴) and equal-power pan. Nothing is allocated once made.

use crate::event::DirtEvent;
use crate::param::{Param, Values};
use dsp::bank::Sample;
use dsp::filter::{Response, Svf};
use dsp::{sanitize, Context, In, Node};
use std::f32::consts::FRAC_PI_2;

/// SuperDirt's default `amp`.
pub const DEFAULT_AMP: f32 = 0.4;
/// Frames of fade when a voice is cut, stolen or ends before its sample does.
const DECLICK_SECONDS: f32 = 0.004;

/// Formants (Hz) and levels (linear) of the vowels a, e, i, o, u.
const VOWELS: [[(f32, f32); 3]; 5] = [
    [(600.0, 1.0), (1040.0, 0.447), (2250.0, 0.355)],
    [(400.0, 1.0), (1620.0, 0.251), (2400.0, 0.355)],
    [(250.0, 1.0), (1750.0, 0.032), (2600.0, 0.158)],
    [(400.0, 1.0), (750.0, 0.282), (2400.0, 0.089)],
    [(350.0, 1.0), (600.0, 0.1), (2400.0, 0.025)],
];

/// A filter with its settings.
struct Filter {
    svf: Svf,
    cutoff: f32,
    q: f32,
    gain: f32,
}

impl Filter {
    fn new(response: Response, cutoff: f32, q: f32, gain: f32) -> Filter {
        Filter {
            svf: Svf::new(response),
            cutoff,
            q,
            gain,
        }
    }
}

/// A voice of an orbit.
pub(crate) struct Voice {
    pub active: bool,
    pub sample: u32,
    /// Cut group; 0 for none.
    pub cut: i32,
    /// When it started, for stealing the oldest.
    pub started: u64,
    /// Frame in the coming block to begin at.
    pub offset: usize,
    pos: f64,
    rate: f64,
    /// Added to the rate each frame.
    accelerate: f64,
    /// The part of the sample played, in frames.
    lo: f64,
    hi: f64,
    length: u64,
    played: u64,
    attack: u64,
    release: u64,
    gains: [f32; 2],
    shape: f32,
    crush: f32,
    coarse: u32,
    held: [f32; 2],
    hold_count: u32,
    filters: [Option<Filter>; 3],
    vowel: Option<[Filter; 3]>,
    /// Sends to the orbit's delay and reverb.
    pub sends: [f32; 2],
    /// A fade-out in progress: level and step per frame.
    fade: Option<(f32, f32)>,
}

impl Default for Voice {
    fn default() -> Self {
        Voice {
            active: false,
            sample: 0,
            cut: 0,
            started: 0,
            offset: 0,
            pos: 0.0,
            rate: 1.0,
            accelerate: 0.0,
            lo: 0.0,
            hi: 0.0,
            length: 0,
            played: 0,
            attack: 0,
            release: 0,
            gains: [0.0; 2],
            shape: 0.0,
            crush: 0.0,
            coarse: 1,
            held: [0.0; 2],
            hold_count: 0,
            filters: [None, None, None],
            vowel: None,
            sends: [0.0; 2],
            fade: None,
        }
    }
}

/// The playback rate an event asks for: speed × 2^(semitones / 12), where the semitones come
/// from `note` (or `midinote` − 60) and `octave` − 5; `unit "c"` makes speed cycles per sample.
pub fn rate_of(values: &Values, sample_seconds: f32) -> f32 {
    let mut speed = values.or(Param::Speed, 1.0);
    if values.get(Param::UnitCycles).is_some() {
        speed *= values.or(Param::Cps, 0.5625) * sample_seconds;
    }
    let note = match values.get(Param::Midinote) {
        Some(m) => m - 60.0,
        None => values.or(Param::Note, 0.0),
    } + (values.or(Param::Octave, 5.0) - 5.0) * 12.0;
    speed * (note / 12.0).exp2()
}

/// The level an event asks for: amp × gain⁴, gain at most 2 (SuperDirt's curve).
pub fn level_of(values: &Values) -> f32 {
    let gain = values.or(Param::Gain, 1.0).clamp(0.0, 2.0);
    values.or(Param::Amp, DEFAULT_AMP).max(0.0) * gain.powi(4)
}

impl Voice {
    /// Starts playing `event` on `sample` at frame `offset` of the coming block.
    pub fn start(
        &mut self,
        event: &DirtEvent,
        sample: &Sample,
        sample_rate: f32,
        offset: usize,
        started: u64,
    ) {
        let v = &event.values;
        let frames = sample.frames() as f64;
        let seconds = frames as f32 / sample_rate;
        let begin = f64::from(v.or(Param::Begin, 0.0).clamp(0.0, 1.0));
        let end = f64::from(v.or(Param::End, 1.0).clamp(0.0, 1.0));
        let (lo, hi) = (begin.min(end) * frames, begin.max(end) * frames);
        let rate = f64::from(rate_of(v, seconds));
        let natural = if rate == 0.0 {
            0.0
        } else {
            (hi - lo) / rate.abs()
        };
        let asked = match (v.get(Param::Sustain), v.get(Param::Legato)) {
            (Some(s), _) => Some(f64::from(s) * f64::from(sample_rate)),
            (None, Some(l)) => v
                .get(Param::Delta)
                .map(|d| f64::from(l) * f64::from(d) * f64::from(sample_rate)),
            (None, None) => None,
        };
        let length = asked.map_or(natural, |a| a.min(natural)).max(0.0);
        let declick = (DECLICK_SECONDS * sample_rate) as u64;
        let frames_of = |p: Param| (v.or(p, 0.0).max(0.0) * sample_rate) as u64;
        let mut release = frames_of(Param::Release);
        if release == 0 && length + 1.0 < natural {
            release = declick;
        }
        let pan = v.or(Param::Pan, 0.5).clamp(0.0, 1.0) * FRAC_PI_2;
        let level = level_of(v);
        let gains = if sample.channels.len() > 1 {
            [
                (pan.cos() * std::f32::consts::SQRT_2).min(1.0) * level,
                (pan.sin() * std::f32::consts::SQRT_2).min(1.0) * level,
            ]
        } else {
            [pan.cos() * level, pan.sin() * level]
        };
        let shape = v.or(Param::Shape, 0.0).clamp(0.0, 0.99);
        let resonance_q = |p: Param| 1000f32.powf(v.or(p, 0.0).clamp(0.0, 1.0));
        *self = Voice {
            active: length >= 1.0,
            sample: event.sample,
            cut: v.or(Param::Cut, 0.0) as i32,
            started,
            offset,
            pos: if rate < 0.0 { hi - 1.0 } else { lo },
            rate,
            accelerate: if length >= 1.0 {
                rate * f64::from(v.or(Param::Accelerate, 0.0)) / length
            } else {
                0.0
            },
            lo,
            hi,
            length: length as u64,
            played: 0,
            attack: frames_of(Param::Attack),
            release,
            gains,
            shape: 2.0 * shape / (1.0 - shape),
            crush: v.or(Param::Crush, 0.0).clamp(0.0, 32.0),
            coarse: v.or(Param::Coarse, 1.0).clamp(1.0, 4096.0) as u32,
            held: [0.0; 2],
            hold_count: 0,
            filters: [
                v.get(Param::Cutoff).map(|c| {
                    Filter::new(
                        Response::LowPass,
                        c.abs(),
                        resonance_q(Param::Resonance),
                        1.0,
                    )
                }),
                v.get(Param::Hcutoff).map(|c| {
                    Filter::new(
                        Response::HighPass,
                        c.abs(),
                        resonance_q(Param::Hresonance),
                        1.0,
                    )
                }),
                v.get(Param::Bandf).map(|f| {
                    let q = v.or(Param::Bandq, 10.0).max(0.1);
                    Filter::new(Response::BandPass, f.abs(), q, q.max(1.0))
                }),
            ],
            vowel: v
                .get(Param::Vowel)
                .filter(|&k| (1.0..6.0).contains(&k))
                .map(|k| {
                    VOWELS[k as usize - 1]
                        .map(|(f, a)| Filter::new(Response::BandPass, f, 10.0, a * 3.0))
                }),
            sends: [
                v.or(Param::Delay, 0.0).clamp(0.0, 1.0),
                v.or(Param::Room, 0.0).clamp(0.0, 1.0),
            ],
            fade: None,
        };
    }

    /// Fades the voice out quickly from the start of the coming block (a cut or a steal).
    pub fn cut_off(&mut self, sample_rate: f32) {
        if self.fade.is_none() {
            self.fade = Some((1.0, 1.0 / (DECLICK_SECONDS * sample_rate).max(1.0)));
        }
    }

    /// Renders the coming block of `frames` into the orbit's `dry` pair and its `sends`
    /// (delay, reverb) pairs, using `work` as scratch (three stereo pairs).
    #[allow(clippy::too_many_arguments)]
    pub fn render(
        &mut self,
        sample: &Sample,
        ctx: &Context<'_>,
        work: &mut [[Box<[f32]>; 2]; 3],
        dry: &mut [Box<[f32]>; 2],
        to_delay: &mut [Box<[f32]>; 2],
        to_room: &mut [Box<[f32]>; 2],
    ) {
        let frames = ctx.frames;
        let from = self.offset.min(frames);
        self.offset = 0;
        let n = frames - from;
        if n == 0 {
            return;
        }
        let stereo = sample.channels.get(1).map(|c| &**c);
        let [a0, a1] = &mut work[0];
        // The sample, coarse, crush and shape, into the first pair.
        let mut produced = n;
        for (i, (l, r)) in a0.iter_mut().zip(a1.iter_mut()).take(n).enumerate() {
            let p = self.pos;
            if p < self.lo || p >= self.hi || self.played + i as u64 >= self.length {
                produced = i;
                break;
            }
            // p ≥ lo ≥ 0: truncation is the floor, without a libm call.
            let k = p as usize;
            let frac = (p - k as f64) as f32;
            // The last frame played is `hi - 1`: its right neighbour is itself.
            let next = if ((k + 1) as f64) < self.hi { k + 1 } else { k };
            let read = |channel: &[f32]| {
                let x0 = channel.get(k).copied().unwrap_or(0.0);
                let x1 = channel.get(next).copied().unwrap_or(0.0);
                x0 + (x1 - x0) * frac
            };
            let left = read(&sample.channels[0]);
            let mut frame = [left, stereo.map_or(left, read)];
            if self.coarse > 1 {
                if self.hold_count == 0 {
                    self.held = frame;
                }
                self.hold_count = (self.hold_count + 1) % self.coarse;
                frame = self.held;
            }
            for x in frame.iter_mut() {
                if self.crush > 0.0 {
                    let step = 0.5f32.powf(self.crush - 1.0);
                    *x = (*x / step).round() * step;
                }
                if self.shape > 0.0 {
                    *x = *x * (1.0 + self.shape) / (1.0 + self.shape * x.abs());
                }
            }
            *l = frame[0];
            *r = frame[1];
            self.pos += self.rate;
            self.rate += self.accelerate;
        }
        a0[produced..n].fill(0.0);
        a1[produced..n].fill(0.0);
        // Filters, each from one pair into the other.
        let sub = Context::new(ctx.sample_rate, n, ctx.span, ctx.arena);
        let [a, b, sum] = work;
        if let Some(vowel) = self.vowel.as_mut() {
            for channel in sum.iter_mut() {
                channel[..n].fill(0.0);
            }
            for formant in vowel.iter_mut() {
                let [bl, br] = &mut *b;
                formant.svf.process(
                    &sub,
                    &[
                        In::Stereo(&a[0][..n], &a[1][..n]),
                        In::Const(formant.cutoff),
                        In::Const(formant.q),
                    ],
                    &mut [&mut bl[..n], &mut br[..n]],
                );
                for c in 0..2 {
                    for i in 0..n {
                        sum[c][i] += b[c][i] * formant.gain;
                    }
                }
            }
            for c in 0..2 {
                a[c][..n].copy_from_slice(&sum[c][..n]);
            }
        }
        for filter in self.filters.iter_mut().flatten() {
            let [al, ar] = &mut *a;
            let [bl, br] = &mut *b;
            filter.svf.process(
                &sub,
                &[
                    In::Stereo(&al[..n], &ar[..n]),
                    In::Const(filter.cutoff),
                    In::Const(filter.q),
                ],
                &mut [&mut bl[..n], &mut br[..n]],
            );
            for i in 0..n {
                al[i] = bl[i] * filter.gain;
                ar[i] = br[i] * filter.gain;
            }
        }
        // Envelope, level and pan, into the orbit's buses.
        let sends = self.sends != [0.0; 2];
        for i in 0..produced {
            let t = self.played + i as u64;
            let mut env = 1.0f32;
            if self.attack > 0 && t < self.attack {
                env = t as f32 / self.attack as f32;
            }
            if self.release > 0 && t + self.release > self.length {
                env = env.min((self.length - t) as f32 / self.release as f32);
            }
            if let Some((level, step)) = self.fade.as_mut() {
                env *= *level;
                *level -= *step;
                if *level <= 0.0 {
                    produced = i;
                    break;
                }
            }
            for c in 0..2 {
                let y = sanitize(a[c][i] * env * self.gains[c]);
                dry[c][from + i] += y;
                if sends {
                    to_delay[c][from + i] += y * self.sends[0];
                    to_room[c][from + i] += y * self.sends[1];
                }
            }
        }
        self.played += produced as u64;
        if produced < n {
            self.active = false;
        }
    }
}
