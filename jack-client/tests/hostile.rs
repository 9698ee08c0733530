//! Hostile but fair input against a real JACK server (dummy backend): one crafted packet, a
//! server that hangs, patch paths that are not patches, clashing names. Each must end in a clear
//! message or a logged recovery, the music going on where it can, and every exit bounded.
//!
//! Built only with optimisations, like `live.rs`.
#![cfg(not(debug_assertions))]

mod harness;

use harness::*;
use rosc::{OscMessage, OscPacket, OscType};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// `phonon dirt` on `server` as client `name`, listening on `port`, with the built-in kit.
fn start_dirt(server: &Server, name: &str, port: u16, extra: &[&str]) -> Phonon {
    let mut args = vec!["--orbits", "2", "--threads", "2"];
    args.extend_from_slice(extra);
    Phonon::dirt(server, name, port, &args)
}

/// A `/dirt/play` message that plays `sound` at once.
fn play_now(sound: &str) -> Vec<u8> {
    rosc::encoder::encode(&OscPacket::Message(OscMessage {
        addr: "/dirt/play".into(),
        args: vec![OscType::String("s".into()), OscType::String(sound.into())],
    }))
    .unwrap()
}

/// `packet` wrapped in `levels` bundles (`#bundle\0`, a time tag, the inner length).
fn nested(packet: Vec<u8>, levels: usize) -> Vec<u8> {
    let mut bytes = packet;
    for _ in 0..levels {
        let mut outer = b"#bundle\0".to_vec();
        outer.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
        outer.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        outer.extend_from_slice(&bytes);
        bytes = outer;
    }
    bytes
}

#[test]
fn one_packet_of_thousands_of_nested_bundles_is_dropped_and_the_music_goes_on() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let name = unique("dirt");
    let port = free_udp_port();
    let dirt = start_dirt(&server, &name, port, &[]);
    let tidal = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{port}");
    // 2,200 levels (44 KB) overflowed the receive thread's stack: exit 134, the music stopped.
    let hostile = nested(play_now("bd"), 2_200);
    assert!(hostile.len() < 65_000);
    tidal.send_to(&hostile, &target).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let capture = Capture::main_pair(&server, &dirt, 2.0);
    tidal.send_to(&play_now("bd"), &target).unwrap();
    capture.wait_frames(24_000);
    let recording = capture.finish();
    assert!(
        rms(&recording.left) > 1e-3,
        "the kick after the hostile packet is heard"
    );
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    let summary = summary_line(&log);
    assert_eq!(summary_field(summary, "too deep "), 1, "{summary}");
    assert_eq!(summary_field(summary, "played "), 1, "{summary}");
    assert!(log.contains("nested more than"), "{log}");
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

/// The short names of `client`'s ports on `server`.
fn ports_of(server: &Server, client: &str) -> Vec<String> {
    server
        .connections()
        .lines()
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.strip_prefix(&format!("{client}:")))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_example_plays_in_multi_out_mode_with_a_pair_per_output() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(256, true);
    for name in ["house.ph", "techno.ph", "ambient.ph", "dub.ph", "stress.ph"] {
        let patch = example(name);
        let text = std::fs::read_to_string(&patch).unwrap();
        // An output called `out` made `--multi-out` register `out_L` twice and exit 2.
        let phonon = Phonon::start(&server, &patch, &["--multi-out", "--free-run", "--quiet"]);
        let ports = ports_of(&server, &phonon.name);
        for port in ["out_L", "out_R"] {
            assert!(ports.contains(&port.to_string()), "{name}: {ports:?}");
        }
        let outputs = text
            .lines()
            .filter_map(|l| l.split_once(':').map(|(head, _)| head.trim()))
            .filter(|h| {
                *h == "out"
                    || h.strip_prefix('o')
                        .is_some_and(|n| n.parse::<u32>().is_ok())
            })
            .count();
        assert!(outputs > 0, "{name} has outputs");
        assert_eq!(ports.len(), 2 + 2 * outputs, "{name}: {ports:?}");
        if text.lines().any(|l| l.starts_with("out:")) {
            assert!(ports.contains(&"out_only_L".to_string()), "{ports:?}");
        }
        let capture = Capture::main_pair(&server, &phonon, 1.0);
        capture.wait_frames(24_000);
        let recording = capture.finish();
        assert!(rms(&recording.left) > 1e-4, "{name}: silent");
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{name}: {log}");
    }
}

/// Runs `phonon ARGS…` on `server` to its end: its exit code and stderr.
fn run(server: &Server, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phonon"))
        .args(args)
        .env("JACK_DEFAULT_SERVER", &server.name)
        .env("JACK_NO_START_SERVER", "1")
        .output()
        .expect("run phonon");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_client_name_in_use_is_named_as_the_problem_for_live_and_dirt() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(256, true);
    let taken = unique("taken");
    let first = start_dirt(&server, &taken, free_udp_port(), &[]);
    let patch = example("house.ph");
    let port = free_udp_port().to_string();
    for args in [
        vec!["live", patch.to_str().unwrap(), "--name", &taken, "--quiet"],
        vec!["dirt", "--port", &port, "--name", &taken, "--quiet"],
    ] {
        let (code, err) = run(&server, &args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        let line = err.lines().last().unwrap_or_default();
        assert!(
            line.contains(&format!("a JACK client named `{taken}` is already running"))
                && line.contains("--name"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("no JACK server"), "{err}");
    }
    let (code, log) = first.stop();
    assert_eq!(code, Some(0), "the first instance plays on: {log}");
}

#[test]
fn sigterm_ends_live_and_dirt_even_when_the_jack_server_hangs() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    for command in ["live", "dirt"] {
        let mut server = Server::start(128, true);
        let name = unique(command);
        let phonon = match command {
            "live" => Phonon::start_named(
                &server,
                &example("house.ph"),
                &name,
                &["--free-run", "--quiet"],
                &[],
            ),
            _ => start_dirt(&server, &name, free_udp_port(), &[]),
        };
        // jackd 1.9.21 hangs once a client with an xrun callback was stopped for a second
        // and continued; closing the client then waited for it forever.
        phonon.signal(libc::SIGSTOP);
        std::thread::sleep(Duration::from_millis(1_500));
        phonon.signal(libc::SIGCONT);
        std::thread::sleep(Duration::from_millis(500));
        let stopped = phonon.stop_within(Duration::from_secs(20));
        // The hung server is killed, then started and stopped again under its name: only a
        // server of the same name frees a killed one's entry in JACK's registry of servers
        // (eight places), which later tests need.
        server.restart();
        drop(server);
        let (code, log, took) = stopped.unwrap_or_else(|| panic!("{command}: SIGTERM ignored"));
        eprintln!("{command}: exited {code:?} {took:?} after SIGTERM");
        assert!(matches!(code, Some(0 | 1)), "{command}: {code:?}: {log}");
        assert!(log.contains("summary:"), "{command}: {log}");
    }
}

#[test]
fn a_patch_replaced_by_a_fifo_or_a_device_is_refused_and_the_music_goes_on() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(256, true);
    let patch = temp_patch("out: sine 440 * 0.2\n");
    let phonon = Phonon::start(&server, &patch, &["--free-run", "--quiet"]);
    // A FIFO with no writer renamed over the patch: the reload used to block on it, and with it
    // every later reload, status line and SIGTERM.
    let fifo = patch.with_extension("fifo");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    std::fs::rename(&fifo, &patch).unwrap();
    phonon.wait_for("it is a FIFO", Duration::from_secs(10));
    // Then a symlink to /dev/urandom, which grew memory without bound.
    let link = patch.with_extension("link");
    std::os::unix::fs::symlink("/dev/urandom", &link).unwrap();
    std::fs::rename(&link, &patch).unwrap();
    phonon.wait_for("it is a device", Duration::from_secs(10));
    let capture = Capture::main_pair(&server, &phonon, 1.0);
    capture.wait_frames(12_000);
    let recording = capture.finish();
    // A 0.2 sine measures 0.01 here.
    assert!(
        steady_tone(&recording.left, 440.0) > 0.005,
        "the previous patch plays on: {}; {}",
        steady_tone(&recording.left, 440.0),
        recording.describe()
    );
    // A regular file again is read and swapped in.
    let good = patch.with_extension("good");
    std::fs::write(&good, "out: sine 660 * 0.2\n").unwrap();
    std::fs::rename(&good, &patch).unwrap();
    phonon.wait_for("reloaded", Duration::from_secs(10));
    let (code, log, _) = phonon
        .stop_within(Duration::from_secs(20))
        .expect("SIGTERM is heard");
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("summary:"), "{log}");
}

#[test]
fn dirt_on_port_0_says_which_port_the_system_gave_it() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(256, true);
    let name = unique("dirt");
    let dirt = start_dirt(&server, &name, 0, &[]);
    let line = dirt.wait_for(
        "listening for Tidal and Strudel on UDP",
        Duration::from_secs(5),
    );
    let port: u16 = line
        .split("UDP 127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(';').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a port in {line}"));
    assert_ne!(port, 0, "{line}");
    let tidal = UdpSocket::bind("127.0.0.1:0").unwrap();
    tidal
        .send_to(&play_now("bd"), format!("127.0.0.1:{port}"))
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    let summary = summary_line(&log);
    assert_eq!(summary_field(summary, "played "), 1, "{summary}");
}

/// A `/dirt/play` bundle of `sound` time-tagged at Unix time `at` (µs).
fn play_at(at: u64, sound: &str) -> Vec<u8> {
    dirt_play_at(
        at,
        vec![OscType::String("s".into()), OscType::String(sound.into())],
    )
}

#[test]
fn events_far_ahead_never_silence_the_events_due_now() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let name = unique("dirt");
    let port = free_udp_port();
    let dirt = start_dirt(&server, &name, port, &[]);
    let tidal = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{port}");
    // 20,000 events ten seconds ahead, paced so the kernel drops none: they filled the pending
    // table and everything else was dropped until their time (10 s of silence).
    let far = unix_micros_now() + 10_000_000;
    for k in 0..20_000u64 {
        tidal.send_to(&play_at(far + k, "bd"), &target).unwrap();
        if k % 200 == 199 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    let capture = Capture::main_pair(&server, &dirt, 2.0);
    tidal
        .send_to(&play_at(unix_micros_now() + 300_000, "bd"), &target)
        .unwrap();
    capture.wait_frames(48_000);
    let recording = capture.finish();
    assert!(rms(&recording.left) > 1e-3, "the event due now is heard");
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    let summary = summary_line(&log);
    assert_eq!(summary_field(summary, "played "), 1, "{summary}");
    let refused = summary_field(summary, "refused far ahead ");
    let received = summary_field(summary, "events ");
    // Most arrive (the engine test in dirt/tests/semantics.rs fills the table exactly; here
    // the kernel may drop a few under load).
    assert!(received > 8_192, "the kernel dropped too many: {summary}");
    // At most a quarter of the pending table waits for far events.
    assert_eq!(refused, received - 1 - 4_096, "{summary}");
}

/// The CPUs each of `pid`'s threads may run on, by thread name.
fn thread_cpus(pid: u32) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .flatten()
    {
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        let field = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        found.push((field("Name:"), field("Cpus_allowed_list:")));
    }
    found
}

/// `--cpus`: the operator puts JACK's process thread and the helpers where they want them.
#[test]
fn cpus_puts_the_workers_on_the_cpus_given() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(256, true);
    let cpu = scheduler::placement::allowed_cpus()
        .last()
        .copied()
        .unwrap_or(0)
        .to_string();
    let args = ["--free-run", "--quiet", "--threads", "2", "--cpus", &cpu];
    let phonon = Phonon::start(&server, &example("house.ph"), &args);
    let line = phonon.wait_for("threads: worker 0 (JACK)", Duration::from_secs(5));
    assert!(
        line.contains(&format!("worker 0 (JACK) on CPU {cpu}")),
        "{line}"
    );
    assert!(line.contains(&format!("helper 1 on CPU {cpu}")), "{line}");
    let helpers: Vec<(String, String)> = thread_cpus(phonon.pid())
        .into_iter()
        .filter(|(name, _)| name.starts_with("phonon-dsp"))
        .collect();
    assert!(!helpers.is_empty(), "{:?}", thread_cpus(phonon.pid()));
    assert!(helpers.iter().all(|(_, cpus)| *cpus == cpu), "{helpers:?}");
    // One CPU for two workers: said, as any other shared CPU is.
    phonon.wait_for("shares CPU", Duration::from_secs(5));
    let (code, log) = phonon.stop();
    assert_eq!(code, Some(0), "{log}");
}

#[test]
fn a_second_phonon_says_which_cpus_it_shares_with_the_first() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(256, true);
    let patch = example("house.ph");
    let args = ["--free-run", "--quiet", "--threads", "2"];
    let first = Phonon::start(&server, &patch, &args);
    first.wait_for("threads: worker 0 (JACK)", Duration::from_secs(5));
    let second = Phonon::start(&server, &patch, &args);
    second.wait_for("threads: worker 0 (JACK)", Duration::from_secs(5));
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let log = second.log();
    if cpus <= 2 {
        // Both need every CPU: the second says what it shares, and with whom (among any other
        // real-time audio this machine runs).
        let line = second.wait_for("shares CPU", Duration::from_secs(5));
        assert!(line.contains(&format!("(pid {})", first.pid())), "{line}");
    } else {
        // Enough CPUs: the second's threads go where the first's are not.
        assert!(!log.contains(&format!("(pid {})", first.pid())), "{log}");
    }
    // The first came first: it warns of no Phonon of this test (other real-time audio on the
    // machine it may well name).
    assert!(
        !first.log().contains(&format!("(pid {})", second.pid())),
        "{}",
        first.log()
    );
    for phonon in [second, first] {
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");
    }
}
