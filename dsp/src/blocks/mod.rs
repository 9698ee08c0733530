//! Building blocks the nodes share: the delay line, the sine LFO, the biquad section and the
//! readers of a node's inputs. the envelope stage
//! ([`envelope`]), and the pan and level laws ([`laws`]).

pub mod envelope;
pub(crate) mod hilbert;
pub mod laws;
pub mod pool;

use crate::sanitize;
use std::f32::consts::TAU;

/// A circular delay line read with linear interpolation.
pub(crate) struct DelayLine {
    buffer: Box<[f32]>,
    write: usize,
}

impl DelayLine {
    pub(crate) fn new(length: usize) -> DelayLine {
        DelayLine {
            buffer: vec![0.0; length.max(2)].into_boxed_slice(),
            write: 0,
        }
    }

    /// The sample written `delay` samples ago (fractional, at least 1).
    #[inline]
    pub(crate) fn read(&self, delay: f32) -> f32 {
        let len = self.buffer.len();
        let delay = delay.clamp(1.0, (len - 1) as f32);
        let whole = delay.floor();
        let frac = delay - whole;
        let a = (self.write + len - whole as usize) % len;
        let b = (a + len - 1) % len;
        self.buffer[a] + (self.buffer[b] - self.buffer[a]) * frac
    }

    /// Silence throughout.
    pub(crate) fn clear(&mut self) {
        self.buffer.fill(0.0);
    }

    #[inline]
    pub(crate) fn push(&mut self, x: f32) {
        self.buffer[self.write] = x;
        self.write = (self.write + 1) % self.buffer.len();
    }
}

/// SuperCollider's `LeakDC`: a one-pole high-pass that takes the DC out of a signal (its
/// coefficient, 0.995, as SuperCollider's at 44.1 and 48 kHz).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DcBlocker {
    last_in: f32,
    last_out: f32,
}

impl DcBlocker {
    #[inline]
    pub(crate) fn tick(&mut self, x: f32) -> f32 {
        let y = sanitize(x - self.last_in + 0.995 * self.last_out);
        (self.last_in, self.last_out) = (x, y);
        y
    }
}

/// A sine oscillator's phase in cycles.
#[derive(Clone, Copy, Default)]
pub(crate) struct Lfo(pub(crate) f32);

impl Lfo {
    #[inline]
    pub(crate) fn next(&mut self, freq: f32, sample_rate: f32) -> f32 {
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
    pub(crate) fn set(&mut self, b: [f32; 3], a: [f32; 3]) {
        self.b = [b[0] / a[0], b[1] / a[0], b[2] / a[0]];
        self.a = [a[1] / a[0], a[2] / a[0]];
    }

    pub(crate) fn angle(freq: f32, sample_rate: f32) -> f32 {
        TAU * freq.clamp(10.0, 0.45 * sample_rate) / sample_rate
    }

    /// A low-pass (SuperCollider's `LPF` at Q 1/√2).
    pub(crate) fn low_pass(&mut self, freq: f32, q: f32, sample_rate: f32) {
        let w = Biquad::angle(freq, sample_rate);
        let (cos, alpha) = (w.cos(), w.sin() / (2.0 * q.max(0.05)));
        self.set(
            [(1.0 - cos) / 2.0, 1.0 - cos, (1.0 - cos) / 2.0],
            [1.0 + alpha, -2.0 * cos, 1.0 - alpha],
        );
    }

    /// An all-pass turning the phase half round at `freq`.
    pub(crate) fn all_pass(&mut self, freq: f32, q: f32, sample_rate: f32) {
        let w = Biquad::angle(freq, sample_rate);
        let (cos, alpha) = (w.cos(), w.sin() / (2.0 * q.max(0.05)));
        self.set(
            [1.0 - alpha, -2.0 * cos, 1.0 + alpha],
            [1.0 + alpha, -2.0 * cos, 1.0 - alpha],
        );
    }

    /// A high-pass (SuperCollider's `HPF` at Q 1/√2).
    pub(crate) fn high_pass(&mut self, freq: f32, q: f32, sample_rate: f32) {
        let w = Biquad::angle(freq, sample_rate);
        let (cos, alpha) = (w.cos(), w.sin() / (2.0 * q.max(0.05)));
        self.set(
            [(1.0 + cos) / 2.0, -(1.0 + cos), (1.0 + cos) / 2.0],
            [1.0 + alpha, -2.0 * cos, 1.0 - alpha],
        );
    }

    /// A band-reject (`BRF`): 0 at `freq`, 1 away from it.
    pub(crate) fn notch(&mut self, freq: f32, q: f32, sample_rate: f32) {
        let w = Biquad::angle(freq, sample_rate);
        let (cos, alpha) = (w.cos(), w.sin() / (2.0 * q.max(0.05)));
        self.set(
            [1.0, -2.0 * cos, 1.0],
            [1.0 + alpha, -2.0 * cos, 1.0 - alpha],
        );
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
    pub(crate) fn peak(&mut self, freq: f32, gain_db: f32, q: f32, sample_rate: f32) {
        let w = Biquad::angle(freq, sample_rate);
        let a = 10f32.powf(gain_db / 40.0);
        let alpha = w.sin() / (2.0 * q.max(0.05));
        self.set(
            [1.0 + alpha * a, -2.0 * w.cos(), 1.0 - alpha * a],
            [1.0 + alpha / a, -2.0 * w.cos(), 1.0 - alpha / a],
        );
    }

    /// A low (`high` false) or high shelf of `gain_db` with its midpoint at `freq`.
    pub(crate) fn shelf(&mut self, high: bool, freq: f32, gain_db: f32, q: f32, sample_rate: f32) {
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
