//! SuperCollider's two-pole filters, `RLPF`, `RHPF`, `BPF`, `HPF` and `Ringz`, as SuperDirt's
//! per-event `cutoff`, `hcutoff`, `bandf`, `vowel` and `distort` and its leslie use them: the same difference equations, so the
//! same levels and the same resonant peaks (an RBJ or state-variable section with the same Q
//! differs by decibels near its cutoff). Coefficients are set once, when a voice starts.

use std::f64::consts::PI;

/// Which of SuperCollider's filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `RLPF`: resonant low-pass, unity at DC.
    LowPass,
    /// `RHPF`: resonant high-pass, unity at Nyquist.
    HighPass,
    /// `BPF`: band-pass, unity at its centre.
    BandPass,
    /// `HPF`: a flat (Butterworth) high-pass; the rq is not used.
    FlatHighPass,
}

/// One filter, with a state per channel.
#[derive(Clone, Copy, Debug)]
pub struct Resonant {
    kind: Kind,
    a0: f64,
    b1: f64,
    b2: f64,
    /// The last two values of the recursion, per channel.
    y: [[f64; 2]; 2],
}

impl Resonant {
    /// `kind` at `freq` Hz with `rq` the reciprocal of its Q (the bandwidth over the
    /// frequency), at `sample_rate`.
    pub fn new(kind: Kind, freq: f32, rq: f32, sample_rate: f32) -> Resonant {
        let freq = f64::from(freq.clamp(20.0, 0.5 * sample_rate));
        let w = 2.0 * PI * freq / f64::from(sample_rate);
        let rq = f64::from(rq.max(0.001));
        let (a0, b1, b2) = match kind {
            Kind::LowPass | Kind::HighPass => {
                let d = (w * rq * 0.5).tan();
                let c = (1.0 - d) / (1.0 + d);
                let b1 = (1.0 + c) * w.cos();
                let a0 = match kind {
                    Kind::LowPass => (1.0 + c - b1) * 0.25,
                    _ => (1.0 + c + b1) * 0.25,
                };
                (a0, b1, -c)
            }
            Kind::BandPass => {
                // Kept below Nyquist, where the tangent would turn over.
                let c = 1.0 / (rq * w * 0.5).min(PI * 0.499).tan();
                let a0 = 1.0 / (1.0 + c);
                (a0, c * 2.0 * w.cos() * a0, (1.0 - c) * a0)
            }
            Kind::FlatHighPass => {
                let c = (w * 0.5).tan();
                let root2c = std::f64::consts::SQRT_2 * c;
                let a0 = 1.0 / (1.0 + root2c + c * c);
                (a0, 2.0 * (1.0 - c * c) * a0, -(1.0 - root2c + c * c) * a0)
            }
        };
        Resonant {
            kind,
            a0,
            b1,
            b2,
            y: [[0.0; 2]; 2],
        }
    }

    /// One frame of `channel` (0 or 1).
    #[inline]
    pub fn tick(&mut self, channel: usize, x: f32) -> f32 {
        let [y1, y2] = self.y[channel];
        let x = if x.is_finite() { f64::from(x) } else { 0.0 };
        let (y0, out) = match self.kind {
            Kind::LowPass => {
                let y0 = self.a0 * x + self.b1 * y1 + self.b2 * y2;
                (y0, y0 + 2.0 * y1 + y2)
            }
            Kind::HighPass => {
                let y0 = self.a0 * x + self.b1 * y1 + self.b2 * y2;
                (y0, y0 - 2.0 * y1 + y2)
            }
            Kind::BandPass => {
                let y0 = x + self.b1 * y1 + self.b2 * y2;
                (y0, self.a0 * (y0 - y2))
            }
            Kind::FlatHighPass => {
                let y0 = x + self.b1 * y1 + self.b2 * y2;
                (y0, self.a0 * (y0 - 2.0 * y1 + y2))
            }
        };
        // SuperCollider's `zapgremlins`: denormals and non-finite values become 0.
        let zap = |y: f64| {
            if y.is_finite() && y.abs() > 1e-15 {
                y
            } else {
                0.0
            }
        };
        self.y[channel] = [zap(y0), zap(y1)];
        out as f32
    }
}

/// SuperCollider's `Ringz`: a resonator ringing at its frequency for `decay` seconds (to −60
/// dB), not normalised: a steady sine at its frequency comes out about 0.5 / (1 − R) times as
/// loud, R the pole radius.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ringz {
    b1: f64,
    b2: f64,
    y: [[f64; 2]; 2],
}

impl Ringz {
    /// Tunes it to `freq` Hz ringing `decay` seconds at `sample_rate`, keeping its state.
    pub fn tune(&mut self, freq: f32, decay: f32, sample_rate: f32) {
        let w = 2.0 * PI * f64::from(freq) / f64::from(sample_rate);
        let r = if decay > 0.0 {
            (0.001f64.ln() / (f64::from(decay) * f64::from(sample_rate))).exp()
        } else {
            0.0
        };
        let cos = (2.0 * r * w.cos()) / (1.0 + r * r);
        self.b1 = 2.0 * r * cos;
        self.b2 = -r * r;
    }

    /// One frame of `channel` (0 or 1).
    #[inline]
    pub fn tick(&mut self, channel: usize, x: f32) -> f32 {
        let [y1, y2] = self.y[channel];
        let x = if x.is_finite() { f64::from(x) } else { 0.0 };
        let y0 = x + self.b1 * y1 + self.b2 * y2;
        let zap = |y: f64| {
            if y.is_finite() && y.abs() > 1e-15 {
                y
            } else {
                0.0
            }
        };
        self.y[channel] = [zap(y0), zap(y1)];
        (0.5 * (y0 - y2)) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steady level of a sine at `freq` through `filter`.
    fn gain(mut filter: Resonant, freq: f32) -> f32 {
        let sr = 48_000.0;
        // The RMS of the settled half over a unit sine's (1/√2): sampled peaks miss the crest
        // of high sines.
        let mut sum = 0.0f64;
        for i in 0..48_000 {
            let x = (std::f32::consts::TAU * freq * i as f32 / sr).sin();
            let y = filter.tick(0, x);
            if i >= 24_000 {
                sum += f64::from(y) * f64::from(y);
            }
        }
        ((sum / 24_000.0).sqrt() * std::f64::consts::SQRT_2) as f32
    }

    #[test]
    fn unity_in_the_pass_band_and_the_cut_below_or_above() {
        let sr = 48_000.0;
        let low = Resonant::new(Kind::LowPass, 1000.0, 1.0, sr);
        assert!((gain(low, 50.0) - 1.0).abs() < 0.01);
        assert!(gain(low, 10_000.0) < 0.02);
        let high = Resonant::new(Kind::HighPass, 1000.0, 1.0, sr);
        assert!((gain(high, 15_000.0) - 1.0).abs() < 0.02);
        assert!(gain(high, 100.0) < 0.02);
        let band = Resonant::new(Kind::BandPass, 1000.0, 0.1, sr);
        assert!((gain(band, 1000.0) - 1.0).abs() < 0.01);
        assert!(gain(band, 3000.0) < 0.05);
        // Butterworth: −3 dB at its cutoff, flat above.
        let flat = Resonant::new(Kind::FlatHighPass, 800.0, 1.0, sr);
        assert!((gain(flat, 800.0) - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.01);
        assert!((gain(flat, 8000.0) - 1.0).abs() < 0.01);
    }

    #[test]
    fn ringz_rings_for_its_decay_time() {
        let sr = 48_000.0;
        let mut ringz = Ringz::default();
        ringz.tune(1000.0, 0.1, sr);
        let mut out = Vec::new();
        for i in 0..9_600 {
            out.push(ringz.tick(0, if i == 0 { 1.0 } else { 0.0 }));
        }
        let peak = |from: usize| {
            out[from..from + 480]
                .iter()
                .fold(0.0f32, |m, x| m.max(x.abs()))
        };
        // 60 dB down after 0.1 s.
        let fall = peak(4_800) / peak(0);
        assert!((fall - 0.001).abs() < 0.0003, "{fall}");
    }

    #[test]
    fn a_small_rq_rings_at_the_cutoff() {
        let sr = 48_000.0;
        let resonant = Resonant::new(Kind::LowPass, 1000.0, 0.1, sr);
        // Q 10: about 20 dB of peak.
        let g = gain(resonant, 1000.0);
        assert!((8.0..12.0).contains(&g), "{g}");
    }
}
