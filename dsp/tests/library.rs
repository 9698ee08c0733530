//! The original Phonon's library, measured against theory on rendered output: envelope segment
//! times to the frame, a plucked string's pitch, delay taps at their times, FM sidebands at
//! Bessel amplitudes, a pitch shifter's ratio, EQ gains, a compressor's static curve, a
//! convolver's exactness, and voices taking their parameters at their onsets.

use dsp::envelopes::triggered::{Breakpoints, Trigger};
use dsp::instruments::Instrument;
use dsp::oscillators::synthesis::Harmonics;
use dsp::{Context, In, Kind, Node, Setup};
use pattern::{Pattern, Span, Time};
use std::sync::Arc;

mod common;
use common::{db, rms, sine_wave, spectrum, zero_crossing_frequency, RATE};

fn setup() -> Setup {
    Setup {
        sample_rate: RATE,
        channels: 2,
        bank: Arc::new(dsp::samples::bank::SampleBank::new(RATE as u32)),
        sampler_voices: 16,
        named: Default::default(),
    }
}

fn numbers(notation: &str) -> Pattern<f64> {
    pattern::mini(notation)
        .unwrap()
        .fmap(|v| v.as_f64().unwrap())
}

/// Plays `node` for `seconds` at one cycle a second in blocks of `block` frames, its first
/// inputs the audio `signals` and then `params`; returns both channels.
fn play(
    node: &mut dyn Node,
    signals: &[&[f32]],
    params: &[In<'_>],
    seconds: f32,
    block: usize,
) -> (Vec<f32>, Vec<f32>) {
    let total = (seconds * RATE) as usize;
    let (mut left, mut right) = (Vec::with_capacity(total), Vec::with_capacity(total));
    let (mut l, mut r) = (vec![0.0; block], vec![0.0; block]);
    let mut done = 0;
    while done < total {
        let frames = block.min(total - done);
        let arena = bumpalo::Bump::new();
        let span = Span::new(
            Time::new(done as i64, RATE as i64),
            Time::new((done + frames) as i64, RATE as i64),
        );
        let ctx = Context::new(RATE, frames, span, &arena);
        let mut inputs: Vec<In<'_>> = signals
            .iter()
            .map(|x| In::Mono(&x[done..done + frames]))
            .collect();
        inputs.extend_from_slice(params);
        node.process(&ctx, &inputs, &mut [&mut l[..frames], &mut r[..frames]]);
        left.extend_from_slice(&l[..frames]);
        right.extend_from_slice(&r[..frames]);
        done += frames;
    }
    (left, right)
}

fn make(kind: Kind) -> Box<dyn Node> {
    kind.make(&setup())
}

/// The largest magnitude within 3 bins of `freq`.
fn peak_at(magnitudes: &[f64], freq: f64, n: usize) -> f64 {
    let bin = (freq * n as f64 / f64::from(RATE)).round() as usize;
    magnitudes[bin.saturating_sub(3)..bin + 4]
        .iter()
        .fold(0.0, |m, &x| m.max(x))
}

/// The frequency of the strongest bin, refined by parabolic interpolation.
fn dominant(x: &[f32]) -> f64 {
    let m = spectrum(x);
    let k = (2..m.len() - 1)
        .max_by(|&a, &b| m[a].total_cmp(&m[b]))
        .unwrap();
    let (a, b, c) = (m[k - 1].ln(), m[k].ln(), m[k + 1].ln());
    let offset = 0.5 * (a - c) / (a - 2.0 * b + c);
    (k as f64 + offset) * f64::from(RATE) / x.len() as f64
}

/// The fundamental by autocorrelation: the lag in `[RATE / high, RATE / low]` where the
/// signal best matches itself, refined by parabolic interpolation.
fn autocorrelation_pitch(x: &[f32], low: f64, high: f64) -> f64 {
    let correlation = |lag: usize| -> f64 {
        let n = x.len() - lag;
        let dot: f64 = (0..n)
            .map(|i| f64::from(x[i]) * f64::from(x[i + lag]))
            .sum();
        let energy: f64 = (0..n)
            .map(|i| f64::from(x[i]).powi(2) + f64::from(x[i + lag]).powi(2))
            .sum();
        2.0 * dot / energy.max(1e-30)
    };
    let (shortest, longest) = (
        (f64::from(RATE) / high) as usize,
        (f64::from(RATE) / low) as usize,
    );
    let scores: Vec<f64> = (shortest - 1..=longest + 1).map(correlation).collect();
    let k = (1..scores.len() - 1)
        .max_by(|&a, &b| scores[a].total_cmp(&scores[b]))
        .unwrap();
    let (a, b, c) = (scores[k - 1], scores[k], scores[k + 1]);
    let lag = (shortest - 1 + k) as f64 + 0.5 * (a - c) / (a - 2.0 * b + c);
    f64::from(RATE) / lag
}

/// The first frame at or after `from` where `x` reaches `level` (within a millionth).
fn first_reaching(x: &[f32], from: usize, level: f32) -> usize {
    from + x[from..]
        .iter()
        .position(|&v| (v - level).abs() < 1e-6)
        .expect("the level is reached")
}

#[test]
fn env_on_a_pattern_attacks_decays_holds_and_releases_on_the_frame() {
    // Events at 0 and 1/2 cycle, each a quarter cycle (12,000 frames) long.
    let mut env = make(Kind::Env(Trigger::Events(numbers("1 ~ 1 ~"))));
    let params = [
        In::Const(1.0),
        In::Const(0.01),
        In::Const(0.1),
        In::Const(0.5),
        In::Const(0.05),
    ];
    let (out, _) = play(env.as_mut(), &[], &params, 1.0, 100);
    // Attack: 480 frames to the top, decay: 4,800 more to the sustain.
    assert_eq!(first_reaching(&out, 0, 1.0), 480);
    assert_eq!(first_reaching(&out, 481, 0.5), 480 + 4_800);
    assert!((out[11_999] - 0.5).abs() < 1e-6);
    // The release starts when the event ends and covers 0.5 in 2,400 frames.
    let silent = first_reaching(&out, 12_000, 0.0);
    assert!(
        (12_000 + 2_398..=12_000 + 2_401).contains(&silent),
        "{silent}"
    );
    // The second event starts the attack again at its onset.
    assert_eq!(out[23_999], 0.0);
    assert_eq!(out[24_000], 0.0);
    assert!(out[24_001] > 0.0);
    assert_eq!(first_reaching(&out, 24_000, 1.0), 24_000 + 480);
}

#[test]
fn ad_restarts_every_cycle_and_env_alone_holds_its_sustain() {
    let mut ad = make(Kind::Ad(Trigger::EveryCycle));
    let (out, _) = play(
        ad.as_mut(),
        &[],
        &[In::Const(0.005), In::Const(0.2)],
        2.0,
        64,
    );
    for cycle in [0, 48_000] {
        assert_eq!(first_reaching(&out, cycle, 1.0), cycle + 240);
        assert_eq!(first_reaching(&out, cycle + 240, 0.0), cycle + 240 + 9_600);
    }
    let mut once = make(Kind::Env(Trigger::Once));
    let params = [
        In::Const(1.0),
        In::Const(0.01),
        In::Const(0.05),
        In::Const(0.3),
        In::Const(0.1),
    ];
    let (out, _) = play(once.as_mut(), &[], &params, 2.0, 64);
    assert_eq!(first_reaching(&out, 0, 1.0), 480);
    assert!(out[30_000..].iter().all(|&v| (v - 0.3).abs() < 1e-6));
}

#[test]
fn segments_pass_their_levels_on_the_frame_and_curves_bend_as_asked() {
    let points = Breakpoints::new(&[0.0, 1.0, 0.5, 0.0], &[0.1, 0.2, 0.1]).unwrap();
    let mut segments = make(Kind::Segments(Some(Arc::new(points))));
    let (out, _) = play(segments.as_mut(), &[], &[], 1.0, 128);
    assert!((out[4_800] - 1.0).abs() < 1e-4);
    assert!((out[2_400] - 0.5).abs() < 1e-4);
    assert!((out[14_400] - 0.5).abs() < 1e-4);
    assert!(out[19_200].abs() < 1e-4);
    assert!(out[19_200..].iter().all(|&v| v == 0.0));
    // curve 0 is a straight line; a positive curve starts slowly, a negative one fast.
    let half = |curve: f32| {
        let mut node = make(Kind::Node(&dsp::envelopes::triggered::CURVE));
        let params = [
            In::Const(0.0),
            In::Const(1.0),
            In::Const(1.0),
            In::Const(curve),
        ];
        play(node.as_mut(), &[], &params, 1.0, 256).0[24_000]
    };
    assert!((half(0.0) - 0.5).abs() < 1e-3);
    assert!(half(4.0) < 0.15, "{}", half(4.0));
    assert!(half(-4.0) > 0.85, "{}", half(-4.0));
}

#[test]
fn a_plucked_string_is_within_half_a_percent_of_its_pitch_and_dies_away() {
    for freq in [110.0, 220.0, 440.0, 880.0, 1760.0] {
        let mut pluck = make(Kind::Voices {
            instrument: Instrument::Pluck {
                damping: 0.2,
                pickup: 0.0,
            },
            notes: Some(pattern::pure(freq)),
        });
        let (out, _) = play(pluck.as_mut(), &[], &[], 1.0, 256);
        let measured = autocorrelation_pitch(&out[2_400..2_400 + 8_192], freq * 0.7, freq * 1.4);
        let error = (measured - freq).abs() / freq;
        assert!(error < 0.005, "{freq} Hz measured as {measured}");
        // It dies away (low strings ring longest).
        assert!(
            rms(&out[..4_800]) > 2.0 * rms(&out[43_200..48_000]),
            "{freq}: {} then {}",
            rms(&out[..4_800]),
            rms(&out[43_200..48_000])
        );
    }
}

#[test]
fn multitap_taps_and_a_tape_echo_land_at_their_times() {
    let mut impulse = vec![0.0f32; 48_000];
    impulse[100] = 1.0;
    let mut taps = make(Kind::Node(&dsp::delays::taps::MULTITAP));
    let params = [
        In::Const(0.1),
        In::Const(3.0),
        In::Const(0.5),
        In::Const(1.0),
    ];
    let (out, _) = play(taps.as_mut(), &[&impulse], &params, 1.0, 64);
    for (k, gain) in [(1, 1.0), (2, 0.5), (3, 0.25)] {
        assert!((out[100 + k * 4_800] - gain).abs() < 1e-6, "tap {k}");
    }
    assert!(out[100 + 4 * 4_800].abs() < 1e-6, "three taps only");
    let loud: Vec<usize> = (0..out.len()).filter(|&i| out[i].abs() > 1e-6).collect();
    assert_eq!(loud, [4_900, 9_700, 14_500]);
    // A tape echo with no wow or flutter: the first repeat at its time.
    let mut tape = make(Kind::Node(&dsp::delays::tape::TAPEDELAY));
    let params = [
        In::Const(0.25),
        In::Const(0.5),
        In::Const(0.5),
        In::Const(0.0),
        In::Const(6.0),
        In::Const(0.0),
        In::Const(0.0),
        In::Const(1.0),
    ];
    let (out, _) = play(tape.as_mut(), &[&impulse], &params, 1.0, 64);
    let first = (0..out.len()).find(|&i| out[i].abs() > 0.01).unwrap();
    assert!((100 + 12_000..=100 + 12_001).contains(&first), "{first}");
}

#[test]
fn ping_pong_echoes_alternate_sides() {
    let mut impulse = vec![0.0f32; 48_000];
    impulse[0] = 1.0;
    let mut pingpong = make(Kind::Node(&dsp::delays::taps::PINGPONG));
    let params = [
        In::Const(0.1),
        In::Const(0.5),
        In::Const(1.0),
        In::Const(0.0),
        In::Const(1.0),
    ];
    let (left, right) = play(pingpong.as_mut(), &[&impulse], &params, 1.0, 64);
    assert!((left[4_800] - 1.0).abs() < 1e-6 && right[4_800].abs() < 1e-6);
    assert!((right[9_600] - 0.5).abs() < 1e-6 && left[9_600].abs() < 1e-6);
    assert!((left[14_400] - 0.25).abs() < 1e-6);
}

/// Bessel functions of the first kind, by their series.
fn bessel(n: i32, x: f64) -> f64 {
    (0..30)
        .map(|k| {
            let sign = if k % 2 == 0 { 1.0 } else { -1.0 };
            let factorial = |m: i32| (1..=m).map(f64::from).product::<f64>();
            sign * (x / 2.0).powi(2 * k + n) / (factorial(k) * factorial(k + n))
        })
        .sum()
}

#[test]
fn fm_sidebands_have_bessel_amplitudes() {
    // A second of frames: every whole frequency falls on a bin, so no window scalloping.
    let n = 48_000;
    for index in [0.5, 1.0, 2.0] {
        let mut fm = make(Kind::Node(&dsp::oscillators::synthesis::FM));
        let params = [
            In::Const(1_500.0),
            In::Const(150.0),
            In::Const(index as f32),
        ];
        let (out, _) = play(fm.as_mut(), &[], &params, 1.0, 256);
        let m = spectrum(&out[..n]);
        let carrier = peak_at(&m, 1_500.0, n);
        for k in 1..=2 {
            let expected = (bessel(k, index) / bessel(0, index)).abs();
            let upper = peak_at(&m, 1_500.0 + 150.0 * f64::from(k), n) / carrier;
            let lower = peak_at(&m, 1_500.0 - 150.0 * f64::from(k), n) / carrier;
            for measured in [upper, lower] {
                assert!(
                    (db(measured) - db(expected)).abs() < 0.5,
                    "index {index}, sideband {k}: {measured} against {expected}"
                );
            }
        }
    }
}

#[test]
fn pitch_shift_moves_a_tone_by_its_ratio() {
    let input = sine_wave(440.0, 1.5);
    for semitones in [12.0f32, 7.0, -5.0, -12.0] {
        let mut shifter = make(Kind::Node(&dsp::modulation::pitch::PITCH_SHIFT));
        let (out, _) = play(
            shifter.as_mut(),
            &[&input],
            &[In::Const(semitones)],
            1.5,
            128,
        );
        let expected = 440.0 * 2f64.powf(f64::from(semitones) / 12.0);
        let measured = dominant(&out[8_192..8_192 + 32_768]);
        assert!(
            (measured - expected).abs() / expected < 0.005,
            "{semitones} semitones: {measured} Hz, expected {expected}"
        );
    }
}

#[test]
fn parametric_eq_gains_are_the_ones_asked_for() {
    let gain_at = |freq: f32| {
        let mut eq = make(Kind::Node(&dsp::filters::eq::PARAMETRIC_EQ));
        let params = [
            In::Const(100.0),
            In::Const(-6.0),
            In::Const(0.707),
            In::Const(1_000.0),
            In::Const(9.0),
            In::Const(1.0),
            In::Const(8_000.0),
            In::Const(4.0),
            In::Const(0.707),
        ];
        let input = sine_wave(freq, 1.0);
        let (out, _) = play(eq.as_mut(), &[&input], &params, 1.0, 256);
        db(rms(&out[24_000..]) / rms(&input[24_000..]))
    };
    for (freq, expected) in [(1_000.0, 9.0), (20.0, -6.0), (18_000.0, 4.0), (300.0, 0.9)] {
        let measured = gain_at(freq);
        assert!(
            (measured - expected).abs() < 1.0,
            "{freq} Hz: {measured:.2} dB, expected about {expected} dB"
        );
    }
}

#[test]
fn the_moog_ladder_resonates_at_its_cutoff() {
    // Quiet enough that the ladder's saturation stays out of the way.
    let gain_at = |freq: f32, resonance: f32| {
        let mut moog = make(Kind::Node(&dsp::filters::ladder::MOOG));
        let input: Vec<f32> = sine_wave(freq, 1.0).iter().map(|x| x * 0.01).collect();
        let params = [In::Const(1_000.0), In::Const(resonance)];
        let (out, _) = play(moog.as_mut(), &[&input], &params, 1.0, 256);
        db(rms(&out[24_000..]) / rms(&input[24_000..]))
    };
    // With resonance the cutoff stands above the pass band; without, it is below it.
    assert!(gain_at(1_000.0, 0.9) - gain_at(200.0, 0.9) > 6.0);
    assert!(gain_at(1_000.0, 0.0) < gain_at(200.0, 0.0));
    // Four poles: two octaves past the cutoff is down by about 48 dB from the pass band.
    let fall = gain_at(200.0, 0.0) - gain_at(4_000.0, 0.0);
    assert!(fall > 40.0, "{fall}");
}

#[test]
fn the_compressor_follows_its_static_curve() {
    for (threshold, ratio) in [(-20.0f32, 4.0f32), (-12.0, 2.0)] {
        let mut compressor = make(Kind::Node(&dsp::dynamics::COMPRESSOR));
        let input = sine_wave(200.0, 2.0);
        let params = [
            In::Const(threshold),
            In::Const(ratio),
            In::Const(0.001),
            In::Const(0.5),
            In::Const(0.0),
        ];
        let (out, _) = play(compressor.as_mut(), &[&input], &params, 2.0, 256);
        let peak = out[48_000..].iter().fold(0.0f32, |m, &x| m.max(x.abs()));
        let expected = threshold + (0.0 - threshold) / ratio;
        assert!(
            (db(f64::from(peak)) - f64::from(expected)).abs() < 1.0,
            "{threshold} dB at {ratio}:1: peak {:.2} dBFS",
            db(f64::from(peak))
        );
    }
}

#[test]
fn convolution_with_an_impulse_gives_the_response_one_partition_late() {
    let ir: Vec<f32> = (0..1_000)
        .map(|i| ((i as f32) * 0.37).sin() * 0.99f32.powi(i))
        .collect();
    let mut convolver = dsp::reverbs::convolve::Convolver::new(&ir);
    let mut impulse = vec![0.0f32; 4_096];
    impulse[10] = 1.0;
    let (out, _) = play(
        &mut convolver,
        &[&impulse],
        &[In::Const(1.0)],
        4_096.0 / RATE,
        100,
    );
    let late = dsp::reverbs::convolve::PARTITION + 10;
    for (i, &h) in ir.iter().enumerate() {
        assert!((out[late + i] - h).abs() < 1e-4, "frame {i}");
    }
    assert!(out[..late].iter().all(|&v| v.abs() < 1e-4));
}

#[test]
fn a_flanger_at_its_shortest_delay_cancels_the_tone_half_a_period_long() {
    // Depth 0 leaves the delay at 1 ms: half a period of 500 Hz, so the two paths cancel.
    let mut flanger = make(Kind::Node(&dsp::modulation::FLANGER));
    let input = sine_wave(500.0, 1.0);
    let params = [In::Const(0.0), In::Const(0.5), In::Const(0.0)];
    let (out, _) = play(flanger.as_mut(), &[&input], &params, 1.0, 256);
    assert!(db(rms(&out[4_800..]) / rms(&input[4_800..])) < -40.0);
    // And a full period (1 kHz) adds up.
    let input = sine_wave(1_000.0, 1.0);
    let mut flanger = make(Kind::Node(&dsp::modulation::FLANGER));
    let (out, _) = play(flanger.as_mut(), &[&input], &params, 1.0, 256);
    assert!(db(rms(&out[4_800..]) / rms(&input[4_800..])).abs() < 0.1);
}

#[test]
fn additive_harmonics_and_the_wavetable_are_at_their_frequencies() {
    let n = 48_000;
    let mut additive = make(Kind::Additive(Some(Arc::new(
        Harmonics::new(&[1.0, 0.5, 0.0, 0.25]).unwrap(),
    ))));
    let (out, _) = play(additive.as_mut(), &[], &[In::Const(300.0)], 1.0, 256);
    let m = spectrum(&out[..n]);
    let fundamental = peak_at(&m, 300.0, n);
    assert!((db(peak_at(&m, 600.0, n) / fundamental) - db(0.5)).abs() < 0.2);
    assert!((db(peak_at(&m, 1_200.0, n) / fundamental) - db(0.25)).abs() < 0.2);
    assert!(db(peak_at(&m, 900.0, n) / fundamental) < -60.0);
    let mut table = make(Kind::Node(&dsp::oscillators::synthesis::WAVETABLE));
    let (out, _) = play(table.as_mut(), &[], &[In::Const(220.0)], 1.0, 256);
    let measured = zero_crossing_frequency(&out);
    assert!((measured - 220.0).abs() / 220.0 < 0.001, "{measured}");
}

#[test]
fn super_instruments_sound_like_their_names() {
    let voice = |instrument: Instrument, freq: f64| {
        let mut node = make(Kind::Voices {
            instrument,
            notes: Some(pattern::pure(freq)),
        });
        play(node.as_mut(), &[], &[], 1.0, 256).0
    };
    // The kick's pitch falls to its note once the 50 ms sweep is over; it is over by its
    // sustain.
    let kick = voice(
        Instrument::SuperKick {
            pitch_env: 0.5,
            sustain: 0.3,
            noise: 0.0,
        },
        60.0,
    );
    let late = zero_crossing_frequency(&kick[4_800..12_000]);
    assert!((late - 60.0).abs() < 2.0, "{late}");
    let early = zero_crossing_frequency(&kick[0..1_200]);
    assert!(early > 80.0, "{early}");
    assert!(kick[14_400..].iter().all(|&v| v == 0.0));
    // The hat's energy is above 4 kHz.
    let hat = voice(
        Instrument::SuperHat {
            bright: 0.7,
            sustain: 0.05,
        },
        1.0,
    );
    let m = spectrum(&hat[..2_048]);
    let split = 4_000 * 2_048 / RATE as usize;
    let (low, high): (f64, f64) = (
        m[..split].iter().map(|x| x * x).sum(),
        m[split..].iter().map(|x| x * x).sum(),
    );
    assert!(high > 4.0 * low, "high {high}, low {low}");
    // The supersaw's fundamental is its note, spread around it.
    let saw = voice(
        Instrument::SuperSaw {
            detune: 0.3,
            voices: 7,
        },
        110.0,
    );
    let f = dominant(&saw[4_800..4_800 + 32_768]);
    assert!((f - 110.0).abs() < 110.0 * 0.035, "{f}");
}

#[test]
fn voices_take_pattern_parameters_at_their_onsets() {
    // Two plucks a cycle, the first barely damped and the second heavily: the second dies
    // faster.
    let mut pluck = make(Kind::Voices {
        instrument: Instrument::Pluck {
            damping: 0.5,
            pickup: 0.0,
        },
        notes: Some(numbers("220 220")),
    });
    let damping: Vec<f32> = (0..48_000)
        .map(|i| if i < 24_000 { 0.0 } else { 1.0 })
        .collect();
    let (out, _) = play(pluck.as_mut(), &[&damping], &[], 1.0, 256);
    let decay =
        |from: usize| rms(&out[from + 18_000..from + 22_000]) / rms(&out[from..from + 4_000]);
    assert!(
        decay(0) > 2.0 * decay(24_000),
        "{} {}",
        decay(0),
        decay(24_000)
    );
}

#[test]
fn a_retriggered_envelope_carries_its_level_across_an_edit() {
    let kind = Kind::Env(Trigger::Once);
    let params = [
        In::Const(1.0),
        In::Const(0.5),
        In::Const(0.1),
        In::Const(0.7),
        In::Const(0.1),
    ];
    let mut old = make(kind.clone());
    let (before, _) = play(old.as_mut(), &[], &params, 0.25, 256);
    let mut new = make(kind);
    new.carry_from(old.as_mut());
    // The newer node goes on from where the older one was, not from the start.
    let (after, _) = play(new.as_mut(), &[], &params, 0.01, 256);
    let last = before[before.len() - 1];
    assert!((after[0] - last).abs() < 0.01, "{} then {}", last, after[0]);
}

#[test]
fn nothing_here_lets_nan_or_denormals_out() {
    let mut junk = vec![0.0f32; 48_000];
    for (i, x) in junk.iter_mut().enumerate() {
        *x = match i % 4 {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => 1e-38,
            _ => 0.5,
        };
    }
    let kinds = [
        Kind::Node(&dsp::delays::tape::TAPEDELAY),
        Kind::Node(&dsp::reverbs::plate::PLATE),
        Kind::Node(&dsp::delays::taps::MULTITAP),
        Kind::Node(&dsp::delays::taps::PINGPONG),
        Kind::Node(&dsp::modulation::FLANGER),
        Kind::Node(&dsp::modulation::FCHORUS),
        Kind::Node(&dsp::filters::eq::PARAMETRIC_EQ),
        Kind::Node(&dsp::filters::formant::FORMANT),
        Kind::Node(&dsp::filters::formant::VOCODER),
        Kind::Node(&dsp::modulation::pitch::PITCH_SHIFT),
        Kind::Node(&dsp::modulation::granular::FREEZE),
        Kind::Node(&dsp::modulation::granular::GRANULAR),
        Kind::Node(&dsp::dynamics::COMPRESSOR),
        Kind::Convolve(None),
    ];
    for kind in kinds {
        let mut node = make(kind.clone());
        let (l, r) = play(node.as_mut(), &[&junk], &[], 1.0, 256);
        for x in l.iter().chain(&r) {
            assert!(x.is_finite(), "{kind:?}");
            assert!(*x == 0.0 || x.abs() > 1e-30, "{kind:?}: denormal {x}");
        }
    }
}

#[test]
fn a_vocoder_passes_a_carrier_shaped_by_its_modulator() {
    let carrier: Vec<f32> = sine_wave(110.0, 1.0)
        .iter()
        .zip(sine_wave(1_650.0, 1.0))
        .map(|(a, b)| 0.5 * (a + b))
        .collect();
    let run = |modulator: &[f32], bands: f32| {
        let mut vocoder = make(Kind::Node(&dsp::filters::formant::VOCODER));
        play(
            vocoder.as_mut(),
            &[modulator, &carrier],
            &[In::Const(bands)],
            1.0,
            256,
        )
        .0
    };
    for bands in [4.0, 16.0, 32.0] {
        // The carrier through itself comes out near its own level.
        let out = run(&carrier, bands);
        let gain = db(rms(&out[9_600..]) / rms(&carrier[9_600..]));
        assert!(gain.abs() < 3.0, "{bands} bands: {gain:.1} dB");
        // A modulator with only the high partial lets mostly the carrier's high partial
        // through (four wide bands overlap more than many narrow ones).
        let high = sine_wave(1_650.0, 1.0);
        let m = spectrum(&run(&high, bands)[..32_768]);
        let selectivity = peak_at(&m, 1_650.0, 32_768) / peak_at(&m, 110.0, 32_768);
        let wanted = if bands < 8.0 { 3.0 } else { 10.0 };
        assert!(selectivity > wanted, "{bands} bands: {selectivity:.1}");
    }
    // No modulator, no sound.
    let out = run(&vec![0.0; 48_000], 16.0);
    assert!(rms(&out) < 1e-6);
}

#[test]
fn an_edited_additive_or_convolver_plays_its_new_settings_after_the_edit() {
    let harmonics = |a: &[f32]| Kind::Additive(Some(Arc::new(Harmonics::new(a).unwrap())));
    let mut old = make(harmonics(&[1.0]));
    play(old.as_mut(), &[], &[In::Const(300.0)], 0.1, 256);
    let mut new = make(harmonics(&[0.0, 1.0]));
    new.carry_from(old.as_mut());
    let (out, _) = play(new.as_mut(), &[], &[In::Const(300.0)], 1.0, 256);
    let m = spectrum(&out);
    assert!(peak_at(&m, 600.0, 48_000) > 100.0 * peak_at(&m, 300.0, 48_000));

    // A convolver edited to another response: the old input rings on through the new one.
    let mut impulse = vec![0.0f32; 4_800];
    impulse[0] = 1.0;
    let first: Vec<f32> = (0..2_000).map(|i| 0.999f32.powi(i)).collect();
    let second: Vec<f32> = (0..2_000).map(|i| -0.999f32.powi(i)).collect();
    let mut old = dsp::reverbs::convolve::Convolver::new(&first);
    let (before, _) = play(
        &mut old,
        &[&impulse[..1_000]],
        &[In::Const(1.0)],
        1_000.0 / RATE,
        100,
    );
    let mut new = dsp::reverbs::convolve::Convolver::new(&second);
    new.carry_from(&mut old);
    let (after, _) = play(
        &mut new,
        &[&impulse[1_000..]],
        &[In::Const(1.0)],
        1_000.0 / RATE,
        100,
    );
    // One partition late: frame n plays response sample n - 128.
    let late = dsp::reverbs::convolve::PARTITION;
    assert!((before[500] - first[500 - late]).abs() < 1e-4);
    assert!(
        (after[500] - second[1_500 - late]).abs() < 1e-4,
        "the tail goes on through the second response: {} against {}",
        after[500],
        second[1_500 - late]
    );
}

#[test]
fn the_plate_decays_in_about_its_decay_time() {
    for decay in [1.0f32, 2.5] {
        let mut plate = make(Kind::Node(&dsp::reverbs::plate::PLATE));
        let mut impulse = vec![0.0f32; (4.0 * RATE) as usize];
        impulse[0] = 1.0;
        let params = [
            In::Const(0.0),
            In::Const(decay),
            In::Const(0.7),
            In::Const(0.2),
            In::Const(0.0),
            In::Const(1.0),
        ];
        let (l, r) = play(plate.as_mut(), &[&impulse], &params, 4.0, 256);
        // Energy in 50 ms windows: the time from the loudest window to 30 dB below it, doubled,
        // is the time to -60 dB.
        let window = (0.05 * RATE) as usize;
        let energy: Vec<f64> = l
            .chunks(window)
            .zip(r.chunks(window))
            .map(|(a, b)| rms(a).powi(2) + rms(b).powi(2))
            .collect();
        let (loudest, peak) =
            energy
                .iter()
                .enumerate()
                .fold((0, 0.0), |m, (i, &e)| if e > m.1 { (i, e) } else { m });
        let down = (loudest..energy.len())
            .find(|&i| energy[i] < peak * 1e-3)
            .expect("it decays 30 dB");
        let rt60 = 2.0 * (down - loudest) as f32 * 0.05;
        assert!(
            (rt60 - decay).abs() < 0.25 * decay,
            "decay {decay} s: measured {rt60:.2} s"
        );
    }
}

#[test]
fn granular_freeze_and_formant_keep_the_pitch_and_peak_they_should() {
    // Grains read twice as fast sound an octave up.
    let input = sine_wave(330.0, 2.0);
    let mut grains = make(Kind::Node(&dsp::modulation::granular::GRANULAR));
    let params = [In::Const(60.0), In::Const(0.8), In::Const(2.0)];
    let (out, _) = play(grains.as_mut(), &[&input], &params, 2.0, 256);
    let f = dominant(&out[48_000..48_000 + 32_768]);
    assert!((f - 660.0).abs() / 660.0 < 0.01, "{f}");
    // A frozen tone goes on, at its pitch and level, after its input stops.
    let mut tone = sine_wave(440.0, 1.0);
    tone[24_000..].iter_mut().for_each(|x| *x = 0.0);
    let gate: Vec<f32> = (0..48_000)
        .map(|i| if i >= 20_000 { 1.0 } else { 0.0 })
        .collect();
    let mut freeze = make(Kind::Node(&dsp::modulation::granular::FREEZE));
    let (out, _) = play(freeze.as_mut(), &[&tone, &gate], &[], 1.0, 256);
    let held = &out[30_000..30_000 + 16_384];
    assert!(
        (rms(held) - std::f64::consts::FRAC_1_SQRT_2).abs() < 0.1,
        "{}",
        rms(held)
    );
    assert!((dominant(held) - 440.0).abs() < 2.0, "{}", dominant(held));
    // A formant filter on white noise: most energy near f1, little far above f3.
    let noise = play(
        make(Kind::Node(&dsp::oscillators::NOISE)).as_mut(),
        &[],
        &[],
        1.0,
        256,
    )
    .0;
    let mut formant = make(Kind::Node(&dsp::filters::formant::FORMANT));
    let params = [
        In::Const(700.0),
        In::Const(1_200.0),
        In::Const(2_500.0),
        In::Const(80.0),
        In::Const(90.0),
        In::Const(120.0),
    ];
    let (out, _) = play(formant.as_mut(), &[&noise], &params, 1.0, 256);
    let m = spectrum(&out[..32_768]);
    let band = |lo: f64, hi: f64| -> f64 {
        let k = |f: f64| (f * 32_768.0 / f64::from(RATE)) as usize;
        m[k(lo)..k(hi)].iter().map(|x| x * x).sum::<f64>() / (k(hi) - k(lo)) as f64
    };
    assert!(band(650.0, 750.0) > 100.0 * band(6_000.0, 8_000.0));
    assert!(band(650.0, 750.0) > 10.0 * band(1_700.0, 2_000.0));
}

#[test]
fn the_pitched_super_instruments_play_their_notes() {
    let voice = |instrument: Instrument, freq: f64| {
        let mut node = make(Kind::Voices {
            instrument,
            notes: Some(pattern::pure(freq)),
        });
        play(node.as_mut(), &[], &[], 1.0, 256).0
    };
    for (instrument, freq) in [
        (
            Instrument::SuperFm {
                ratio: 1.0,
                index: 1.0,
            },
            220.0,
        ),
        (
            Instrument::SuperChip {
                rate: 5.0,
                depth: 0.0,
            },
            330.0,
        ),
        (
            Instrument::SuperPwm {
                rate: 0.5,
                depth: 0.0,
            },
            110.0,
        ),
        (
            Instrument::SuperSnare {
                snappy: 0.0,
                sustain: 1.0,
            },
            180.0,
        ),
    ] {
        let out = voice(instrument, freq);
        let measured = autocorrelation_pitch(&out[2_400..2_400 + 8_192], freq * 0.7, freq * 1.4);
        assert!(
            (measured - freq).abs() / freq < 0.01,
            "{instrument:?}: {measured} Hz, expected {freq}"
        );
    }
}

#[test]
fn phasor_ramps_from_0_to_1_speed_times_a_cycle_on_the_beat() {
    // One cycle a second: speed 2 ramps twice a second, whatever the block size.
    for block in [64, 100, 512] {
        let mut phasor = make(Kind::Node(&dsp::oscillators::phasor::PHASOR));
        let (ramp, _) = play(phasor.as_mut(), &[], &[In::Const(2.0)], 1.0, block);
        let half = RATE as usize / 2;
        for (i, &y) in ramp.iter().enumerate() {
            let expected = (2.0 * i as f64 / f64::from(RATE)).fract() as f32;
            assert!(
                (y - expected).abs() < 1e-5,
                "frame {i}: {y} against {expected}"
            );
        }
        assert_eq!(
            (ramp[0], ramp[half]),
            (0.0, 0.0),
            "it restarts on the half cycle"
        );
        assert!(ramp[half - 1] > 0.999, "{}", ramp[half - 1]);
    }
    // Left out, the speed is one ramp a cycle.
    let mut phasor = make(Kind::Node(&dsp::oscillators::phasor::PHASOR));
    let (ramp, _) = play(phasor.as_mut(), &[], &[], 1.0, 128);
    assert!((ramp[RATE as usize / 4] - 0.25).abs() < 1e-6);
}
