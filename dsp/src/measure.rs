//! Test measurements of rendered sound: the level of one frequency, and of a band.

use rustfft::num_complex::Complex32;
use rustfft::FftPlanner;
use std::f32::consts::TAU;

/// The sample rate the measurements assume.
pub(crate) const SR: f32 = 48_000.0;

/// The level of `x` at `freq` Hz: one DFT bin under a Hann window, scaled so a sine of
/// amplitude 1 gives 1.
pub(crate) fn level_at(x: &[f32], freq: f32) -> f32 {
    let n = x.len() as f32;
    let (re, im) = x.iter().enumerate().fold((0.0, 0.0), |(re, im), (i, &v)| {
        let hann = 0.5 - 0.5 * (TAU * i as f32 / n).cos();
        let w = TAU * freq * i as f32 / SR;
        (re + hann * v * w.cos(), im + hann * v * w.sin())
    });
    (re * re + im * im).sqrt() * 4.0 / n
}

/// The level of `x` between `lo` and `hi` Hz: the root of the power of its spectrum's bins
/// there (a 16,384-frame FFT of its end under a Hann window, scaled so a sine of amplitude 1
/// gives 1).
pub(crate) fn band(x: &[f32], lo: f32, hi: f32) -> f32 {
    const N: usize = 16_384;
    let mut bins: Vec<Complex32> = x[x.len() - N..]
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let hann = 0.5 - 0.5 * (TAU * i as f32 / N as f32).cos();
            Complex32::new(v * hann, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(N).process(&mut bins);
    let width = SR / N as f32;
    let power: f32 = bins[..N / 2]
        .iter()
        .enumerate()
        .filter(|(k, _)| (lo..=hi).contains(&(*k as f32 * width)))
        .map(|(_, z)| z.norm_sqr())
        .sum();
    // A Hann window's power over its main lobe is 3/8 of the sine's.
    (power / 1.5).sqrt() * 4.0 / N as f32
}

/// The frequency of the strongest partial of `x` between `lo` and `hi` Hz: the peak bin of a
/// zero-padded FFT under a Hann window, placed between bins by a parabola through its
/// neighbours.
pub(crate) fn strongest(x: &[f32], lo: f32, hi: f32) -> f32 {
    let n = (4 * x.len()).next_power_of_two();
    let mut bins: Vec<Complex32> = (0..n)
        .map(|i| {
            let v = x.get(i).map_or(0.0, |&v| {
                v * (0.5 - 0.5 * (TAU * i as f32 / x.len() as f32).cos())
            });
            Complex32::new(v, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut bins);
    let width = SR / n as f32;
    let range = ((lo / width).ceil() as usize).max(1)..((hi / width) as usize).min(n / 2 - 1);
    let peak = range
        .max_by(|&a, &b| bins[a].norm().total_cmp(&bins[b].norm()))
        .unwrap_or(1);
    let [a, b, c] = [peak - 1, peak, peak + 1].map(|k| bins[k].norm());
    let offset = 0.5 * (a - c) / (a - 2.0 * b + c);
    (peak as f32 + if offset.is_finite() { offset } else { 0.0 }) * width
}
