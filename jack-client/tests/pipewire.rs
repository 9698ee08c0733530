//! The core live scenarios on a PipeWire desktop's JACK: a headless PipeWire started by the
//! test, phonon under `pw-jack`, and the test's own capture client under `pw-jack` too (each
//! test runs itself again under it). Plays its offline render, follows PipeWire's quantum,
//! swaps edits with multi-out ports following, plays Tidal's events, and runs its helper at
//! real-time priority below PipeWire's thread.

mod harness;

use harness::pipewire::{rerun_under_pw_jack, PipeWire};
use harness::*;
use std::path::PathBuf;
use std::time::Duration;

const RATE: u32 = 48_000;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

#[test]
fn plays_its_offline_render_with_a_real_time_helper() {
    if !rerun_under_pw_jack("plays_its_offline_render_with_a_real_time_helper") {
        return;
    }
    let _turn = serial();
    judge(3, || {
        let pipewire = PipeWire::start(256);
        let patch = example("house.ph");
        let phonon = Phonon::start_on(
            &pipewire,
            &patch,
            &["--free-run", "--quiet", "--threads", "2"],
        );
        let cycle0 = phonon.start_frame();
        let capture = Capture::main_pair(&pipewire, &phonon, 2.5);
        capture.wait_frames(2 * RATE as usize);
        let recording = capture.finish();
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");
        let placement = log
            .lines()
            .find(|l| l.contains("threads: worker 0 (JACK)"))
            .unwrap_or_else(|| panic!("no placement line: {log}"));
        // SAFETY: geteuid only reads the process's user id.
        if unsafe { libc::geteuid() } == 0 {
            assert!(
                placement.contains("helper 1 on CPU 1, SCHED_FIFO"),
                "the helper is real-time below PipeWire's thread: {placement}"
            );
            assert!(!log.contains("normal priority"), "{log}");
        }
        let start = (recording.start.unwrap() - cycle0) as f64 / f64::from(RATE);
        let reference = offline(&patch, start + 2.5, 256);
        assert!(rms(&recording.left[256..]) > 0.05, "silent");
        align(&recording, cycle0, &reference, 1e-6, 8 * 256).verdict(&recording)
    });
}

#[test]
fn quantum_changes_are_followed() {
    if !rerun_under_pw_jack("quantum_changes_are_followed") {
        return;
    }
    let _turn = serial();
    judge(3, || {
        let pipewire = PipeWire::start(256);
        let patch = temp_patch("out: sine 440 * 0.3\n");
        let phonon = Phonon::start_on(&pipewire, &patch, &["--free-run", "--quiet"]);
        let cycle0 = phonon.start_frame();
        let capture = Capture::main_pair(&pipewire, &phonon, 4.0);
        for quantum in [128, 1024, 64, 256] {
            capture.wait_frames(capture.frames() + RATE as usize / 4);
            pipewire.set_quantum(quantum);
        }
        capture.wait_frames(capture.frames() + RATE as usize / 2);
        let recording = capture.finish();
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");
        let sizes: std::collections::BTreeSet<usize> =
            recording.periods.iter().map(|&(_, len)| len).collect();
        assert!(
            [128, 1024, 64, 256].iter().all(|s| sizes.contains(s)),
            "not every quantum was played: {sizes:?}"
        );
        // A steady sine all through: every period is the offline render's at its frames.
        let end = recording.periods.last().map_or(0, |&(f, n)| f + n as u64);
        let reference = offline(&patch, (end - cycle0) as f64 / f64::from(RATE) + 0.2, 128);
        align(&recording, cycle0, &reference, 1e-6, 3 * 1024).verdict(&recording)
    });
}

/// The longest stretch of `x` without a dropout (64 frames or more of exact zeros, which no
/// sine of the patch plays), at least a tenth of a second: enough to tell 440 Hz from 660 Hz.
fn played(x: &[f32]) -> &[f32] {
    let dropouts = dropouts(x);
    let starts = std::iter::once(0).chain(dropouts.iter().map(|d| d.end));
    let ends = dropouts.iter().map(|d| d.start).chain([x.len()]);
    let best = starts
        .zip(ends)
        .map(|(start, end)| start..end)
        .max_by_key(|stretch| stretch.len())
        .unwrap_or(0..0);
    if best.len() < x.len() {
        eprintln!(
            "judged {} of {} frames: PipeWire left the rest silent",
            best.len(),
            x.len()
        );
    }
    assert!(
        best.len() >= RATE as usize / 10,
        "PipeWire played no tenth of a second whole: {} frames at most",
        best.len()
    );
    &x[best]
}

#[test]
fn a_dropout_is_left_out_of_what_is_judged() {
    let mut x: Vec<f32> = (0..12_000)
        .map(|i| (i as f32 * 0.0576).sin() * 0.2)
        .collect();
    x[4_000..4_300].fill(0.0);
    assert_eq!(played(&x).len(), 12_000 - 4_300);
    x[4_000..4_300].fill(0.1);
    assert_eq!(played(&x).len(), 12_000);
    // One at the end, and 63 zeros that are no dropout.
    x[..63].fill(0.0);
    x[5_000..].fill(0.0);
    assert_eq!(dropouts(&x), vec![5_000..12_000]);
    assert_eq!(played(&x).len(), 5_000);
}

#[test]
fn a_period_played_twice_costs_a_steady_tone_one_piece() {
    let sine = |i: usize| (i as f32 * std::f32::consts::TAU * 660.0 / 48_000.0).sin() * 0.2;
    let whole: Vec<f32> = (0..12_000).map(sine).collect();
    // The 256 frames before 6,000 again, as PipeWire plays a late client's last buffer.
    let repeated: Vec<f32> = (0..12_000)
        .map(|i| if i < 6_000 { sine(i) } else { sine(i - 256) })
        .collect();
    // A sine of amplitude 0.2 has a power of 0.01 at its frequency.
    assert!((steady_tone(&whole, 660.0) - 0.01).abs() < 1e-4);
    assert!(tone(&repeated, 660.0) < 0.001, "{}", tone(&repeated, 660.0));
    assert!(steady_tone(&repeated, 660.0) > 0.005);
    assert!(steady_tone(&repeated, 440.0) < 1e-4);
}

#[test]
fn an_edit_swaps_and_multi_out_ports_follow() {
    if !rerun_under_pw_jack("an_edit_swaps_and_multi_out_ports_follow") {
        return;
    }
    let _turn = serial();
    let pipewire = PipeWire::start(256);
    let patch = temp_patch("out1: sine 440 * 0.2\n");
    let phonon = Phonon::start_on(&pipewire, &patch, &["--free-run", "--quiet", "--multi-out"]);
    let name = phonon.name.clone();
    let ports = pipewire.connections();
    assert!(ports.contains(&format!("{name}:out1_L")), "{ports}");
    let capture = Capture::main_pair(&pipewire, &phonon, 4.0);
    capture.wait_frames(RATE as usize / 2);
    let edited = capture.frames();
    std::fs::write(&patch, "out1: sine 440 * 0.2\nout2: sine 660 * 0.2\n").unwrap();
    phonon.wait_for("registered out2_L and out2_R", Duration::from_secs(5));
    phonon.wait_for("reloaded", Duration::from_secs(5));
    let heard_from = capture.frames() + RATE as usize / 10;
    capture.wait_frames(heard_from + RATE as usize / 2);
    let recording = capture.finish();
    let ports = pipewire.connections();
    let (code, log) = phonon.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(ports.contains(&format!("{name}:out2_R")), "{ports}");
    // The quarter second just before the edit was written (well clear of the recording's
    // first periods, which PipeWire may still be connecting), and one after it was heard, each
    // judged where it played: a loaded machine once left PipeWire silent for a few periods.
    let before = played(&recording.left[edited - RATE as usize / 4..edited]);
    let after = played(&recording.left[heard_from..heard_from + RATE as usize / 4]);
    // A sine of amplitude a has a power of a²/4 at its frequency.
    let [b440, b660, a440, a660] = [
        (before, 440.0),
        (before, 660.0),
        (after, 440.0),
        (after, 660.0),
    ]
    .map(|(x, f)| steady_tone(x, f));
    assert!(
        b440 > 0.005 && b660 < 1e-4,
        "before the edit: 440 Hz {b440}, 660 Hz {b660}; {}",
        recording.describe()
    );
    assert!(
        a440 > 0.005 && a660 > 0.005,
        "after it: 440 Hz {a440}, 660 Hz {a660}; edited at frame {edited}, heard from {heard_from}; {}",
        recording.describe()
    );
}

#[test]
fn tidal_events_play_through_phonon_dirt() {
    if !rerun_under_pw_jack("tidal_events_play_through_phonon_dirt") {
        return;
    }
    let _turn = serial();
    let pipewire = PipeWire::start(256);
    let port = free_udp_port();
    let name = unique("dirt");
    let port_text = port.to_string();
    // Two orbits: with twelve, this process's clients linked to phonon stay suspended
    // (PipeWire 0.3.65 logs them "too slow"); a recorder started from a shell is not.
    let dirt = Phonon::spawn_on(
        &pipewire,
        &name,
        &[
            "dirt", "--port", &port_text, "--name", &name, "--quiet", "--orbits", "2",
        ],
    );
    dirt.wait_for("listening for Tidal and Strudel", Duration::from_secs(20));
    let capture = Capture::main_pair(&pipewire, &dirt, 2.0);
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    for k in 0..4u64 {
        let event = dirt_play_at(
            unix_micros_now() + 200_000 + k * 250_000,
            vec![
                rosc::OscType::String("s".into()),
                rosc::OscType::String("bd".into()),
                rosc::OscType::String("orbit".into()),
                rosc::OscType::Int(1),
            ],
        );
        socket.send_to(&event, ("127.0.0.1", port)).unwrap();
    }
    capture.wait_frames(3 * RATE as usize / 2);
    let recording = capture.finish();
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("played 4"), "{log}");
    let loud = recording
        .left
        .chunks(RATE as usize / 20)
        .filter(|c| rms(c) > 0.05)
        .count();
    assert!(loud >= 4, "four kicks heard: {loud} loud 50 ms windows");
}

#[test]
fn a_stopped_transport_says_how_to_play_on_pipewire() {
    if !rerun_under_pw_jack("a_stopped_transport_says_how_to_play_on_pipewire") {
        return;
    }
    let _turn = serial();
    let pipewire = PipeWire::start(256);
    let patch = temp_patch("out: sine 440 * 0.2\n");
    let phonon = Phonon::start_on(&pipewire, &patch, &["--quiet"]);
    let line = phonon.wait_for("transport is stopped", Duration::from_secs(5));
    let (code, log) = phonon.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(line.contains("on PipeWire run with --free-run"), "{line}");
}
