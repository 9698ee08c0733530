//! Envelopes and effects measured on real output.

use dsp::{Context, In, Make};
use pattern::{Span, Time};

const RATE: f32 = 48_000.0;

/// Runs `make`'s node over `signal` (mono) with constant parameters; returns both channels.
fn run(make: Make, signal: &[f32], params: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let mut dsp = make(RATE, 2);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let (mut l, mut r) = (vec![0.0; 128], vec![0.0; 128]);
    for chunk in signal.chunks(128) {
        let mut inputs = vec![In::Mono(chunk)];
        inputs.extend(params.iter().map(|&p| In::Const(p)));
        let arena = bumpalo::Bump::new();
        let ctx = Context::new(RATE, chunk.len(), Span::new(Time::ZERO, Time::ZERO), &arena);
        dsp.process(
            &ctx,
            &inputs,
            &mut [&mut l[..chunk.len()], &mut r[..chunk.len()]],
        );
        left.extend_from_slice(&l[..chunk.len()]);
        right.extend_from_slice(&r[..chunk.len()]);
    }
    (left, right)
}

fn impulse(seconds: f32) -> Vec<f32> {
    let mut x = vec![0.0; (seconds * RATE) as usize];
    x[0] = 1.0;
    x
}

fn seconds(s: f32) -> usize {
    (s * RATE) as usize
}

#[test]
fn adsr_follows_its_gate() {
    let mut gate = vec![1.0f32; seconds(0.5)];
    gate.extend(vec![0.0; seconds(0.5)]);
    let (env, _) = run(dsp::envelopes::make_adsr, &gate, &[0.1, 0.1, 0.5, 0.2]);
    let at = |s: f32| env[seconds(s)];
    assert!(
        (at(0.05) - 0.5).abs() < 0.01,
        "half-way up the attack: {}",
        at(0.05)
    );
    assert!((at(0.1) - 1.0).abs() < 0.01, "peak: {}", at(0.1));
    assert!(
        (at(0.15) - 0.75).abs() < 0.01,
        "half-way down the decay: {}",
        at(0.15)
    );
    assert!((at(0.4) - 0.5).abs() < 1e-6, "sustain: {}", at(0.4));
    assert!(
        (at(0.6) - 0.25).abs() < 0.01,
        "half-way through the release: {}",
        at(0.6)
    );
    assert_eq!(at(0.8), 0.0);
    let (ar, _) = run(dsp::envelopes::make_ar, &gate, &[0.01, 0.1]);
    assert_eq!(ar[seconds(0.3)], 1.0);
    assert!((ar[seconds(0.55)] - 0.5).abs() < 0.01);
}

#[test]
fn delay_echoes_at_its_time_and_fades_by_its_feedback() {
    let (y, _) = run(dsp::delays::make_delay, &impulse(1.0), &[0.25, 0.5, 1.0]);
    let peaks: Vec<(usize, f32)> = y
        .iter()
        .enumerate()
        .filter(|(_, &v)| v.abs() > 0.01)
        .map(|(i, &v)| (i, v))
        .collect();
    assert_eq!(peaks[0].0, seconds(0.25), "first echo at 250 ms");
    assert!((peaks[0].1 - 1.0).abs() < 1e-3);
    let second = peaks.iter().find(|(i, _)| *i > seconds(0.3)).unwrap();
    assert_eq!(second.0, seconds(0.5));
    assert!(
        (second.1 - 0.5).abs() < 1e-3,
        "feedback halves each echo: {}",
        second.1
    );
}

#[test]
fn reverb_rings_decays_and_spreads_in_stereo() {
    let (l, r) = run(
        dsp::reverbs::freeverb::make_reverb,
        &impulse(4.0),
        &[0.8, 0.5, 1.0],
    );
    let energy = |x: &[f32]| x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>();
    let early = energy(&l[seconds(0.05)..seconds(0.55)]);
    let late = energy(&l[seconds(3.0)..seconds(3.5)]);
    assert!(early > 1e-4, "the room rings: {early}");
    assert!(late < early * 1e-3, "and decays: {late} vs {early}");
    let difference: f64 = l
        .iter()
        .zip(&r)
        .map(|(a, b)| f64::from(a - b).powi(2))
        .sum();
    assert!(difference > 0.1 * energy(&l), "left and right differ");
    assert!(l.iter().chain(&r).all(|v| v.is_finite()));
}

#[test]
fn distortion_is_bounded_and_limiter_holds_its_threshold() {
    let loud: Vec<f32> = (0..seconds(0.5))
        .map(|i| 4.0 * (i as f32 * 0.05).sin())
        .collect();
    let (d, _) = run(dsp::dynamics::distortion::make_distort, &loud, &[5.0, 1.0]);
    assert!(d.iter().all(|v| v.abs() <= 1.0));
    let (lim, _) = run(dsp::dynamics::make_limiter, &loud, &[0.5, 0.05]);
    let peak = lim.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(peak <= 0.5 + 1e-6, "peak {peak}");
    assert!(peak > 0.45);
}

#[test]
fn bitcrush_quantises_and_holds() {
    let ramp: Vec<f32> = (0..1024).map(|i| i as f32 / 1024.0 - 0.5).collect();
    let (y, _) = run(dsp::dynamics::distortion::make_bitcrush, &ramp, &[3.0, 4.0]);
    let mut levels: Vec<i32> = y.iter().map(|v| (v * 4.0).round() as i32).collect();
    assert!(
        y.iter().all(|v| (v * 4.0 - (v * 4.0).round()).abs() < 1e-6),
        "values on a 3-bit grid"
    );
    levels.dedup();
    assert!(levels.len() <= 5);
    assert!(
        y.chunks(4).skip(1).all(|c| c.iter().all(|&v| v == c[0])),
        "each value held 4 samples"
    );
}

#[test]
fn chorus_is_stereo_and_keeps_the_level() {
    let tone: Vec<f32> = (0..seconds(1.0)).map(|i| (i as f32 * 0.05).sin()).collect();
    let (l, r) = run(dsp::modulation::make_chorus, &tone, &[0.8, 0.5, 0.5]);
    let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
    assert!(rms(&l[seconds(0.1)..]) > 0.4 && rms(&r[seconds(0.1)..]) > 0.4);
    assert!(l.iter().zip(&r).any(|(a, b)| (a - b).abs() > 0.05));
}

#[test]
fn the_ladder_rolls_off_steeply_and_resonates() {
    let tone = |freq: f32| -> Vec<f32> {
        (0..seconds(1.0))
            .map(|i| (std::f32::consts::TAU * freq * i as f32 / RATE).sin() * 0.5)
            .collect()
    };
    let gain_db = |freq: f32, resonance: f32| {
        let input = tone(freq);
        let (y, _) = run(
            dsp::filters::ladder::make_moog,
            &input,
            &[1000.0, resonance],
        );
        let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
        20.0 * (rms(&y[seconds(0.2)..]) / rms(&input[seconds(0.2)..])).log10()
    };
    assert!(
        gain_db(100.0, 0.0).abs() < 1.5,
        "pass band {}",
        gain_db(100.0, 0.0)
    );
    assert!(
        gain_db(4000.0, 0.0) < -30.0,
        "two octaves up {}",
        gain_db(4000.0, 0.0)
    );
    assert!(
        gain_db(1000.0, 0.9) > gain_db(1000.0, 0.0) + 6.0,
        "resonance lifts the cutoff: {} vs {}",
        gain_db(1000.0, 0.9),
        gain_db(1000.0, 0.0)
    );
}

#[test]
fn live_input_is_silent_offline_and_passes_a_bound_buffer() {
    let setup = dsp::Setup {
        sample_rate: RATE,
        channels: 1,
        bank: std::sync::Arc::new(dsp::samples::bank::SampleBank::new(RATE as u32)),
        sampler_voices: 1,
        named: Default::default(),
    };
    let mut node = dsp::Kind::Node(&dsp::live::LIVE_INPUT).make(&setup);
    let bound = [0.25f32; 64];
    let mut out = [1.0f32; 64];
    let arena = bumpalo::Bump::new();
    let ctx = Context::new(RATE, 64, Span::new(Time::ZERO, Time::ZERO), &arena);
    node.process(&ctx, &[In::Const(1.0)], &mut [&mut out[..]]);
    assert!(out.iter().all(|&v| v == 0.0));
    node.process(
        &ctx,
        &[In::Const(1.0), In::Mono(&bound)],
        &mut [&mut out[..]],
    );
    assert!(out.iter().all(|&v| v == 0.25));
}

#[test]
fn flush_to_zero_applies_to_the_calling_thread() {
    std::thread::spawn(|| {
        let tiny = std::hint::black_box(f32::MIN_POSITIVE);
        assert!((tiny * std::hint::black_box(0.5)).is_subnormal());
        dsp::flush_denormals();
        assert_eq!(tiny * std::hint::black_box(0.5), 0.0);
    })
    .join()
    .unwrap();
}

#[test]
fn outputs_are_clamped_and_counted() {
    let mut buffer = [0.5, f32::NAN, f32::INFINITY, -100.0, 1e-30, -0.25];
    assert_eq!(dsp::clamp_output(&mut buffer), 3);
    assert_eq!(buffer, [0.5, 0.0, 0.0, -dsp::OUTPUT_LIMIT, 0.0, -0.25]);
}
