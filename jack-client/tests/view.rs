//! `--view` for real, in a terminal: phonon runs in a tmux pane against a real JACK server and
//! the test reads the pane: the meters move, the roll shows the patch's events, a broken save
//! shows its error while the music plays on, `h` hushes and `q` exits 0.

mod harness;

use harness::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of the test's own, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Runs `command` in a detached 120×40 pane; None (skipped) without tmux.
    fn run(command: &str) -> Option<Tmux> {
        let tmux = Tmux {
            socket: unique("phonon-view"),
        };
        let started = Command::new("tmux")
            .args([
                "-L",
                &tmux.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "40",
            ])
            .arg(command)
            .status()
            .is_ok_and(|s| s.success());
        if started {
            return Some(tmux);
        }
        skip_for_want_of("tmux is missing", "scripts/install-deps --test installs it");
        None
    }

    /// The pane's text now.
    fn capture(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the pane shows `text`, and returns the pane.
    fn wait_for(&self, text: &str, timeout: Duration) -> String {
        let started = Instant::now();
        loop {
            let pane = self.capture();
            if pane.contains(text) {
                return pane;
            }
            assert!(
                started.elapsed() < timeout,
                "the view did not show `{text}` within {timeout:?}:\n{pane}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&self, keys: &str) {
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", keys])
            .status()
            .expect("tmux send-keys");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// The peak figures (dBFS) of output `name`'s meter row in `pane`.
fn peaks(pane: &str, name: &str) -> Vec<f32> {
    let row = pane
        .lines()
        .find(|l| l.trim_start_matches('│').starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no meter for `{name}`:\n{pane}"));
    row.split(" dB")
        .filter_map(|part| part.split_whitespace().last()?.parse().ok())
        .collect()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn the_view_shows_meters_patterns_and_errors_and_quits_on_q() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    let server = Server::start(256, true);
    let patch: PathBuf = temp_patch(
        "bpm: 120\nout1: s \"bd*4\" # gain 0.9\nout2: saw \"110 220\" # lpf 900 0.3 * 0.2\n",
    );
    let exit = patch.with_extension("exit");
    let command = format!(
        "JACK_DEFAULT_SERVER={} JACK_NO_START_SERVER=1 {} live {} --name {} --free-run --view; echo exit=$? > {}; sleep 60",
        server.name,
        env!("CARGO_BIN_EXE_phonon"),
        patch.display(),
        unique("view"),
        exit.display()
    );
    let Some(tmux) = Tmux::run(&command) else {
        return;
    };
    let pane = tmux.wait_for("outputs (peak dBFS)", Duration::from_secs(20));
    assert!(
        pane.contains("phonon · ") && pane.contains("playing"),
        "{pane}"
    );
    assert!(pane.contains("120.0 BPM"), "{pane}");
    // The roll: the next two cycles of each output's pattern, as `phonon query --draw`.
    let pane = tmux.wait_for("out1 |bbbb|bbbb|", Duration::from_secs(5));
    assert!(pane.contains("out2 |12|12|"), "{pane}");
    // The meters move: readings a redraw apart differ, and the outputs sound.
    let mut readings = Vec::new();
    for _ in 0..10 {
        let pane = tmux.capture();
        readings.push((peaks(&pane, "out1"), peaks(&pane, "out2")));
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(
        readings.iter().any(|(a, _)| a.iter().any(|&db| db > -20.0)),
        "out1 sounds: {readings:?}"
    );
    assert!(
        readings.iter().any(|(_, b)| b.iter().any(|&db| db > -30.0)),
        "out2 sounds: {readings:?}"
    );
    assert!(
        readings.windows(2).any(|w| w[0].0 != w[1].0),
        "the kick's meter moves: {readings:?}"
    );
    // A broken save: its error shows, and the previous patch plays on.
    write(
        &patch,
        "bpm: 120\nout1: s \"bd*4 [~ cp\" # gain 0.9\nout2: saw \"110 220\" # lpf 900 0.3 * 0.2\n",
    );
    let pane = tmux.wait_for("last error", Duration::from_secs(10));
    assert!(pane.contains(":2:"), "the error names its line: {pane}");
    assert!(pane.contains("expected ']'"), "{pane}");
    std::thread::sleep(Duration::from_millis(300));
    let pane = tmux.capture();
    assert!(
        peaks(&pane, "out2").iter().any(|&db| db > -30.0),
        "still playing: {pane}"
    );
    // Fixed: the error goes.
    write(
        &patch,
        "bpm: 120\nout1: s \"bd*4 [~ cp]\" # gain 0.9\nout2: saw \"110 220\" # lpf 900 0.3 * 0.2\n",
    );
    let started = Instant::now();
    while tmux.capture().contains("last error") {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the error stays"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // `h` hushes: the headline says so and the meters fall silent.
    tmux.keys("h");
    tmux.wait_for("HUSHED", Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(400));
    let pane = tmux.capture();
    assert!(
        peaks(&pane, "out").iter().all(|&db| db <= -60.0),
        "hushed: {pane}"
    );
    tmux.keys("q");
    let started = Instant::now();
    while !exit.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "q did not quit:\n{}",
            tmux.capture()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(std::fs::read_to_string(&exit).unwrap().trim(), "exit=0");
    let pane = tmux.capture();
    assert!(
        pane.contains("summary:"),
        "the summary prints after the view: {pane}"
    );
    let _ = std::fs::remove_file(&exit);
}
