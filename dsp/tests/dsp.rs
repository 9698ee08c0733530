//! The node library's DSP measured on real output: frequencies, spectra, filter responses,
//! denormals, NaN, and no allocation while processing.

use dsp::{Context, In, Node};
use pattern::{Span, Time};
use rustfft::{num_complex::Complex, FftPlanner};
use std::f32::consts::FRAC_1_SQRT_2;

mod common;
use common::{db, rms, sine_wave, spectrum, zero_crossing_frequency, RATE};

/// Runs `dsp` for `seconds` in blocks of `block` frames with constant inputs; returns channel 0.
fn render(dsp: &mut dyn Node, inputs: &[In<'_>], seconds: f32, block: usize) -> Vec<f32> {
    let total = (seconds * RATE) as usize;
    let mut out = Vec::with_capacity(total);
    let (mut left, mut right) = (vec![0.0; block], vec![0.0; block]);
    while out.len() < total {
        let frames = block.min(total - out.len());
        let arena = bumpalo::Bump::new();
        let ctx = Context::new(RATE, frames, Span::new(Time::ZERO, Time::ZERO), &arena);
        dsp.process(&ctx, inputs, &mut [&mut left[..], &mut right[..]]);
        out.extend_from_slice(&left[..frames]);
    }
    out
}

/// Runs `dsp` over an input signal, block by block.
fn filter_signal(dsp: &mut dyn Node, signal: &[f32], params: &[In<'_>], block: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(signal.len());
    let mut buffer = vec![0.0; block];
    for chunk in signal.chunks(block) {
        let mut inputs = vec![In::Mono(chunk)];
        inputs.extend_from_slice(params);
        let arena = bumpalo::Bump::new();
        let ctx = Context::new(RATE, chunk.len(), Span::new(Time::ZERO, Time::ZERO), &arena);
        dsp.process(&ctx, &inputs, &mut [&mut buffer[..chunk.len()]]);
        out.extend_from_slice(&buffer[..chunk.len()]);
    }
    out
}

#[test]
fn a_sine_is_within_a_thousandth_of_its_frequency_across_blocks() {
    for freq in [55.0, 440.0, 1234.5, 9000.0] {
        let mut sine = dsp::oscillators::make_sine(RATE, 1);
        let out = render(sine.as_mut(), &[In::Const(freq)], 2.0, 64);
        let measured = zero_crossing_frequency(&out);
        let error = (measured - f64::from(freq)).abs() / f64::from(freq);
        assert!(error < 0.001, "{freq} Hz measured as {measured}");
        assert!((rms(&out) - std::f64::consts::FRAC_1_SQRT_2).abs() < 0.01);
    }
}

/// The strongest spectral peak away from the harmonics of `freq`, relative to the fundamental, in
/// dB (Blackman-Harris window, one second).
fn worst_alias_db(x: &[f32], freq: f64) -> f64 {
    let n = x.len();
    let window = |i: usize| {
        let t = std::f64::consts::TAU * i as f64 / n as f64;
        0.35875 - 0.48829 * t.cos() + 0.14128 * (2.0 * t).cos() - 0.01168 * (3.0 * t).cos()
    };
    let mut buffer: Vec<Complex<f64>> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| Complex::new(f64::from(v) * window(i), 0.0))
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buffer);
    let bin_hz = f64::from(RATE) / n as f64;
    let magnitude: Vec<f64> = buffer[..n / 2].iter().map(|c| c.norm()).collect();
    let fundamental = magnitude[(freq / bin_hz).round() as usize];
    let near_harmonic = |bin: usize| {
        let f = bin as f64 * bin_hz;
        let k = (f / freq).round();
        k >= 1.0 && (f - k * freq).abs() < 6.0 * bin_hz
    };
    let worst = magnitude
        .iter()
        .enumerate()
        .skip(10)
        .filter(|&(bin, _)| !near_harmonic(bin))
        .map(|(_, &m)| m)
        .fold(0.0, f64::max);
    db(worst / fundamental)
}

#[test]
fn band_limited_saw_aliasing_is_at_least_40_db_down() {
    for freq in [110.0f32, 443.0, 997.0, 2500.0] {
        let mut saw = dsp::oscillators::make_saw(RATE, 1);
        let out = render(saw.as_mut(), &[In::Const(freq)], 1.0, 128);
        let alias = worst_alias_db(&out, f64::from(freq));
        assert!(alias < -40.0, "saw at {freq} Hz: worst alias {alias:.1} dB");
    }
}

#[test]
fn square_and_triangle_are_band_limited_too() {
    for make in [
        dsp::oscillators::make_square as dsp::Make,
        dsp::oscillators::make_tri,
    ] {
        let mut o = make(RATE, 1);
        let out = render(o.as_mut(), &[In::Const(997.0), In::Const(0.5)], 1.0, 128);
        let alias = worst_alias_db(&out, 997.0);
        assert!(alias < -40.0, "worst alias {alias:.1} dB");
        assert!(rms(&out) > 0.5, "level {}", rms(&out));
    }
}

/// The bilinear-transformed second-order response at `f` for cutoff `fc` (Butterworth at Q 0.707).
fn butterworth_db(f: f64, fc: f64, high_pass: bool) -> f64 {
    let warp = |x: f64| (std::f64::consts::PI * x / f64::from(RATE)).tan();
    let ratio = warp(f) / warp(fc);
    let r = if high_pass { 1.0 / ratio } else { ratio };
    db(1.0 / (1.0 + r.powi(4)).sqrt())
}

fn response_db(make: dsp::Make, freq: f32, cutoff: f32, q: f32) -> f64 {
    let input = sine_wave(freq, 1.0);
    let mut f = make(RATE, 1);
    let out = filter_signal(f.as_mut(), &input, &[In::Const(cutoff), In::Const(q)], 256);
    // Skip the first tenth of a second, while the filter settles.
    let settle = (0.1 * RATE) as usize;
    db(rms(&out[settle..]) / rms(&input[settle..]))
}

#[test]
fn filters_attenuate_an_octave_past_cutoff_as_theory_says() {
    let lpf = response_db(
        dsp::filters::make_lpf,
        2000.0,
        1000.0,
        std::f32::consts::FRAC_1_SQRT_2,
    );
    let theory = butterworth_db(2000.0, 1000.0, false);
    assert!(
        (lpf - theory).abs() < 1.0,
        "lpf {lpf:.2} dB, theory {theory:.2} dB"
    );
    assert!(
        (lpf - -12.3).abs() < 1.0,
        "analog theory is -12.3 dB, got {lpf:.2}"
    );
    let hpf = response_db(
        dsp::filters::make_hpf,
        500.0,
        1000.0,
        std::f32::consts::FRAC_1_SQRT_2,
    );
    let theory = butterworth_db(500.0, 1000.0, true);
    assert!(
        (hpf - theory).abs() < 1.0,
        "hpf {hpf:.2} dB, theory {theory:.2} dB"
    );
    let passband = response_db(
        dsp::filters::make_lpf,
        100.0,
        1000.0,
        std::f32::consts::FRAC_1_SQRT_2,
    );
    assert!(passband.abs() < 0.1, "pass band {passband:.2} dB");
    let bpf = response_db(dsp::filters::make_bpf, 1000.0, 1000.0, 2.0);
    assert!(bpf.abs() < 0.5, "band-pass at its centre {bpf:.2} dB");
    let notch = response_db(dsp::filters::make_notch, 1000.0, 1000.0, 2.0);
    assert!(notch < -30.0, "notch at its centre {notch:.2} dB");
}

#[test]
fn a_cutoff_jump_is_smoothed_into_no_click() {
    // A low sine through a low-pass whose cutoff jumps from 200 Hz to 8 kHz: without smoothing the
    // output steps; with it, consecutive samples stay close.
    let input = sine_wave(100.0, 0.5);
    let mut f = dsp::filters::make_lpf(RATE, 1);
    let mut out = Vec::new();
    for (n, chunk) in input.chunks(64).enumerate() {
        let cutoff = if n < 100 { 200.0 } else { 8000.0 };
        let mut buffer = vec![0.0; chunk.len()];
        let arena = bumpalo::Bump::new();
        let ctx = Context::new(RATE, chunk.len(), Span::new(Time::ZERO, Time::ZERO), &arena);
        f.process(
            &ctx,
            &[In::Mono(chunk), In::Const(cutoff), In::Const(0.707)],
            &mut [&mut buffer[..]],
        );
        out.extend(buffer);
    }
    let largest_step = out
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    // A 100 Hz unit sine moves at most 2π·100/48000 ≈ 0.013 per sample.
    assert!(largest_step < 0.03, "largest step {largest_step}");
}

#[test]
fn nan_and_denormals_never_reach_the_output() {
    let mut f = dsp::filters::make_lpf(RATE, 1);
    let mut impulse = vec![0.0f32; 480_000];
    impulse[0] = 1.0;
    impulse[10] = f32::NAN;
    impulse[20] = f32::INFINITY;
    let out = filter_signal(
        f.as_mut(),
        &impulse,
        &[In::Const(f32::NAN), In::Const(0.707)],
        128,
    );
    assert!(out.iter().all(|x| x.is_finite()));
    assert!(
        out.iter().all(|&x| x == 0.0 || x.is_normal()),
        "a subnormal reached the output"
    );
    assert_eq!(*out.last().unwrap(), 0.0, "the tail decays to exact zero");
}

#[test]
fn pan_is_equal_power() {
    let mut pan = dsp::levels::make_pan(RATE, 2);
    let (mut l, mut r) = ([0.0f32; 4], [0.0f32; 4]);
    let arena = bumpalo::Bump::new();
    let ctx = Context::new(RATE, 4, Span::new(Time::ZERO, Time::ZERO), &arena);
    for (position, want) in [
        (0.0, (FRAC_1_SQRT_2, FRAC_1_SQRT_2)),
        (-1.0, (1.0, 0.0)),
        (1.0, (0.0, 1.0)),
    ] {
        pan.process(
            &ctx,
            &[In::Const(1.0), In::Const(position)],
            &mut [&mut l[..], &mut r[..]],
        );
        assert!(
            (l[0] - want.0).abs() < 1e-3 && (r[0] - want.1).abs() < 1e-3,
            "{position}: {l:?} {r:?}"
        );
        assert!((l[0] * l[0] + r[0] * r[0] - 1.0).abs() < 1e-3);
    }
}

#[test]
fn noise_is_white_and_pink_is_quieter_at_the_top() {
    let mut white = dsp::oscillators::make_noise(RATE, 1);
    let w = render(white.as_mut(), &[], 1.0, 512);
    assert!((rms(&w) - 0.577).abs() < 0.01, "white rms {}", rms(&w));
    let mean = w.iter().map(|&x| f64::from(x)).sum::<f64>() / w.len() as f64;
    assert!(mean.abs() < 0.01);
    let mut pink = dsp::oscillators::make_pink(RATE, 1);
    let p = render(pink.as_mut(), &[], 1.0, 512);
    // A one-pole difference (a rough high-pass) keeps far less of pink noise than of white.
    let diff = |x: &[f32]| rms(&x.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()) / rms(x);
    assert!(
        diff(&p) < 0.5 * diff(&w),
        "pink {} white {}",
        diff(&p),
        diff(&w)
    );
}

/// Power per octave band of `x` (Welch: averaged Hann-windowed 4,096-point spectra), for the
/// octaves from `low` Hz up, `count` of them, in dB.
fn octave_powers(x: &[f32], low: f64, count: usize) -> Vec<f64> {
    let n = 4_096;
    let fft = FftPlanner::new().plan_fft_forward(n);
    let mut power = vec![0.0f64; n / 2];
    let window = |i: usize| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos();
    for chunk in x.chunks_exact(n) {
        let mut buffer: Vec<Complex<f64>> = chunk
            .iter()
            .enumerate()
            .map(|(i, &v)| Complex::new(f64::from(v) * window(i), 0.0))
            .collect();
        fft.process(&mut buffer);
        for (p, c) in power.iter_mut().zip(&buffer) {
            *p += c.norm_sqr();
        }
    }
    let bin_hz = f64::from(RATE) / n as f64;
    (0..count)
        .map(|k| {
            let (from, to) = (low * 2f64.powi(k as i32), low * 2f64.powi(k as i32 + 1));
            let band: f64 = (0..n / 2)
                .filter(|&b| (from..to).contains(&(b as f64 * bin_hz)))
                .map(|b| power[b])
                .sum();
            10.0 * band.log10()
        })
        .collect()
}

/// The mean change in power density from one octave to the next, in dB per octave: an
/// octave band holds twice the bins of the one below, so band power rises 3 dB more than the
/// density does.
fn slope(powers: &[f64]) -> f64 {
    let steps: Vec<f64> = powers.windows(2).map(|w| w[1] - w[0] - 3.0103).collect();
    steps.iter().sum::<f64>() / steps.len() as f64
}

#[test]
fn white_pink_and_brown_noise_fall_by_0_3_and_6_db_an_octave() {
    let mut white = dsp::oscillators::make_noise(RATE, 1);
    let mut pink = dsp::oscillators::make_pink(RATE, 1);
    let mut brown = dsp::oscillators::make_brown(RATE, 1);
    let bands = |node: &mut dyn Node| octave_powers(&render(node, &[], 20.0, 512), 100.0, 7);
    let (w, p, b) = (
        slope(&bands(white.as_mut())),
        slope(&bands(pink.as_mut())),
        slope(&bands(brown.as_mut())),
    );
    assert!(w.abs() < 1.0, "white: {w:.2} dB/octave");
    assert!((p + 3.0).abs() < 1.0, "pink: {p:.2} dB/octave");
    assert!((b + 6.0).abs() < 1.0, "brown: {b:.2} dB/octave");
    // Brown noise stays bounded (the leak), and none of them clips.
    let x = render(brown.as_mut(), &[], 10.0, 512);
    assert!(
        x.iter().all(|v| v.abs() < 1.0),
        "brown peaks at {}",
        x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
    );
}

#[test]
fn ring_modulation_leaves_the_sum_and_difference_and_no_carrier() {
    let input = sine_wave(440.0, 1.0);
    let mut ring = dsp::modulation::make_ring_mod(RATE, 1);
    let out = filter_signal(ring.as_mut(), &input, &[In::Const(100.0)], 256);
    let n = 32_768;
    let magnitudes = spectrum(&out[..n]);
    // The energy within three bins of the frequency (the tones fall between bins).
    let bin = |hz: f64| {
        let k = (hz * n as f64 / f64::from(RATE)).round() as usize;
        (k - 3..=k + 3)
            .map(|b| magnitudes[b].powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let (sum, difference, carrier, input_tone) = (bin(540.0), bin(340.0), bin(100.0), bin(440.0));
    assert!(
        (db(sum / difference)).abs() < 0.5,
        "sum and difference equal: {sum} {difference}"
    );
    assert!(
        db(carrier / sum) < -60.0,
        "no carrier: {:.1} dB",
        db(carrier / sum)
    );
    assert!(
        db(input_tone / sum) < -60.0,
        "no input tone: {:.1} dB",
        db(input_tone / sum)
    );
}

#[test]
fn impulses_fall_on_their_periods_lag_reaches_63_percent_at_its_time_and_pan_sides_are_equal_power()
{
    // 100 Hz at 48 kHz: one impulse every 480 frames, the first on frame 0.
    let mut impulse = dsp::oscillators::make_impulse(RATE, 1);
    let x = render(impulse.as_mut(), &[In::Const(100.0)], 0.1, 128);
    let at: Vec<usize> = (0..x.len()).filter(|&i| x[i] != 0.0).collect();
    assert_eq!(at, (0..10).map(|k| k * 480).collect::<Vec<_>>());
    assert!(at.iter().all(|&i| x[i] == 1.0));
    // A step through a 10 ms lag: 1 − 1/e after 480 frames.
    let mut lag = dsp::levels::make_lag(RATE, 1);
    let step = vec![1.0f32; 4_800];
    let y = filter_signal(lag.as_mut(), &step, &[In::Const(0.01)], 128);
    assert!(
        (y[479] - (1.0 - (-1.0f32).exp())).abs() < 0.002,
        "{}",
        y[479]
    );
    assert!(y[4_799] > 0.9999);
    // The two sides of a pan: equal power everywhere, all left at -1.
    let tone = sine_wave(440.0, 0.1);
    for (pan, left, right) in [
        (-1.0f32, 1.0f64, 0.0f64),
        (0.0, FRAC_1_SQRT_2 as f64, FRAC_1_SQRT_2 as f64),
        (1.0, 0.0, 1.0),
    ] {
        let mut l = dsp::levels::make_pan2_l(RATE, 1);
        let mut r = dsp::levels::make_pan2_r(RATE, 1);
        let lo = filter_signal(l.as_mut(), &tone, &[In::Const(pan)], 128);
        let ro = filter_signal(r.as_mut(), &tone, &[In::Const(pan)], 128);
        assert!(
            (rms(&lo) / rms(&tone) - left).abs() < 1e-4,
            "pan {pan}: left"
        );
        assert!(
            (rms(&ro) / rms(&tone) - right).abs() < 1e-4,
            "pan {pan}: right"
        );
    }
}

#[test]
fn line_and_xline_reach_their_ends_on_the_frame_and_hold() {
    // 0 → 1 over 10 ms (480 frames): 0.5 at frame 240, 1 from frame 480 on.
    let mut line = dsp::envelopes::make_line(RATE, 1);
    let x = render(
        line.as_mut(),
        &[In::Const(0.0), In::Const(1.0), In::Const(0.01)],
        0.02,
        100,
    );
    assert_eq!(x[0], 0.0);
    assert!((x[240] - 0.5).abs() < 1e-6, "{}", x[240]);
    assert!(
        x[479] < 1.0 && x[480] == 1.0 && x[959] == 1.0,
        "{} {}",
        x[479],
        x[480]
    );
    // 1000 → 10 exponentially: 100 half-way (a geometric mean), 10 at the end.
    let mut xline = dsp::envelopes::make_xline(RATE, 1);
    let y = render(
        xline.as_mut(),
        &[In::Const(1000.0), In::Const(10.0), In::Const(0.01)],
        0.02,
        64,
    );
    assert!((y[240] - 100.0).abs() < 0.01, "{}", y[240]);
    assert!((y[480] - 10.0).abs() < 1e-3 && (y[900] - 10.0).abs() < 1e-3);
}
