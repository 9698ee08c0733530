//! Routing as a studio does it: real qjackctl, headless, with the shipped patchbay active,
//! connects `phonon live`'s ports, again after a restart; and in multi-out mode a later edit's
//! outputs get ports while the audio runs, without disturbing the ports that stay.
//!
//! Built only with optimisations, like `live.rs`.
#![cfg(not(debug_assertions))]

mod harness;

use harness::*;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// qjackctl running headless on `server` with a patchbay active.
struct Qjackctl {
    child: Child,
    home: std::path::PathBuf,
    /// The server's name, which names the single-instance socket qjackctl leaves in /tmp.
    server: String,
}

impl Qjackctl {
    fn start(server: &Server, patchbay: &Path) -> Option<Qjackctl> {
        let installed = Command::new("sh")
            .args(["-c", "command -v qjackctl"])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            skip_for_want_of("qjackctl is not installed", "scripts/test installs it");
            return None;
        }
        let home = std::env::temp_dir().join(unique("qjackctl-home"));
        let config = home.join(".config/rncbc.org");
        std::fs::create_dir_all(&config).unwrap();
        // Its messages go to a file the test reads; no ALSA sequencer in a container.
        std::fs::write(
            config.join("QjackCtl.conf"),
            format!(
                "[Options]\nMessagesLog=true\nMessagesLogPath={}\nAlsaSeqEnabled=false\n",
                home.join("qjackctl.log").display()
            ),
        )
        .unwrap();
        let runtime = home.join("runtime");
        std::fs::create_dir_all(&runtime).unwrap();
        let child = Command::new("qjackctl")
            .args(["-n", &server.name, "-a"])
            .arg(patchbay)
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("QT_QPA_PLATFORM", "offscreen")
            .env("JACK_DEFAULT_SERVER", &server.name)
            .env("JACK_NO_START_SERVER", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start qjackctl");
        let qjackctl = Qjackctl {
            child,
            home,
            server: server.name.clone(),
        };
        qjackctl.wait_for_log("Patchbay activated", Duration::from_secs(20));
        Some(qjackctl)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.join("qjackctl.log")).unwrap_or_default()
    }

    fn wait_for_log(&self, text: &str, timeout: Duration) {
        let started = Instant::now();
        while !self.log().contains(text) {
            assert!(
                started.elapsed() < timeout,
                "qjackctl did not log `{text}`; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Qjackctl {
    fn drop(&mut self) {
        // It asks before quitting on SIGTERM when a window is open, even offscreen.
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Killed, it cannot remove its single-instance socket (`/tmp/QjackCtl-SERVER@HOST`).
        // Qt's `qipc_*` files stay: a System V semaphore is keyed by such a file's inode, and a
        // new file on a reused inode would meet the killed instance's semaphore still held.
        let stem = format!("QjackCtl-{}@", self.server);
        for entry in std::fs::read_dir("/tmp").into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(&stem) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

/// Each `(from, to)` connection as `jack_lsp -c` shows it: `to` indented under `from`.
fn connected(listing: &str, from: &str, to: &str) -> bool {
    let mut current = "";
    for line in listing.lines() {
        if line.starts_with(char::is_whitespace) {
            if current == from && line.trim() == to {
                return true;
            }
        } else {
            current = line.trim();
        }
    }
    false
}

/// Waits until every connection in `wanted` is made.
fn wait_connected(server: &Server, wanted: &[(&str, &str)], timeout: Duration) -> String {
    let started = Instant::now();
    loop {
        let listing = server.connections();
        if wanted.iter().all(|(f, t)| connected(&listing, f, t)) {
            return listing;
        }
        assert!(
            started.elapsed() < timeout,
            "not connected within {timeout:?}: {wanted:?}\n{listing}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn qjackctl_routes_phonon_by_the_shipped_patchbay_and_again_after_a_restart() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(256, true);
    let patchbay = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contrib/qjackctl/phonon.xml");
    let Some(qjackctl) = Qjackctl::start(&server, &patchbay) else {
        return;
    };
    let patch = temp_patch("out: sine 440 * 0.1\n");
    // The patchbay names the client `phonon`, as users run it.
    let wanted = [
        ("phonon:out_L", "system:playback_1"),
        ("phonon:out_R", "system:playback_2"),
        ("system:capture_1", "phonon:in_1"),
    ];
    for round in ["first start", "restart"] {
        let phonon = Phonon::start_named(
            &server,
            &patch,
            "phonon",
            &["--free-run", "--quiet", "--inputs", "1"],
            &[],
        );
        let listing = wait_connected(&server, &wanted, Duration::from_secs(15));
        assert!(
            !connected(&listing, "phonon:out_L", "system:playback_2"),
            "{round}: only the patchbay's cables: {listing}"
        );
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{round}: {log}");
        let after = server.connections();
        assert!(!after.contains("phonon:"), "{round}: ports left: {after}");
    }
    let log = qjackctl.log();
    assert!(
        log.contains("phonon:out_L -> system:playback_1 connected"),
        "qjackctl made the connections: {log}"
    );
}

/// The shipped patchbay's MIDI cables: `midi_out` and `midi_clock` to the interface's
/// playback, its capture to `midi_in`. The dummy backend has no MIDI interface, so a client of
/// the test stands in for the `system` one jackd's ALSA MIDI drivers make, with their port
/// names: the patchbay is the shipped one with that client's name in its MIDI sockets.
#[test]
fn qjackctl_routes_phonons_midi_ports_by_the_shipped_patchbay() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(256, true);
    let device = unique("interface");
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../contrib/qjackctl/phonon.xml"),
    )
    .unwrap();
    let midi_sockets = "client=\"system\" type=\"jack-midi\"";
    assert_eq!(shipped.matches(midi_sockets).count(), 2, "{shipped}");
    let patchbay = std::env::temp_dir().join(format!("{device}.xml"));
    std::fs::write(
        &patchbay,
        shipped.replace(
            midi_sockets,
            &format!("client=\"{device}\" type=\"jack-midi\""),
        ),
    )
    .unwrap();
    let interface = server.client(&device);
    let _capture = interface
        .register_port("midi_capture_1", jack::MidiOut::default())
        .unwrap();
    let _playback = interface
        .register_port("midi_playback_1", jack::MidiIn::default())
        .unwrap();
    let interface = interface.activate_async((), ()).unwrap();
    let Some(_qjackctl) = Qjackctl::start(&server, &patchbay) else {
        return;
    };
    let patch = temp_patch("out: sine 440 * 0.1\nmidi: n \"0 4\"\n");
    let phonon = Phonon::start_named(
        &server,
        &patch,
        "phonon",
        &[
            "--free-run",
            "--quiet",
            "--midi-out",
            "--midi-clock",
            "--midi-in",
        ],
        &[],
    );
    let playback = format!("{device}:midi_playback_1");
    let capture = format!("{device}:midi_capture_1");
    wait_connected(
        &server,
        &[
            ("phonon:midi_out", playback.as_str()),
            ("phonon:midi_clock", playback.as_str()),
            (capture.as_str(), "phonon:midi_in"),
        ],
        Duration::from_secs(15),
    );
    let (code, log) = phonon.stop();
    assert_eq!(code, Some(0), "{log}");
    drop(interface);
    let _ = std::fs::remove_file(&patchbay);
}

#[test]
fn multi_out_edits_register_new_ports_and_keep_the_ones_that_stay() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(256, true);
    let patch = temp_patch("o1: sine 220 * 0.1\no2: sine 330 * 0.1\n");
    let phonon = Phonon::start(&server, &patch, &["--free-run", "--quiet", "--multi-out"]);
    let name = phonon.name.clone();
    let port = |p: &str| format!("{name}:{p}");
    // A connection made by hand (as a patchbay would) to an output that stays.
    let status = Command::new("jack_connect")
        .args(["-s", &server.name, &port("o1_L"), "system:playback_1"])
        .env("JACK_NO_START_SERVER", "1")
        .status()
        .expect("jack_connect");
    assert!(status.success());
    std::fs::write(&patch, "o1: sine 220 * 0.1\no3: sine 550 * 0.1\n").unwrap();
    phonon.wait_for("registered o3_L and o3_R", Duration::from_secs(10));
    phonon.wait_for("unregistered o2_L and o2_R", Duration::from_secs(10));
    let listing = server.connections();
    assert!(listing.contains(&port("o3_R")), "{listing}");
    assert!(
        connected(&listing, &port("o1_L"), "system:playback_1"),
        "o1's ports and connections stay: {listing}"
    );
    // o2's ports go once the audio thread is past them.
    let started = Instant::now();
    while server.connections().contains(&port("o2_L")) {
        assert!(started.elapsed() < Duration::from_secs(5), "o2_L stays");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The new output plays on its own pair: 550 Hz on o3, 220 Hz on o1.
    phonon.wait_for("reloaded", Duration::from_secs(5));
    let capture = Capture::start(&server, &port("o3_L"), &port("o1_R"), 0.5);
    capture.wait_frames(12_000);
    let recording = capture.finish();
    let c = &recording.left[2_000..];
    let a = &recording.right[2_000..];
    // A sine of amplitude 0.1: RMS 0.0707, nearly all of it at its own frequency.
    assert!((rms(c) - 0.0707).abs() < 0.005, "o3's level: {}", rms(c));
    assert!((rms(a) - 0.0707).abs() < 0.005, "o1's level: {}", rms(a));
    assert!(
        tone(c, 550.0) > 1000.0 * tone(c, 220.0),
        "o3 plays 550 Hz alone: {} at 550 Hz, {} at 220 Hz",
        tone(c, 550.0),
        tone(c, 220.0)
    );
    assert!(
        tone(a, 220.0) > 1000.0 * tone(a, 550.0),
        "o1 plays 220 Hz alone"
    );
    let (code, log) = phonon.stop();
    assert_eq!(code, Some(0), "{log}");
}
