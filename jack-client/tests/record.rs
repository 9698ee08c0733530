//! `--record` against a real JACK server: the files hold exactly what phonon's ports played,
//! stems start together, a full disk or a killed process loses the recording's tail but never
//! the music.

mod harness;

use harness::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// A fresh, empty folder for one test's recording.
fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(unique(&format!("rec-{test}")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The recorded file of stem `stem` (`out`, `out1`, `orbit1`…) in `dir`.
fn file_of(dir: &Path, stem: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(&format!("_{stem}.wav")))
        })
}

/// A stereo float WAV file's channels and sample rate.
fn read(path: &Path) -> ([Vec<f32>; 2], u32) {
    let mut reader = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("{} is not a readable WAV: {e}", path.display()));
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.bits_per_sample, spec.sample_format),
        (2, 32, hound::SampleFormat::Float)
    );
    let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
    let left = samples.iter().step_by(2).copied().collect();
    let right = samples.iter().skip(1).step_by(2).copied().collect();
    ([left, right], spec.sample_rate)
}

/// The JACK frame of a file's first sample: where the capture's first period is in it.
fn first_frame(capture: &Recording, file: &[Vec<f32>; 2]) -> Option<u64> {
    let (frame, len) = capture.periods[0];
    let period = &capture.left[..len];
    (0..file[0].len().saturating_sub(len))
        .find(|&o| &file[0][o..o + len] == period)
        .map(|o| frame - o as u64)
}

/// Judges a capture of two ports against the file that recorded them: every period the same,
/// sample for sample, where JACK's frames put it.
fn same_as_captured(capture: &Recording, file: &[Vec<f32>; 2], what: &str) -> Result<(), Verdict> {
    let Some(start) = first_frame(capture, file) else {
        return Err(Verdict::Fault(format!(
            "the capture of {what} is nowhere in its recording"
        )));
    };
    let alignment = align(capture, start, file, 0.0, 4096);
    alignment.verdict(capture).map_err(|v| match v {
        Verdict::Fault(e) => Verdict::Fault(format!("{what}: {e}")),
        Verdict::Unjudgeable(e) => Verdict::Unjudgeable(format!("{what}: {e}")),
    })
}

#[test]
fn recorded_files_equal_what_jack_captured_of_the_same_ports() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    let server = Server::start(256, true);
    // Noise: every period differs, so a period matches in one place only.
    let patch = temp_patch("out1: noise * 0.1\nout2: sine 330 * 0.2\n");
    judge(3, || {
        let dir = folder("ports");
        let phonon = Phonon::start(
            &server,
            &patch,
            &[
                "--free-run",
                "--quiet",
                "--multi-out",
                "--record",
                dir.to_str().unwrap(),
            ],
        );
        let name = phonon.name.clone();
        let main = Capture::main_pair(&server, &phonon, 3.0);
        let stem = Capture::start(
            &server,
            &format!("{name}:out1_L"),
            &format!("{name}:out1_R"),
            3.0,
        );
        main.wait_frames(96_000);
        let (main, stem) = (main.finish(), stem.finish());
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");
        assert!(log.contains("recorded 3 files"), "{log}");
        let (out, rate) = read(&file_of(&dir, "out").expect("the main mix's file"));
        let (out1, _) = read(&file_of(&dir, "out1").expect("out1's file"));
        let (out2, _) = read(&file_of(&dir, "out2").expect("out2's file"));
        assert_eq!(rate, 48_000);
        assert_eq!(out[0].len(), out1[0].len(), "stems start and end together");
        assert_eq!(out[0].len(), out2[0].len(), "stems start and end together");
        // A sine of amplitude a has a power of a²/4 at its frequency.
        assert!(tone(&out2[0], 330.0) > 0.005 && tone(&out1[0], 330.0) < 1e-4);
        let _ = std::fs::remove_dir_all(&dir);
        same_as_captured(&main, &out, "out_L/out_R")?;
        same_as_captured(&stem, &out1, "out1_L/out1_R")
    });
}

#[test]
fn outputs_without_ports_are_recorded_as_stems_that_sum_to_the_mix() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    let server = Server::start(256, true);
    // The second output is silent for the first second of every two: its file still starts
    // with the take.
    let patch = temp_patch("tempo: 0.5\nout1: sine 440 * 0.2\nout2: sine 660 * 0.2 * \"0 1\"\n");
    let dir = folder("stems");
    let phonon = Phonon::start(
        &server,
        &patch,
        &["--free-run", "--quiet", "--record", dir.to_str().unwrap()],
    );
    std::thread::sleep(Duration::from_millis(2500));
    let ports = server.connections();
    let (code, log) = phonon.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(
        !ports.contains("out1_L"),
        "no ports without --multi-out: {ports}"
    );
    let (out, _) = read(&file_of(&dir, "out").expect("the main mix's file"));
    let (out1, _) = read(&file_of(&dir, "out1").expect("out1's file"));
    let (out2, _) = read(&file_of(&dir, "out2").expect("out2's file"));
    assert!(out[0].len() > 96_000, "{} frames", out[0].len());
    assert_eq!(out1[0].len(), out[0].len());
    assert_eq!(out2[0].len(), out[0].len());
    // A sine of amplitude a has a power of a²/4 at its frequency.
    assert!(tone(&out1[0], 440.0) > 0.005 && tone(&out1[0], 660.0) < 1e-4);
    assert!(tone(&out2[0][48_000..96_000], 660.0) > 0.005);
    assert!(rms(&out2[0][..24_000]) == 0.0, "out2 silent at first");
    let worst = (0..out[0].len())
        .map(|i| (out1[0][i] + out2[0][i] - out[0][i]).abs())
        .fold(0.0, f32::max);
    assert!(worst < 1e-6, "the stems sum to the mix: {worst}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dirt_records_the_mix_and_each_orbit_that_sounds() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    let server = Server::start(256, true);
    let dir = folder("dirt");
    let port = free_udp_port();
    let name = unique("dirt");
    let dirt = Phonon::dirt(&server, &name, port, &["--record", dir.to_str().unwrap()]);
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let at = unix_micros_now() + 200_000;
    let event = dirt_play_at(
        at,
        vec![
            rosc::OscType::String("s".into()),
            rosc::OscType::String("bd".into()),
            rosc::OscType::String("orbit".into()),
            rosc::OscType::Int(2),
        ],
    );
    socket.send_to(&event, ("127.0.0.1", port)).unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    let (out, _) = read(&file_of(&dir, "out").expect("the main mix's file"));
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    let (orbit2, _) = read(
        &file_of(&dir, "orbit2")
            .unwrap_or_else(|| panic!("no file of orbit 2 in {files:?}; {log}")),
    );
    assert!(rms(&orbit2[0]) > 0.01, "orbit 2 played the note");
    assert_eq!(orbit2[0].len(), out[0].len());
    assert!(file_of(&dir, "orbit0").is_none(), "orbit 0 never sounded");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_killed_process_leaves_files_that_play() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    let server = Server::start(256, true);
    let patch = temp_patch("out: sine 220 * 0.3\n");
    let dir = folder("killed");
    let phonon = Phonon::start(
        &server,
        &patch,
        &["--free-run", "--quiet", "--record", dir.to_str().unwrap()],
    );
    std::thread::sleep(Duration::from_millis(2500));
    phonon.signal(libc::SIGKILL);
    drop(phonon);
    let (out, _) = read(&file_of(&dir, "out").expect("the main mix's file"));
    // Headers are brought up to date every second: at least a second of a 2.5 s take plays.
    assert!(out[0].len() >= 48_000, "{} frames", out[0].len());
    assert!(tone(&out[0], 220.0) > 0.01);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A tmpfs of `kib` KiB at `dir`, unmounted when dropped.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, kib: u32) -> Option<SmallDisk> {
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            return Some(SmallDisk(dir.to_path_buf()));
        }
        skip_for_want_of("cannot mount a small tmpfs", "root is needed");
        None
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_full_disk_stops_the_recording_not_the_music() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    let dir = folder("full");
    // A third of a second of the main mix fits.
    let Some(disk) = SmallDisk::mount(&dir, 128) else {
        return;
    };
    let server = Server::start(256, true);
    let patch = temp_patch("out: sine 220 * 0.3\n");
    let phonon = Phonon::start(
        &server,
        &patch,
        &["--free-run", "--quiet", "--record", dir.to_str().unwrap()],
    );
    let warning = phonon.wait_for("recording: cannot write", Duration::from_secs(10));
    assert!(warning.contains("No space left on device"), "{warning}");
    // Well after the disk filled, the music plays on.
    std::thread::sleep(Duration::from_millis(500));
    let capture = Capture::main_pair(&server, &phonon, 1.0);
    capture.wait_frames(48_000);
    let capture = capture.finish();
    let (code, log) = phonon.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(tone(&capture.left, 220.0) > 0.01, "the music stopped");
    assert!(log.contains("stopped early on write errors"), "{log}");
    // What was synced before the disk filled still plays.
    let file = file_of(&dir, "out").expect("the main mix's file");
    hound::WavReader::open(&file).expect("a readable WAV");
    drop(disk);
}
