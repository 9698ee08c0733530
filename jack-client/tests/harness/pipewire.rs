//! A headless PipeWire serving the JACK API, for the tests that play under `pw-jack`: a runtime
//! folder of its own (no session bus, nothing of a desktop's), its dummy driver, and the
//! quantum (PipeWire's buffer size) a test asks for.

use super::{have, unique, Host};
use jack::{Client, ClientOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Set in a test process that runs under `pw-jack` (see [`rerun_under_pw_jack`]).
const UNDER_PW_JACK: &str = "PHONON_UNDER_PW_JACK";

/// A running `pipewire` with its own runtime folder.
pub struct PipeWire {
    runtime: PathBuf,
    child: Child,
}

/// True if PipeWire and its JACK library are installed; without them the test is skipped,
/// unless `PHONON_REQUIRE_JACK=1` (as in CI), where that is a failure.
pub fn pipewire_available() -> bool {
    if have("pipewire") && have("pw-jack") && have("pw-metadata") {
        return true;
    }
    super::skip_for_want_of(
        "PipeWire is not installed",
        "scripts/test installs pipewire-jack",
    );
    false
}

/// True when this test process runs with PipeWire's libjack, so its own clients (the
/// captures) reach PipeWire too. Otherwise runs test `name` again under `pw-jack`, checks that
/// it passed, and returns false: the caller returns at once.
pub fn rerun_under_pw_jack(name: &str) -> bool {
    if std::env::var(UNDER_PW_JACK).as_deref() == Ok("1") {
        return true;
    }
    if !pipewire_available() {
        return false;
    }
    let test = std::env::current_exe().expect("the test binary");
    let output = Command::new("pw-jack")
        .arg(&test)
        .args([name, "--exact", "--test-threads=1", "--nocapture"])
        .env(UNDER_PW_JACK, "1")
        .output()
        .expect("run the test under pw-jack");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{name} under pw-jack failed:\n{log}"
    );
    assert!(
        log.contains("1 passed"),
        "{name} did not run under pw-jack:\n{log}"
    );
    false
}

impl PipeWire {
    /// Starts PipeWire at 48 kHz with `quantum` frames, and waits until it answers.
    pub fn start(quantum: u32) -> PipeWire {
        let runtime = std::env::temp_dir().join(unique("pipewire"));
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(
            &runtime,
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let child = Command::new("pipewire")
            .env("XDG_RUNTIME_DIR", &runtime)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pipewire");
        let pipewire = PipeWire { runtime, child };
        let started = Instant::now();
        while !pipewire.ready() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "pipewire did not come up"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        pipewire.settings("clock.force-rate", 48_000);
        pipewire.set_quantum(quantum);
        pipewire
    }

    /// True when the server answers.
    fn ready(&self) -> bool {
        self.runtime.join("pipewire-0").exists()
            && Command::new("pw-cli")
                .args(["info", "0"])
                .env("XDG_RUNTIME_DIR", &self.runtime)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
    }

    /// Forces the quantum to `frames`, as a desktop's settings or `pw-metadata` do.
    pub fn set_quantum(&self, frames: u32) {
        self.settings("clock.force-quantum", frames);
    }

    fn settings(&self, key: &str, value: u32) {
        let done = Command::new("pw-metadata")
            .args(["-n", "settings", "0", key, &value.to_string()])
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(done, "pw-metadata could not set {key}");
    }

    /// Its runtime folder.
    pub fn runtime(&self) -> &Path {
        &self.runtime
    }
}

impl Host for PipeWire {
    fn client(&self, name: &str) -> Client {
        // libpipewire finds the server through the runtime folder when a client opens.
        std::env::set_var("XDG_RUNTIME_DIR", &self.runtime);
        let (client, _) = Client::new(name, ClientOptions::NO_START_SERVER)
            .expect("open a client of PipeWire (is this process under pw-jack?)");
        client
    }

    fn connections(&self) -> String {
        let out = self
            .command("jack_lsp")
            .arg("-c")
            .output()
            .expect("jack_lsp");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new("pw-jack");
        command
            .arg(program)
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env_remove("JACK_DEFAULT_SERVER");
        command
    }
}

impl Drop for PipeWire {
    fn drop(&mut self) {
        // SAFETY: sends SIGTERM to our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.runtime);
    }
}
