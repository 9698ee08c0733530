//! A Hilbert transformer: two chains of second-order all-passes whose outputs stay a quarter
//! cycle apart from about 20 Hz to 20 kHz (Olli Niemitalo's public-domain coefficients), the
//! real and imaginary parts of the analytic signal. Frequency shifting
//! ([`FrequencyShifter`]) multiplies that by a rotating phasor, as SuperCollider's `FreqShift`
//! does.

use std::f32::consts::TAU;

/// The squared all-pass coefficients of the chain that gives the real part (which also runs a
/// frame late).
const REAL: [f32; 4] = [
    0.692_387_8 * 0.692_387_8,
    0.936_065_4 * 0.936_065_4,
    0.988_229_5 * 0.988_229_5,
    0.998_748_8 * 0.998_748_8,
];
/// The same for the imaginary part.
const IMAGINARY: [f32; 4] = [
    0.402_192_1 * 0.402_192_1,
    0.856_171_1 * 0.856_171_1,
    0.972_290_9 * 0.972_290_9,
    0.995_288_5 * 0.995_288_5,
];

/// One chain of four all-passes `y[n] = a²(x[n] + y[n-2]) - x[n-2]`.
#[derive(Clone, Copy, Default)]
struct Chain {
    /// Per section: the inputs and outputs of the last two frames.
    state: [[f32; 4]; 4],
}

impl Chain {
    fn tick(&mut self, coefficients: &[f32; 4], mut x: f32) -> f32 {
        for (s, &a) in self.state.iter_mut().zip(coefficients) {
            let [x1, x2, y1, y2] = *s;
            let y = a * (x + y2) - x2;
            *s = [x, x1, y, y1];
            x = y;
        }
        x
    }
}

/// The analytic signal of one channel.
#[derive(Clone, Copy, Default)]
pub(crate) struct Hilbert {
    real: Chain,
    imaginary: Chain,
    late: f32,
}

impl Hilbert {
    /// The real and imaginary parts for the next frame `x`.
    pub(crate) fn tick(&mut self, x: f32) -> (f32, f32) {
        let re = std::mem::replace(&mut self.late, self.real.tick(&REAL, x));
        // This pair's second chain leads the first by a quarter cycle: the imaginary part
        // lags.
        let im = -self.imaginary.tick(&IMAGINARY, x);
        (re, im)
    }
}

/// Single-sideband modulation: every partial moved up (or, shifting by a negative amount,
/// down) by the same number of hertz.
#[derive(Clone, Copy, Default)]
pub(crate) struct FrequencyShifter {
    channels: [Hilbert; 2],
    /// The phasor's turn, in cycles.
    turn: f64,
}

impl FrequencyShifter {
    /// Starts from silence, the phasor at `phase` radians.
    pub(crate) fn new(phase: f32) -> FrequencyShifter {
        FrequencyShifter {
            channels: [Hilbert::default(); 2],
            turn: f64::from(phase / TAU),
        }
    }

    /// The phasor's angle for this frame, then advanced by `shift` hertz; shared by the
    /// channels of a frame.
    pub(crate) fn advance(&mut self, shift: f32, sample_rate: f32) -> (f32, f32) {
        let angle = (TAU as f64 * self.turn) as f32;
        self.turn = (self.turn + f64::from(shift / sample_rate)).rem_euclid(1.0);
        (angle.cos(), angle.sin())
    }

    /// Channel `c`'s frame `x`, shifted by the phasor `(cos, sin)` of this frame.
    pub(crate) fn tick(&mut self, c: usize, x: f32, (cos, sin): (f32, f32)) -> f32 {
        let (re, im) = self.channels[c].tick(x);
        re * cos - im * sin
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{level_at, SR};

    fn shifted(freq: f32, shift: f32) -> Vec<f32> {
        let mut shifter = FrequencyShifter::new(0.0);
        (0..24_000)
            .map(|i| {
                let x = 0.5 * (TAU * freq * i as f32 / SR).sin();
                let phasor = shifter.advance(shift, SR);
                shifter.tick(0, x, phasor)
            })
            .collect()
    }

    #[test]
    fn the_two_parts_are_a_quarter_cycle_apart_across_the_band() {
        for freq in [50.0, 440.0, 5_000.0, 15_000.0] {
            let mut h = Hilbert::default();
            let parts: Vec<(f32, f32)> = (0..24_000)
                .map(|i| h.tick((TAU * freq * i as f32 / SR).sin()))
                .collect();
            // A quarter cycle apart with equal levels: re² + im² is constant.
            let magnitudes: Vec<f32> = parts[12_000..]
                .iter()
                .map(|(re, im)| (re * re + im * im).sqrt())
                .collect();
            let (lo, hi) = magnitudes
                .iter()
                .fold((f32::MAX, f32::MIN), |(lo, hi), &m| (lo.min(m), hi.max(m)));
            assert!(
                hi - lo < 0.03 && (hi - 1.0).abs() < 0.03,
                "{freq}: {lo}..{hi}"
            );
        }
    }

    #[test]
    fn a_tone_moves_by_the_shift_up_or_down() {
        let up = shifted(1_000.0, 200.0);
        assert!((level_at(&up[4_000..], 1_200.0) - 0.5).abs() < 0.02);
        assert!(level_at(&up[4_000..], 800.0) < 0.01);
        let down = shifted(1_000.0, -300.0);
        assert!((level_at(&down[4_000..], 700.0) - 0.5).abs() < 0.02);
        assert!(level_at(&down[4_000..], 1_300.0) < 0.01);
    }
}
