//! The effects and processors the original Phonon offered beyond the basics: tape delay, plate
//! reverb, multi-tap and ping-pong delays, flanger, a second chorus, a three-band parametric EQ,
//! formant filter, vocoder, pitch shifter, freeze, granulator and compressor. Every buffer is
//! allocated when the node is made; processing allocates nothing.

use crate::effect::DelayLine;
use crate::{downcast, sanitize, Carry, Context, In, Node};
use std::f32::consts::{PI, TAU};

/// Input `k` at frame `i`, or `fallback` when absent or not finite.
#[inline]
fn param(inputs: &[In<'_>], k: usize, i: usize, fallback: f32) -> f32 {
    inputs.get(k).map_or(fallback, |p| p.param(i, fallback))
}

/// The signal input.
fn signal<'a>(inputs: &[In<'a>]) -> In<'a> {
    inputs.first().copied().unwrap_or(In::Const(0.0))
}

/// A sine oscillator's phase in cycles.
#[derive(Clone, Copy, Default)]
struct Lfo(f32);

impl Lfo {
    #[inline]
    fn next(&mut self, freq: f32, sample_rate: f32) -> f32 {
        let y = (self.0 * TAU).sin();
        self.0 = (self.0 + freq / sample_rate).rem_euclid(1.0);
        y
    }
}

/// A second-order section (RBJ cookbook coefficients, transposed direct form II).
#[derive(Clone, Copy, Default)]
pub(crate) struct Biquad {
    b: [f32; 3],
    a: [f32; 2],
    z: [f32; 2],
}

impl Biquad {
    fn set(&mut self, b: [f32; 3], a: [f32; 3]) {
        self.b = [b[0] / a[0], b[1] / a[0], b[2] / a[0]];
        self.a = [a[1] / a[0], a[2] / a[0]];
    }

    fn angle(freq: f32, sample_rate: f32) -> f32 {
        TAU * freq.clamp(10.0, 0.45 * sample_rate) / sample_rate
    }

    /// A band-pass with 0 dB at its centre.
    pub(crate) fn band_pass(&mut self, freq: f32, q: f32, sample_rate: f32) {
        let w = Biquad::angle(freq, sample_rate);
        let alpha = w.sin() / (2.0 * q.max(0.05));
        self.set(
            [alpha, 0.0, -alpha],
            [1.0 + alpha, -2.0 * w.cos(), 1.0 - alpha],
        );
    }

    /// A peaking bell of `gain_db` at `freq`.
    fn peak(&mut self, freq: f32, gain_db: f32, q: f32, sample_rate: f32) {
        let w = Biquad::angle(freq, sample_rate);
        let a = 10f32.powf(gain_db / 40.0);
        let alpha = w.sin() / (2.0 * q.max(0.05));
        self.set(
            [1.0 + alpha * a, -2.0 * w.cos(), 1.0 - alpha * a],
            [1.0 + alpha / a, -2.0 * w.cos(), 1.0 - alpha / a],
        );
    }

    /// A low (`high` false) or high shelf of `gain_db` with its midpoint at `freq`.
    fn shelf(&mut self, high: bool, freq: f32, gain_db: f32, q: f32, sample_rate: f32) {
        let w = Biquad::angle(freq, sample_rate);
        let a = 10f32.powf(gain_db / 40.0);
        let (cos, alpha) = (w.cos(), w.sin() / (2.0 * q.max(0.05)));
        let s = 2.0 * a.sqrt() * alpha;
        let sign = if high { -1.0 } else { 1.0 };
        let b0 = a * ((a + 1.0) - sign * (a - 1.0) * cos + s);
        let b1 = sign * 2.0 * a * ((a - 1.0) - sign * (a + 1.0) * cos);
        let b2 = a * ((a + 1.0) - sign * (a - 1.0) * cos - s);
        let a0 = (a + 1.0) + sign * (a - 1.0) * cos + s;
        let a1 = -sign * 2.0 * ((a - 1.0) + sign * (a + 1.0) * cos);
        let a2 = (a + 1.0) + sign * (a - 1.0) * cos - s;
        self.set([b0, b1, b2], [a0, a1, a2]);
    }

    #[inline]
    pub(crate) fn run(&mut self, x: f32) -> f32 {
        let y = self.b[0] * x + self.z[0];
        self.z[0] = sanitize(self.b[1] * x - self.a[0] * y + self.z[1]);
        self.z[1] = sanitize(self.b[2] * x - self.a[1] * y);
        y
    }
}

/// Three-band parametric EQ: a low shelf, a peaking bell and a high shelf. Inputs: signal, then
/// frequency (Hz), gain (dB) and Q of each band; coefficients follow them once a block.
pub struct ParametricEq {
    bands: [[Biquad; 3]; 2],
}

impl Node for ParametricEq {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        let p = |k: usize, fallback: f32| param(inputs, k, 0, fallback);
        for bands in &mut self.bands {
            bands[0].shelf(false, p(1, 100.0), p(2, 0.0), p(3, 0.707), sr);
            bands[1].peak(p(4, 1000.0), p(5, 0.0), p(6, 1.0), sr);
            bands[2].shelf(true, p(7, 8000.0), p(8, 0.0), p(9, 0.707), sr);
        }
        for (c, channel) in out.iter_mut().enumerate().take(2) {
            let bands = &mut self.bands[c];
            for (i, y) in channel[..ctx.frames].iter_mut().enumerate() {
                let v = bands[0].run(sanitize(x.channel(c, i)));
                let v = bands[1].run(v);
                *y = bands[2].run(v);
            }
        }
    }
}

/// Makes a parametric EQ.
pub fn make_parametric_eq(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(ParametricEq {
        bands: [[Biquad::default(); 3]; 2],
    })
}

/// Three parallel band-passes at formant frequencies (a vowel): inputs are the source, then
/// f1, f2, f3 and their bandwidths in Hz.
pub struct Formant {
    bands: [[Biquad; 3]; 2],
}

impl Node for Formant {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        let defaults = [730.0, 1090.0, 2440.0, 80.0, 90.0, 120.0];
        let p = |k: usize| param(inputs, k + 1, 0, defaults[k]);
        for bands in &mut self.bands {
            for (k, band) in bands.iter_mut().enumerate() {
                let (f, bw) = (p(k), p(k + 3).max(1.0));
                band.band_pass(f, f / bw, sr);
            }
        }
        for (c, channel) in out.iter_mut().enumerate().take(2) {
            let bands = &mut self.bands[c];
            for (i, y) in channel[..ctx.frames].iter_mut().enumerate() {
                let v = sanitize(x.channel(c, i));
                // Higher formants are quieter in a voice.
                *y = bands[0].run(v) + 0.5 * bands[1].run(v) + 0.25 * bands[2].run(v);
            }
        }
    }
}

/// Makes a formant filter.
pub fn make_formant(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Formant {
        bands: [[Biquad::default(); 3]; 2],
    })
}

/// The most bands a vocoder splits into.
pub const MAX_BANDS: usize = 32;

/// A channel vocoder: the modulator's level in each band (log-spaced, 100 Hz to 8 kHz) shapes
/// the carrier's same band. Inputs: modulator, carrier, band count (1 to [`MAX_BANDS`]).
pub struct Vocoder {
    /// Each band is two band-passes in series (fourth order), for steeper skirts.
    modulator: [[Biquad; 2]; MAX_BANDS],
    carrier: [[Biquad; 2]; MAX_BANDS],
    level: [f32; MAX_BANDS],
    bands: usize,
}

impl Node for Vocoder {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let sr = ctx.sample_rate;
        let bands = (param(inputs, 2, 0, 8.0).round() as usize).clamp(1, MAX_BANDS);
        if bands != self.bands {
            self.bands = bands;
            let (low, high) = (100.0f32, 8000.0f32);
            let ratio = (high / low).powf(1.0 / bands as f32);
            // Bands meet at their half-power points; two sections in series narrow a band by
            // sqrt(sqrt(2) - 1), so each is that much wider.
            let q = ratio.sqrt() / (ratio - 1.0).max(0.01) * 0.6436;
            for k in 0..bands {
                let centre = low * ratio.powf(k as f32 + 0.5);
                for section in 0..2 {
                    self.modulator[k][section].band_pass(centre, q, sr);
                    self.carrier[k][section].band_pass(centre, q, sr);
                }
            }
        }
        let follow = 1.0 - (-1.0 / (0.01 * sr)).exp();
        // Measured: a modulator equal to the carrier comes out near the carrier's level, for
        // any number of bands.
        let makeup = 4.0;
        let modulator = signal(inputs);
        let carrier = inputs.get(1).copied().unwrap_or(In::Const(0.0));
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let (m, c) = (sanitize(modulator.at(i)), sanitize(carrier.at(i)));
            let mut sum = 0.0;
            for k in 0..bands {
                let [a, b] = &mut self.modulator[k];
                let band = b.run(a.run(m)).abs();
                self.level[k] = sanitize(self.level[k] + follow * (band - self.level[k]));
                let [a, b] = &mut self.carrier[k];
                sum += b.run(a.run(c)) * self.level[k];
            }
            *y = sum * makeup;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes a vocoder.
pub fn make_vocoder(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Vocoder {
        modulator: [[Biquad::default(); 2]; MAX_BANDS],
        carrier: [[Biquad::default(); 2]; MAX_BANDS],
        level: [0.0; MAX_BANDS],
        bands: 0,
    })
}

/// The window a pitch shifter's two read heads sweep, in seconds.
const SHIFT_WINDOW_SECONDS: f32 = 0.05;

/// A delay-line pitch shifter: two read heads half a window apart move through the recent past
/// at the pitch ratio, each faded in and out with a sine window so their sum is steady. Inputs:
/// signal, semitones.
pub struct PitchShift {
    lines: [DelayLine; 2],
    /// Each head's delay in samples.
    delay: f32,
    window: f32,
}

impl Node for PitchShift {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let w = self.window;
        for i in 0..ctx.frames {
            let ratio = 2f32.powf(param(inputs, 1, i, 0.0).clamp(-48.0, 48.0) / 12.0);
            // The delay shrinks by (ratio - 1) a sample: reading faster than writing.
            self.delay = (self.delay - (ratio - 1.0)).rem_euclid(w);
            let d1 = self.delay;
            let d2 = (d1 + 0.5 * w).rem_euclid(w);
            let g1 = (PI * d1 / w).sin();
            let g2 = (PI * d2 / w).sin();
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let line = &mut self.lines[c];
                line.push(sanitize(x.channel(c, i)));
                channel[i] = line.read(d1 + 1.0) * g1 * g1 + line.read(d2 + 1.0) * g2 * g2;
            }
        }
    }
}

/// Makes a pitch shifter.
pub fn make_pitch_shift(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let window = (SHIFT_WINDOW_SECONDS * sample_rate).round();
    Box::new(PitchShift {
        lines: [
            DelayLine::new(window as usize + 4),
            DelayLine::new(window as usize + 4),
        ],
        delay: 0.0,
        window,
    })
}

/// The length a freeze holds, in seconds.
const FREEZE_SECONDS: f32 = 0.2;

/// Freeze: while the trigger is above 0.5, the last fifth of a second loops (two crossfaded
/// heads, so the loop has no seam); otherwise the input passes. Inputs: signal, trigger.
pub struct Freeze {
    lines: [DelayLine; 2],
    length: f32,
    /// Position within the frozen loop, in samples.
    position: f32,
}

impl Node for Freeze {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let l = self.length;
        for i in 0..ctx.frames {
            let frozen = param(inputs, 1, i, 0.0) > 0.5;
            if frozen {
                self.position = (self.position + 1.0).rem_euclid(l);
            } else {
                self.position = 0.0;
            }
            let d1 = l - self.position;
            let d2 = (d1 + 0.5 * l - 1.0).rem_euclid(l) + 1.0;
            let g1 = (PI * self.position / l).sin();
            let g2 = (PI * (self.position + 0.5 * l).rem_euclid(l) / l).sin();
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let line = &mut self.lines[c];
                if frozen {
                    channel[i] = line.read(d1) * g1 * g1 + line.read(d2) * g2 * g2;
                } else {
                    let v = sanitize(x.channel(c, i));
                    line.push(v);
                    channel[i] = v;
                }
            }
        }
    }
}

/// Makes a freeze.
pub fn make_freeze(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (FREEZE_SECONDS * sample_rate).round();
    Box::new(Freeze {
        lines: [
            DelayLine::new(length as usize + 4),
            DelayLine::new(length as usize + 4),
        ],
        length,
        position: 0.0,
    })
}

/// Grains a granulator plays at once.
const GRAINS: usize = 32;
/// The past a granulator picks grains from, in seconds.
const GRAIN_MEMORY_SECONDS: f32 = 2.0;

#[derive(Clone, Copy, Default)]
struct Grain {
    /// Delay of the read head behind the write head, in samples.
    delay: f32,
    /// Samples played and the grain's length.
    age: f32,
    length: f32,
    /// Read speed.
    rate: f32,
    active: bool,
}

/// A granulator: grains of the recent input (Hann-windowed, `grain_ms` long, read at `pitch`
/// times the speed), started `density` times a grain length apart on average from random
/// points in the last second. Inputs: source, grain size (ms), density (0-1), pitch.
pub struct Granular {
    line: DelayLine,
    grains: [Grain; GRAINS],
    /// Samples until the next grain starts.
    wait: f32,
    seed: u32,
}

impl Granular {
    /// A random number in [0, 1).
    fn random(&mut self) -> f32 {
        0.5 * (crate::xorshift_noise(&mut self.seed) + 1.0)
    }
}

impl Node for Granular {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        let memory = GRAIN_MEMORY_SECONDS * sr;
        let [first, rest @ ..] = out else { return };
        for i in 0..ctx.frames {
            self.line.push(sanitize(x.at(i)));
            let length = (param(inputs, 1, i, 50.0).clamp(1.0, 500.0) * 0.001 * sr).max(16.0);
            let density = param(inputs, 2, i, 0.5).clamp(0.01, 1.0);
            let rate = param(inputs, 3, i, 1.0).clamp(0.125, 4.0);
            self.wait -= 1.0;
            if self.wait <= 0.0 {
                // Up to four grains overlap at full density.
                self.wait = length / (4.0 * density) * (0.5 + self.random());
                let jitter = self.random() * 0.5 * memory;
                // Enough delay that a grain read faster than real time stays in the past.
                let delay = (length * rate.max(1.0) + jitter).min(memory - 2.0);
                if let Some(g) = self.grains.iter_mut().find(|g| !g.active) {
                    *g = Grain {
                        delay,
                        age: 0.0,
                        length,
                        rate,
                        active: true,
                    };
                }
            }
            let mut sum = 0.0;
            for g in self.grains.iter_mut().filter(|g| g.active) {
                let window = (PI * g.age / g.length).sin();
                sum += self.line.read(g.delay.max(1.0)) * window * window;
                g.age += 1.0;
                g.delay += 1.0 - g.rate;
                if g.age >= g.length || g.delay < 1.0 || g.delay > memory - 2.0 {
                    g.active = false;
                }
            }
            first[i] = sum * 0.5;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes a granulator.
pub fn make_granular(sample_rate: f32, _: usize) -> Box<dyn Node> {
    Box::new(Granular {
        line: DelayLine::new((GRAIN_MEMORY_SECONDS * sample_rate) as usize + 4),
        grains: [Grain::default(); GRAINS],
        wait: 0.0,
        seed: 0x9e37_79b9,
    })
}

/// The longest tape delay, in seconds.
const TAPE_SECONDS: f32 = 4.0;

/// A tape echo: the delay time wanders with wow and flutter, and each repeat is saturated and
/// loses some top end. Inputs: signal, time (s), feedback, wow rate (Hz) and depth, flutter
/// rate (Hz) and depth (fractions of the time), saturation (0-1), mix.
pub struct TapeDelay {
    lines: [DelayLine; 2],
    tone: [f32; 2],
    wow: Lfo,
    flutter: Lfo,
}

impl Node for TapeDelay {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        let loss = 1.0 - (-TAU * 5000.0 / sr).exp();
        for i in 0..ctx.frames {
            let p = |k: usize, fallback: f32| param(inputs, k, i, fallback);
            let wow = self.wow.next(p(3, 0.5), sr) * p(4, 0.002);
            let flutter = self.flutter.next(p(5, 6.0), sr) * p(6, 0.0005);
            let time = p(1, 0.375).clamp(0.001, TAPE_SECONDS - 0.1) * (1.0 + wow + flutter);
            let feedback = p(2, 0.5).clamp(0.0, 0.99);
            let drive = 1.0 + 4.0 * p(7, 0.3).clamp(0.0, 1.0);
            let mix = p(8, 0.5).clamp(0.0, 1.0);
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let dry = sanitize(x.channel(c, i));
                let echo = self.lines[c].read(time * sr);
                self.tone[c] = sanitize(self.tone[c] + loss * (echo - self.tone[c]));
                let back = (self.tone[c] * feedback * drive).tanh() / drive;
                self.lines[c].push(sanitize(dry + back));
                channel[i] = dry * (1.0 - mix) + echo * mix;
            }
        }
    }
}

/// Makes a tape delay.
pub fn make_tapedelay(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (TAPE_SECONDS * sample_rate) as usize + 4;
    Box::new(TapeDelay {
        lines: [DelayLine::new(length), DelayLine::new(length)],
        tone: [0.0; 2],
        wow: Lfo::default(),
        flutter: Lfo(0.25),
    })
}

/// The longest multi-tap delay (all taps), in seconds.
const MULTITAP_SECONDS: f32 = 8.0;
/// The most taps.
pub const MAX_TAPS: usize = 16;

/// Taps at 1, 2, … `taps` times the delay time, each `feedback` times quieter than the one
/// before. Inputs: signal, time (s), taps, feedback, mix.
pub struct MultiTap {
    lines: [DelayLine; 2],
}

impl Node for MultiTap {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let p = |k: usize, fallback: f32| param(inputs, k, i, fallback);
            let taps = (p(2, 4.0).round() as usize).clamp(1, MAX_TAPS);
            let time = p(1, 0.125).clamp(1.0 / sr, MULTITAP_SECONDS / taps as f32) * sr;
            let feedback = p(3, 0.5).clamp(0.0, 1.0);
            let mix = p(4, 0.5).clamp(0.0, 1.0);
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let dry = sanitize(x.channel(c, i));
                let line = &mut self.lines[c];
                let mut wet = 0.0;
                let mut gain = 1.0;
                for k in 1..=taps {
                    wet += line.read(k as f32 * time) * gain;
                    gain *= feedback;
                }
                line.push(dry);
                channel[i] = dry * (1.0 - mix) + wet * mix;
            }
        }
    }
}

/// Makes a multi-tap delay.
pub fn make_multitap(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (MULTITAP_SECONDS * sample_rate) as usize + 4;
    Box::new(MultiTap {
        lines: [DelayLine::new(length), DelayLine::new(length)],
    })
}

/// A ping-pong delay: echoes alternate between left and right. Inputs: signal, time (s),
/// feedback, stereo width (0 mono to 1 hard), the side the first echo takes (0 left, 1 right),
/// mix. The output is stereo.
pub struct PingPong {
    lines: [DelayLine; 2],
}

impl Node for PingPong {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        for i in 0..ctx.frames {
            let p = |k: usize, fallback: f32| param(inputs, k, i, fallback);
            let time = p(1, 0.25).clamp(0.001, crate::effect::MAX_DELAY_SECONDS - 0.01) * sr;
            let feedback = p(2, 0.5).clamp(0.0, 0.99);
            let width = p(3, 1.0).clamp(0.0, 1.0);
            let right_first = p(4, 0.0) > 0.5;
            let mix = p(5, 0.5).clamp(0.0, 1.0);
            let dry = sanitize(x.at(i));
            let (l, r) = (self.lines[0].read(time), self.lines[1].read(time));
            let (first, second) = if right_first { (1, 0) } else { (0, 1) };
            let (echo_first, echo_second) = if right_first { (r, l) } else { (l, r) };
            self.lines[first].push(sanitize(dry + echo_second * feedback));
            self.lines[second].push(sanitize(echo_first * feedback));
            // Width blends each side toward the middle.
            let mid = 0.5 * (l + r);
            let (wl, wr) = (mid + (l - mid) * width, mid + (r - mid) * width);
            let dry_side = |c: usize| sanitize(x.channel(c, i)) * (1.0 - mix);
            if let [left, right, ..] = out {
                left[i] = dry_side(0) + wl * mix;
                right[i] = dry_side(1) + wr * mix;
            }
        }
    }
}

/// Makes a ping-pong delay.
pub fn make_pingpong(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (crate::effect::MAX_DELAY_SECONDS * sample_rate) as usize + 4;
    Box::new(PingPong {
        lines: [DelayLine::new(length), DelayLine::new(length)],
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

/// A feed-forward compressor on the louder channel's peak level. Inputs: signal, threshold
/// (dBFS), ratio, attack and release (s), makeup gain (dB).
pub struct Compressor {
    envelope: f32,
}

impl Node for Compressor {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        let coefficient = |seconds: f32| 1.0 - (-1.0 / (seconds.max(1e-4) * sr)).exp();
        for i in 0..ctx.frames {
            let threshold = param(inputs, 1, i, -12.0);
            let ratio = param(inputs, 2, i, 4.0).max(1.0);
            let (attack, release) = (param(inputs, 3, i, 0.01), param(inputs, 4, i, 0.1));
            let makeup = param(inputs, 5, i, 0.0);
            let peak = (0..out.len().min(2))
                .map(|c| sanitize(x.channel(c, i)).abs())
                .fold(0.0, f32::max);
            let k = if peak > self.envelope {
                coefficient(attack)
            } else {
                coefficient(release)
            };
            self.envelope = sanitize(self.envelope + k * (peak - self.envelope));
            let level = 20.0 * self.envelope.max(1e-6).log10();
            let over = (level - threshold).max(0.0);
            let gain = 10f32.powf((makeup - over * (1.0 - 1.0 / ratio)) / 20.0);
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                channel[i] = sanitize(x.channel(c, i)) * gain;
            }
        }
    }
}

/// Makes a compressor.
pub fn make_compressor(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Compressor { envelope: 0.0 })
}

/// Plate reverb after Dattorro: a pre-delay, four diffusing all-passes, then a figure-of-eight
/// tank of two damped, slowly modulated delay loops, tapped for a wide stereo output. Inputs:
/// signal, pre-delay (ms), decay (s, to -60 dB), diffusion (0-1), damping (0-1), modulation
/// depth (0-1), mix.
pub struct Plate {
    pre: DelayLine,
    diffusers: [(DelayLine, f32); 4],
    tank: [TankHalf; 2],
    lfo: Lfo,
    sample_rate: f32,
}

struct TankHalf {
    allpass: DelayLine,
    allpass_length: f32,
    first: DelayLine,
    first_length: f32,
    damp: f32,
    second: DelayLine,
    second_length: f32,
    /// The half's output, fed to the other half.
    last: f32,
}

/// Dattorro's lengths at 29,761 Hz.
const PLATE_DIFFUSERS: [f32; 4] = [142.0, 107.0, 379.0, 277.0];
const PLATE_TANK: [[f32; 3]; 2] = [[672.0, 4453.0, 3720.0], [908.0, 4217.0, 3163.0]];

impl Node for Plate {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = self.sample_rate;
        let loop_seconds = (self.tank[0].first_length
            + self.tank[0].second_length
            + self.tank[1].first_length
            + self.tank[1].second_length)
            / (2.0 * sr);
        for i in 0..ctx.frames {
            let p = |k: usize, fallback: f32| param(inputs, k, i, fallback);
            let pre = (p(1, 20.0).clamp(0.0, 500.0) * 0.001 * sr).max(1.0);
            let decay_seconds = p(2, 2.0).clamp(0.1, 30.0);
            // Each half of the tank applies `decay` twice a trip (after its damped delay, and
            // into the other half): the two together lose 60 dB in `decay` seconds.
            let decay = 10f32
                .powf(-3.0 * loop_seconds / (2.0 * decay_seconds))
                .min(0.98);
            let diffusion = p(3, 0.7).clamp(0.0, 0.95);
            let damping = p(4, 0.5).clamp(0.0, 0.99);
            let wobble = self.lfo.next(1.0, sr) * p(5, 0.3).clamp(0.0, 1.0) * 8.0;
            let mix = p(6, 0.5).clamp(0.0, 1.0);
            let dry = sanitize(x.at(i));
            self.pre.push(dry);
            let mut v = self.pre.read(pre);
            for (k, (line, length)) in self.diffusers.iter_mut().enumerate() {
                let g = if k < 2 { 0.75 } else { 0.625 } * diffusion;
                let delayed = line.read(*length);
                let w = v + g * delayed;
                line.push(sanitize(w));
                v = delayed - g * w;
            }
            let feeds = [self.tank[1].last, self.tank[0].last];
            for (h, half) in self.tank.iter_mut().enumerate() {
                let input = v + feeds[h] * decay;
                let sway = if h == 0 { wobble } else { -wobble };
                let delayed = half.allpass.read(half.allpass_length + sway);
                let g = 0.7 * diffusion;
                let w = input - g * delayed;
                half.allpass.push(sanitize(w));
                let a = delayed + g * w;
                half.first.push(sanitize(a));
                let b = half.first.read(half.first_length);
                half.damp = sanitize(b * (1.0 - damping) + half.damp * damping);
                half.second.push(sanitize(half.damp * decay));
                half.last = half.second.read(half.second_length);
            }
            let t = &self.tank;
            let left = t[0].first.read(266.0 * sr / 29_761.0)
                + t[0].first.read(2974.0 * sr / 29_761.0)
                - t[1].second.read(1913.0 * sr / 29_761.0);
            let right = t[1].first.read(353.0 * sr / 29_761.0)
                + t[1].first.read(3627.0 * sr / 29_761.0)
                - t[0].second.read(1228.0 * sr / 29_761.0);
            let wet = [left * 0.6, right * 0.6];
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                channel[i] = sanitize(x.channel(c, i)) * (1.0 - mix) + wet[c] * mix;
            }
        }
    }
}

/// Makes a plate reverb tuned for the sample rate.
pub fn make_plate(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let scale = sample_rate / 29_761.0;
    let sized = |n: f32| (n * scale).round().max(2.0);
    let line = |n: f32| DelayLine::new(sized(n) as usize + 16);
    let half = |lengths: [f32; 3]| TankHalf {
        allpass: line(lengths[0]),
        allpass_length: sized(lengths[0]),
        first: line(lengths[1]),
        first_length: sized(lengths[1]),
        damp: 0.0,
        second: line(lengths[2]),
        second_length: sized(lengths[2]),
        last: 0.0,
    };
    Box::new(Plate {
        pre: DelayLine::new((0.5 * sample_rate) as usize + 4),
        diffusers: PLATE_DIFFUSERS.map(|n| (line(n), sized(n))),
        tank: [half(PLATE_TANK[0]), half(PLATE_TANK[1])],
        lfo: Lfo::default(),
        sample_rate,
    })
}

/// Two-operator FM: a sine carrier whose phase a sine modulator moves by `index` radians.
/// Inputs: carrier frequency, modulator frequency (Hz), index.
pub struct Fm {
    carrier: f64,
    modulator: f64,
}

impl Node for Fm {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let sr = f64::from(ctx.sample_rate);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let fc = f64::from(param(inputs, 0, i, 440.0));
            let fm = f64::from(param(inputs, 1, i, 220.0));
            let index = f64::from(param(inputs, 2, i, 1.0));
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
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let f = f64::from(param(inputs, 0, i, 440.0).max(0.0));
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
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let f = f64::from(param(inputs, 0, i, 440.0));
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
