//! `phonon render` and `phonon bench` as a user runs them: real WAV files read back and checked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn phonon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phonon"))
        .args(args)
        .output()
        .expect("run phonon")
}

fn dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("phonon-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
        .display()
        .to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn render(args: &[&str]) -> Output {
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    phonon(&all)
}

#[test]
fn threads_do_not_change_a_single_bit_of_any_example() {
    let out = dir();
    for name in ["house.ph", "techno.ph", "ambient.ph", "dub.ph", "stress.ph"] {
        let mut files = Vec::new();
        for threads in ["1", "2", "4"] {
            let wav = out.join(format!("{name}-{threads}.wav"));
            let wav_s = wav.display().to_string();
            let o = render(&[
                &example(name),
                &wav_s,
                "--duration",
                "2",
                "--block-size",
                "128",
                "--threads",
                threads,
            ]);
            assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
            files.push(std::fs::read(&wav).unwrap());
        }
        assert!(
            files[0].len() > 44 + 2 * 44_100 * 8 - 1,
            "{name}: short file"
        );
        assert!(files[0] == files[1], "{name}: 2 threads differ from 1");
        assert!(files[0] == files[2], "{name}: 4 threads differ from 1");
    }
}

#[test]
fn formats_lengths_and_rates_are_as_asked() {
    let out = dir();
    let wav = out.join("house16.wav");
    let wav_s = wav.display().to_string();
    let o = render(&[
        &example("house.ph"),
        &wav_s,
        "--cycles",
        "2",
        "--format",
        "s16",
        "--sample-rate",
        "48000",
        "--gain",
        "0.5",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let reader = hound::WavReader::open(&wav).unwrap();
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (2, 48_000, 16)
    );
    // Two cycles at 124 bpm (31/60 cycles per second).
    assert_eq!(
        reader.duration(),
        (2.0 * 60.0 / 31.0 * 48_000.0f64).round() as u32
    );
    let samples: Vec<i16> = reader.into_samples().map(Result::unwrap).collect();
    let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap();
    assert!(peak > 3_000 && peak < 32_000, "peak {peak}");

    let wav = out.join("dub24.wav");
    let wav_s = wav.display().to_string();
    let o = render(&[&example("dub.ph"), &wav_s, "-d", "1.5", "-f", "s24"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let reader = hound::WavReader::open(&wav).unwrap();
    assert_eq!(reader.spec().bits_per_sample, 24);
    assert_eq!(reader.duration(), 66_150);
}

#[test]
fn multi_out_writes_a_pair_per_output() {
    let out = dir();
    let patch = out.join("two.ph");
    std::fs::write(&patch, "cps: 1\nout1: s \"bd*2\"\nout2: sine 440 * 0.25\n").unwrap();
    let wav = out.join("two.wav");
    let o = render(&[
        &patch.display().to_string(),
        &wav.display().to_string(),
        "--cycles",
        "1",
        "--multi-out",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mut reader = hound::WavReader::open(&wav).unwrap();
    assert_eq!(reader.spec().channels, 4);
    let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
    let channel = |c: usize| {
        samples
            .iter()
            .skip(c)
            .step_by(4)
            .copied()
            .collect::<Vec<f32>>()
    };
    // out2 is a steady sine of amplitude 0.25 on channels 2 and 3; out1 the kicks on 0 and 1.
    let sine = channel(2);
    let peak = sine[4410..].iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!((peak - 0.25).abs() < 0.01, "sine peak {peak}");
    let kick = channel(0);
    let rms = |x: &[f32]| (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt();
    assert!(rms(&kick[..4410]) > 0.05, "kick missing from out1");
    assert!(
        rms(&kick[20_000..22_000]) < rms(&kick[22_050..24_050]),
        "second kick not at 1/2"
    );
}

#[test]
fn patch_errors_exit_1_with_their_place() {
    let out = dir();
    let patch = out.join("broken.ph");
    std::fs::write(&patch, "out: s \"bd*4\" # lpff 300\n").unwrap();
    let o = render(&[
        &patch.display().to_string(),
        &out.join("x.wav").display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("broken.ph:1:17: error"), "{err}");
    assert!(
        !out.join("x.wav").exists(),
        "a WAV was written for a broken patch"
    );
}

#[test]
fn a_render_too_long_for_a_wav_file_is_refused_before_writing() {
    let out = dir();
    let wav = out.join("huge.wav");
    // 13,000 s of f32 stereo at 44.1 kHz is 4.3 GiB, past what a WAV header can say.
    let o = render(&[
        &example("house.ph"),
        wav.to_str().unwrap(),
        "--duration",
        "13000",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains("does not fit in a WAV file") && err.contains("--format s16"),
        "{err}"
    );
    assert!(!wav.exists(), "a broken file was left behind");
}

#[test]
fn bad_flags_exit_2_with_one_clear_line() {
    let o = render(&[&example("house.ph"), "/tmp/x.wav", "--format", "mp3"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("invalid value 'mp3'"),
        "{}",
        text(&o.stderr)
    );
    let o = render(&[&example("house.ph"), "/tmp/x.wav", "--block-size", "3"]);
    assert_eq!(o.status.code(), Some(2));
    let o = render(&[
        &example("house.ph"),
        "/tmp/x.wav",
        "--duration",
        "2",
        "--cycles",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = render(&[
        &example("house.ph"),
        "/tmp/x.wav",
        "--samples",
        "/no/such/folder",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/no/such/folder"), "{err}");
    let o = render(&[&example("house.ph"), "/no/such/dir/x.wav"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).starts_with("error: cannot create /no/such/dir/x.wav"));
}

#[test]
fn bench_prints_a_table() {
    let o = phonon(&[
        "bench",
        &example("house.ph"),
        "--block-size",
        "256",
        "--threads",
        "1,2",
        "--seconds",
        "0.5",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("256"))
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(rows[1].ends_with('×'), "{out}");
    assert!(out.contains("peak memory"), "{out}");
}

#[test]
fn the_patch_itself_is_never_the_output() {
    let patch = dir().join("self.ph");
    std::fs::write(&patch, "out: sine 440 * 0.2\n").unwrap();
    let link = dir().join("self-link.wav");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&patch, &link).unwrap();
    let p = patch.display().to_string();
    for output in [p.clone(), link.display().to_string()] {
        let o = render(&[&p, &output]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("is the patch itself"),
            "{}",
            text(&o.stderr)
        );
    }
    assert_eq!(
        std::fs::read_to_string(&patch).unwrap(),
        "out: sine 440 * 0.2\n"
    );
}

/// A tmpfs of `kib` KiB mounted for the test, unmounted and removed when dropped.
struct TinyDisk(PathBuf);

impl TinyDisk {
    /// None where this user cannot mount (not root).
    fn mount(kib: u32) -> Option<TinyDisk> {
        let path = dir().join(format!("tiny-{kib}"));
        std::fs::create_dir_all(&path).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(&path)
            .output()
            .is_ok_and(|o| o.status.success());
        mounted.then_some(TinyDisk(path))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).output();
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[test]
fn a_disk_filling_up_mid_render_leaves_a_playable_file_and_a_clear_error() {
    let Some(disk) = TinyDisk::mount(512) else {
        // SAFETY: reads the process's own user id.
        let root = unsafe { libc::geteuid() } == 0;
        assert!(!root, "root could not mount a tmpfs");
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    };
    let wav = disk.0.join("full.wav");
    let wav_s = wav.display().to_string();
    // 10 s of float stereo is 3.8 MB: the disk fills at about 1.4 s.
    let o = render(&[&example("house.ph"), &wav_s, "--duration", "10"]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let bytes = std::fs::read(&wav).unwrap();
    let riff = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
    assert_eq!(
        riff as usize,
        bytes.len() - 8,
        "the RIFF size was left at 0"
    );
    let reader = hound::WavReader::open(&wav).expect("a readable WAV");
    let frames = reader.duration() as usize;
    assert!(frames > 44_100 / 2, "{frames} frames survived");
    let samples: Vec<f32> = reader
        .into_samples::<f32>()
        .map(|s| s.expect("every sample reads"))
        .collect();
    assert_eq!(samples.len(), 2 * frames);
    assert!(
        samples.iter().any(|&x| x.abs() > 0.01),
        "the music is there"
    );
}
