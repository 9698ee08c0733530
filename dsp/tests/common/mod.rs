//! Measurements shared by the DSP tests: test signals, levels and frequencies.

#![allow(dead_code)]

use rustfft::{num_complex::Complex, FftPlanner};

/// The rate the tests run at.
pub const RATE: f32 = 48_000.0;

/// A unit sine at `freq` for `seconds`, computed in f64.
pub fn sine_wave(freq: f32, seconds: f32) -> Vec<f32> {
    (0..(seconds * RATE) as usize)
        .map(|i| {
            (std::f64::consts::TAU * f64::from(freq) * i as f64 / f64::from(RATE)).sin() as f32
        })
        .collect()
}

/// Root mean square.
pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64).sqrt()
}

/// A ratio in decibels.
pub fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

/// Frequency from rising zero crossings, interpolated between samples.
pub fn zero_crossing_frequency(x: &[f32]) -> f64 {
    let mut crossings = Vec::new();
    for i in 1..x.len() {
        if x[i - 1] < 0.0 && x[i] >= 0.0 {
            let frac = f64::from(-x[i - 1]) / f64::from(x[i] - x[i - 1]);
            crossings.push(i as f64 - 1.0 + frac);
        }
    }
    let (first, last) = (crossings[0], crossings[crossings.len() - 1]);
    (crossings.len() - 1) as f64 / ((last - first) / f64::from(RATE))
}

/// Magnitudes of a Hann-windowed FFT, bin `k` at `k * RATE / n` Hz.
pub fn spectrum(x: &[f32]) -> Vec<f64> {
    let n = x.len();
    let mut buffer: Vec<Complex<f64>> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let w = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos();
            Complex::new(f64::from(v) * w, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buffer);
    buffer[..n / 2].iter().map(|c| c.norm()).collect()
}
