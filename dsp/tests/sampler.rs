//! The sampler and the sample bank, measured on rendered audio.

use bumpalo::Bump;
use dsp::samples::bank::{resample, Sample, SampleBank};
use dsp::voice::sampler::Sampler;
use dsp::Node;
use pattern::{mini, Pattern, Span, Time};
use pattern::{Control, Sound};
use std::sync::Arc;

const RATE: u32 = 48_000;
const BLOCK: i64 = 512;

fn sounds(notation: &str) -> Pattern<Sound> {
    mini(notation).unwrap().fmap(|v| Sound::new(v.clone()))
}

fn with(p: Pattern<Sound>, control: Control, value: f64) -> Pattern<Sound> {
    p.fmap(move |e| {
        let mut e = e.clone();
        e.set(control, value);
        e
    })
}

fn bank(name: &str, samples: Vec<Vec<f32>>) -> Arc<SampleBank> {
    let mut bank = SampleBank::new(RATE);
    bank.insert(
        name,
        samples
            .into_iter()
            .map(|s| Sample {
                channels: vec![s.into_boxed_slice()],
            })
            .collect(),
    );
    Arc::new(bank)
}

/// Renders `cycles` cycles at 0.5 cycles per second in 512-frame blocks; returns (left, right).
fn render(sampler: &mut Sampler, cycles: i64) -> (Vec<f32>, Vec<f32>) {
    let frames_per_cycle = i64::from(RATE) * 2;
    let blocks = cycles * frames_per_cycle / BLOCK;
    let arena = &mut Bump::new();
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let (mut l, mut r) = (vec![0.0; BLOCK as usize], vec![0.0; BLOCK as usize]);
    for k in 0..blocks {
        arena.reset();
        let span = Span::new(
            Time::new(k * BLOCK, frames_per_cycle),
            Time::new((k + 1) * BLOCK, frames_per_cycle),
        );
        sampler.render(span, arena, &mut l, &mut r);
        left.extend_from_slice(&l);
        right.extend_from_slice(&r);
    }
    (left, right)
}

fn click() -> Vec<f32> {
    let mut s = vec![0.0; 100];
    s[0] = 1.0;
    s
}

#[test]
fn onsets_land_on_the_exact_frame() {
    let mut sampler = Sampler::new(
        sounds("click*4 ~ click"),
        bank("click", vec![click()]),
        16,
        RATE as f32,
    );
    let (left, right) = render(&mut sampler, 2);
    let hits: Vec<usize> = left
        .iter()
        .enumerate()
        .filter(|(_, &v)| v > 0.5)
        .map(|(i, _)| i)
        .collect();
    // Three steps per cycle of 96,000 frames: four clicks in the first, one in the last.
    let cycle: Vec<usize> = [0, 8_000, 16_000, 24_000, 64_000].to_vec();
    let want: Vec<usize> = cycle
        .iter()
        .copied()
        .chain(cycle.iter().map(|f| f + 96_000))
        .collect();
    assert_eq!(hits, want);
    let centre = std::f32::consts::FRAC_1_SQRT_2;
    assert!(
        (left[8_000] - centre).abs() < 1e-5 && (right[8_000] - centre).abs() < 1e-5,
        "a mono sample centred is −3 dB each side (the pan law)"
    );
}

#[test]
fn speed_two_halves_the_duration_and_negative_speed_plays_backwards() {
    let ramp: Vec<f32> = (0..1000).map(|i| (i + 1) as f32 / 1000.0).collect();
    let played = |speed: f64| {
        let mut sampler = Sampler::new(
            with(sounds("ramp"), Control::Speed, speed),
            bank("ramp", vec![ramp.clone()]),
            4,
            RATE as f32,
        );
        let (left, _) = render(&mut sampler, 1);
        left.into_iter()
            .take_while(|&v| v != 0.0)
            .collect::<Vec<f32>>()
    };
    assert_eq!(played(1.0).len(), 1000);
    assert_eq!(played(2.0).len(), 500);
    let backwards = played(-1.0);
    assert_eq!(backwards.len(), 1000);
    assert!(backwards[0] > backwards[999], "plays from the end");
}

#[test]
fn a_cut_group_stops_the_sounding_voice() {
    let long = vec![0.5f32; 48_000 * 3];
    let cut = with(sounds("a a"), Control::Cut, 1.0);
    let mut sampler = Sampler::new(cut, bank("a", vec![long.clone()]), 16, RATE as f32);
    let (left, _) = render(&mut sampler, 1);
    // Before the second onset one voice plays; after it and a 5 ms fade, still one.
    let level = 0.5 * std::f32::consts::FRAC_1_SQRT_2;
    assert!((left[40_000] - level).abs() < 1e-4);
    assert!(
        (left[48_000 + 2_000] - level).abs() < 1e-4,
        "no doubling: {}",
        left[50_000]
    );
    let mut uncut = Sampler::new(sounds("a a"), bank("a", vec![long]), 16, RATE as f32);
    let (left, _) = render(&mut uncut, 1);
    assert!(
        (left[50_000] - 2.0 * level).abs() < 1e-4,
        "without a cut group both sound"
    );
}

#[test]
fn a_full_pool_steals_the_oldest_voice_and_counts_it() {
    let long = vec![0.1f32; 48_000 * 4];
    let mut sampler = Sampler::new(sounds("a*8"), bank("a", vec![long]), 2, RATE as f32);
    let (left, _) = render(&mut sampler, 1);
    assert_eq!(sampler.voices().unwrap().stolen, 6);
    assert!(
        left.iter().all(|&v| v <= 0.1 * 3.0),
        "at most two voices plus one fading"
    );
}

#[test]
fn sample_index_wraps_and_n_selects() {
    let b = bank("x", vec![vec![0.25; 10], vec![0.5; 10]]);
    let level = |notation: &str, n: Option<f64>| {
        let p = match n {
            Some(n) => with(sounds(notation), Control::N, n),
            None => sounds(notation),
        };
        let mut sampler = Sampler::new(p, b.clone(), 4, RATE as f32);
        render(&mut sampler, 1).0[5] / std::f32::consts::FRAC_1_SQRT_2
    };
    assert!((level("x", None) - 0.25).abs() < 1e-5);
    assert!((level("x:1", None) - 0.5).abs() < 1e-5);
    assert!(
        (level("x:3", None) - 0.5).abs() < 1e-5,
        "index 3 wraps to 1"
    );
    assert!((level("x", Some(2.0)) - 0.25).abs() < 1e-5);
    let missing = Sampler::new(sounds("nope"), b, 4, RATE as f32);
    let mut missing = missing;
    assert!(
        render(&mut missing, 1).0.iter().all(|&v| v == 0.0),
        "unknown sounds are silent"
    );
}

#[test]
fn the_builtin_kit_makes_sound() {
    let kit = SampleBank::builtin(RATE);
    let mut names: Vec<&str> = kit.names().collect();
    names.sort();
    let mut listed = SampleBank::BUILTIN.to_vec();
    listed.sort();
    assert_eq!(names, listed, "BUILTIN lists the kit");
    for name in SampleBank::BUILTIN {
        let s = kit.get(name, 0).unwrap_or_else(|| panic!("{name} missing"));
        let peak = s.channels[0].iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(peak > 0.1 && peak <= 1.0, "{name} peak {peak}");
        assert!(s.channels[0].iter().all(|v| v.is_finite()));
    }
}

fn write_wav(path: &std::path::Path, spec: hound::WavSpec, frames: &[Vec<f32>]) {
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..frames[0].len() {
        for channel in frames {
            let x = channel[i];
            match (spec.sample_format, spec.bits_per_sample) {
                (hound::SampleFormat::Float, _) => w.write_sample(x).unwrap(),
                (_, 16) => w.write_sample((x * 32767.0) as i16).unwrap(),
                (_, bits) => w
                    .write_sample((x * ((1i64 << (bits - 1)) - 1) as f32) as i32)
                    .unwrap(),
            }
        }
    }
    w.finalize().unwrap();
}

#[test]
fn wav_folders_load_in_name_order_with_every_format() {
    let dir = std::env::temp_dir().join(format!("phonon-bank-{}", std::process::id()));
    let kick = dir.join("kick");
    std::fs::create_dir_all(&kick).unwrap();
    let spec = |channels, bits, format| hound::WavSpec {
        channels,
        sample_rate: RATE,
        bits_per_sample: bits,
        sample_format: format,
    };
    let tone = vec![0.5f32; 480];
    write_wav(
        &kick.join("b_24bit.wav"),
        spec(1, 24, hound::SampleFormat::Int),
        std::slice::from_ref(&tone),
    );
    write_wav(
        &kick.join("a_16bit.wav"),
        spec(1, 16, hound::SampleFormat::Int),
        std::slice::from_ref(&tone),
    );
    write_wav(
        &kick.join("c_float_stereo.wav"),
        spec(2, 32, hound::SampleFormat::Float),
        &[tone.clone(), vec![-0.25; 480]],
    );
    write_wav(
        &kick.join("d_32bit.wav"),
        spec(1, 32, hound::SampleFormat::Int),
        &[tone],
    );
    std::fs::write(kick.join("e_corrupt.wav"), b"RIFF not really").unwrap();
    let (bank, warnings) = SampleBank::load(std::slice::from_ref(&dir), RATE);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].path.ends_with("e_corrupt.wav"));
    for n in 0..4 {
        let s = bank.get("kick", n).unwrap();
        assert_eq!(s.frames(), 480);
        assert!(
            (s.channels[0][100] - 0.5).abs() < 1e-3,
            "file {n}: {}",
            s.channels[0][100]
        );
    }
    assert_eq!(bank.get("kick", 2).unwrap().channels.len(), 2);
    assert!((bank.get("kick", 2).unwrap().channels[1][100] + 0.25).abs() < 1e-6);
    assert!(
        bank.get("bd", 0).is_some(),
        "the built-in kit stays available"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn resampling_keeps_duration_and_pitch() {
    let from = 22_050u32;
    let tone: Vec<f32> = (0..from)
        .map(|i| (std::f32::consts::TAU * 441.0 * i as f32 / from as f32).sin())
        .collect();
    let out = resample(&tone, from, RATE);
    assert_eq!(out.len(), RATE as usize);
    let crossings = out.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    assert!(
        (crossings as i64 - 441).abs() <= 1,
        "{crossings} cycles in a second"
    );
    let peak = out[1000..47_000].iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!((peak - 1.0).abs() < 0.01, "peak {peak}");
}

fn wav_file(name: &str, rate: u32, bits: u16, frames: usize) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("phonon-wav-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for i in 0..frames {
        if bits == 8 {
            w.write_sample((i % 100) as i8).unwrap();
        } else {
            w.write_sample((i % 1000) as i16).unwrap();
        }
    }
    w.finalize().unwrap();
    path
}

#[test]
fn headers_that_cannot_be_true_are_refused_before_reading() {
    // 1 Hz would ask for 44,100 output frames per input frame.
    let slow = wav_file("one-hertz.wav", 1, 16, 2_000);
    let e = dsp::samples::bank::read_wav(&slow, 44_100).unwrap_err();
    assert!(e.contains("1 Hz"), "{e}");
    // A header that promises more than the file holds (a truncated download).
    let full = wav_file("cut.wav", 44_100, 16, 10_000);
    let bytes = std::fs::read(&full).unwrap();
    std::fs::write(&full, &bytes[..bytes.len() / 2]).unwrap();
    let e = dsp::samples::bank::read_wav(&full, 44_100).unwrap_err();
    assert!(e.contains("more than the file"), "{e}");
    // Longer than a sample may last.
    let long = wav_file(
        "long.wav",
        1_000,
        8,
        (dsp::samples::bank::MAX_SAMPLE_SECONDS as usize + 1) * 1_000,
    );
    let e = dsp::samples::bank::read_wav(&long, 44_100).unwrap_err();
    assert!(e.contains("past the 600 s"), "{e}");
    // An honest file loads.
    let fine = wav_file("fine.wav", 22_050, 16, 2_205);
    assert_eq!(
        dsp::samples::bank::read_wav(&fine, 44_100)
            .unwrap()
            .frames(),
        4_410
    );
}
