//! A real JACK server for tests: a named dummy-backend `jackd` per test (or a headless
//! PipeWire serving the JACK API, see [`pipewire`]), `phonon live` as a child process, and an
//! in-process recording client.
#![allow(dead_code)]

pub mod pipewire;

use jack::{
    AudioIn, Client, ClientOptions, Control, Frames, NotificationHandler, ProcessHandler,
    ProcessScope,
};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

static NEXT: AtomicUsize = AtomicUsize::new(0);
/// libjack keeps process-wide state; the tests of a binary take turns.
static SERIAL: Mutex<()> = Mutex::new(());

/// A server that JACK clients play on: jackd, or PipeWire through its libjack.
pub trait Host {
    /// Opens a client of this server in the test process.
    fn client(&self, name: &str) -> Client;
    /// `jack_lsp -c` output: every port with its connections.
    fn connections(&self) -> String;
    /// A command that runs `program` as a client of this server.
    fn command(&self, program: &str) -> Command;
}

/// Runs `ip ARGS…`; true if it succeeded.
pub fn ip(args: &[&str]) -> bool {
    Command::new("ip")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A network namespace of the test's, removed with its ends of the veth pairs when dropped.
pub struct Netns(pub String);

impl Drop for Netns {
    fn drop(&mut self) {
        ip(&["netns", "del", &self.0]);
    }
}

/// A unique name for a server or client of this test process.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// `text` saved as `patch.ph` in a fresh temporary folder.
pub fn temp_patch(text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(unique("phonon-live"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("patch.ph");
    std::fs::write(&path, text).unwrap();
    path
}

/// Takes this binary's turn at JACK.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// True if `program` is on the PATH.
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// True if JACK is installed. Without it the test is skipped, unless `PHONON_REQUIRE_JACK=1`
/// (as in CI), where that is a failure.
pub fn jack_available() -> bool {
    if have("jackd") && have("jack_lsp") {
        return true;
    }
    skip_for_want_of("jackd is not installed", "scripts/test installs jackd2");
    false
}

/// A test cannot run here because `what` (the JACK server, a tool, root): with
/// `PHONON_REQUIRE_JACK=1`, as in CI, that fails it; otherwise it is skipped, saying so and
/// what would `fix` it.
pub fn skip_for_want_of(what: &str, fix: &str) {
    assert!(
        std::env::var("PHONON_REQUIRE_JACK").as_deref() != Ok("1"),
        "{what} and PHONON_REQUIRE_JACK=1 ({fix})"
    );
    eprintln!("skipped: {what} ({fix})");
}

/// A dummy-backend JACK server under a name of its own.
pub struct Server {
    /// Its name.
    pub name: String,
    /// Its period in frames.
    pub period: u32,
    child: Option<Child>,
    realtime: bool,
    /// The network namespace it runs in, if not this process's.
    netns: Option<String>,
    /// Its driver and the driver's options (`-d dummy …`).
    driver: Vec<String>,
}

impl Server {
    /// Starts a server at 48 kHz with `period` frames and waits until it answers.
    pub fn start(period: u32, realtime: bool) -> Server {
        let driver = ["-d", "dummy", "-r", "48000", "-p", &period.to_string()]
            .iter()
            .map(|s| s.to_string())
            .collect();
        Server::start_with(period, realtime, None, driver)
    }

    /// Starts a real-time server in the network namespace `netns` (this process's with
    /// `None`) with the `driver` options given, and waits until it answers.
    pub fn start_with(
        period: u32,
        realtime: bool,
        netns: Option<&str>,
        driver: Vec<String>,
    ) -> Server {
        let mut server = Server {
            name: unique("phonon-test"),
            period,
            child: None,
            realtime,
            netns: netns.map(str::to_string),
            driver,
        };
        server.launch();
        server
    }

    fn launch(&mut self) {
        let mut args = vec!["-n".to_string(), self.name.clone()];
        if self.realtime {
            args.extend(["-R".into(), "-P".into(), "70".into()]);
        } else {
            args.push("-r".into());
        }
        args.extend(self.driver.iter().cloned());
        // `ip netns exec` runs jackd in the namespace as this same process id.
        let mut command = match &self.netns {
            Some(netns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", netns, "jackd"]);
                c
            }
            None => Command::new("jackd"),
        };
        let child = command
            .args(&args)
            .env("JACK_NO_AUDIO_RESERVATION", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start jackd");
        self.child = Some(child);
        let started = Instant::now();
        while !self.ready() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "jackd {} did not come up",
                self.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// True when the server answers.
    pub fn ready(&self) -> bool {
        Command::new("jack_lsp")
            .args(["-s", &self.name])
            .env("JACK_NO_START_SERVER", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Kills the server (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again under the same name.
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    /// `jack_lsp -c` output: every port with its connections.
    pub fn connections(&self) -> String {
        let out = Command::new("jack_lsp")
            .args(["-c", "-s", &self.name])
            .env("JACK_NO_START_SERVER", "1")
            .output()
            .expect("jack_lsp");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Opens an in-process client on this server.
    pub fn client(&self, name: &str) -> Client {
        // libjack reads the server name from the environment when a client opens.
        std::env::set_var("JACK_DEFAULT_SERVER", &self.name);
        std::env::set_var("JACK_NO_START_SERVER", "1");
        let (client, _) = Client::new(name, ClientOptions::NO_START_SERVER).expect("open a client");
        client
    }
}

impl Host for Server {
    fn client(&self, name: &str) -> Client {
        Server::client(self, name)
    }

    fn connections(&self) -> String {
        Server::connections(self)
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env("JACK_DEFAULT_SERVER", &self.name)
            .env("JACK_NO_START_SERVER", "1");
        command
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: sends SIGTERM to our own child process.
            unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
            let _ = child.wait();
        }
    }
}

/// `phonon live` running as a child, its stderr collected.
pub struct Phonon {
    /// The JACK client name it was given.
    pub name: String,
    child: Child,
    log: Arc<Mutex<String>>,
}

impl Phonon {
    /// Starts `phonon live PATCH --name NAME ARGS…` on `server`.
    pub fn start(server: &Server, patch: &Path, args: &[&str]) -> Phonon {
        Phonon::start_named(server, patch, &unique("phonon"), args, &[])
    }

    /// Starts `phonon live PATCH --name NAME ARGS…` on `server` with `env` added to its
    /// environment.
    pub fn start_named(
        server: &Server,
        patch: &Path,
        name: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Phonon {
        let patch = patch.to_str().expect("a UTF-8 path");
        let mut all = vec!["live", patch, "--name", name];
        all.extend_from_slice(args);
        let phonon = Phonon::spawn(server, name, &all, env);
        phonon.wait_for("cycle 0 of generation 1", Duration::from_secs(20));
        phonon
    }

    /// Runs `phonon ARGS…` (any subcommand) on `server`, collecting its stderr; `name` is the
    /// JACK client name it was given.
    pub fn spawn(server: &Server, name: &str, args: &[&str], env: &[(&str, &str)]) -> Phonon {
        Phonon::spawn_in(None, server, name, args, env)
    }

    /// [`Phonon::spawn`] in the network namespace `netns` (this process's with `None`).
    pub fn spawn_in(
        netns: Option<&str>,
        server: &Server,
        name: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Phonon {
        let phonon = env!("CARGO_BIN_EXE_phonon");
        let mut command = match netns {
            Some(netns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", netns, phonon]);
                c.env("JACK_DEFAULT_SERVER", &server.name)
                    .env("JACK_NO_START_SERVER", "1");
                c
            }
            None => server.command(phonon),
        };
        command.args(args).envs(env.iter().copied());
        Phonon::from_command(command, name)
    }

    /// Runs `phonon ARGS…` as a client of `host`, collecting its stderr.
    pub fn spawn_on(host: &impl Host, name: &str, args: &[&str]) -> Phonon {
        let mut command = host.command(env!("CARGO_BIN_EXE_phonon"));
        command.args(args);
        Phonon::from_command(command, name)
    }

    /// Starts `phonon live PATCH --name NAME ARGS…` on `host` and waits until it plays.
    pub fn start_on(host: &impl Host, patch: &Path, args: &[&str]) -> Phonon {
        let name = unique("phonon");
        let patch = patch.to_str().expect("a UTF-8 path");
        let mut all = vec!["live", patch, "--name", &name];
        all.extend_from_slice(args);
        let phonon = Phonon::spawn_on(host, &name, &all);
        phonon.wait_for("cycle 0 of generation 1", Duration::from_secs(20));
        phonon
    }

    /// Runs `command`, its stderr collected; `name` is its JACK client name.
    fn from_command(mut command: Command, name: &str) -> Phonon {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start phonon");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Phonon {
            name: name.to_string(),
            child,
            log,
        }
    }

    /// Starts `phonon dirt --port PORT --name NAME --quiet ARGS…` on `server` and waits until
    /// it listens.
    pub fn dirt(server: &Server, name: &str, port: u16, args: &[&str]) -> Phonon {
        let port = port.to_string();
        let mut all = vec!["dirt", "--port", &port, "--name", name, "--quiet"];
        all.extend_from_slice(args);
        let dirt = Phonon::spawn(server, name, &all, &[]);
        dirt.wait_for("listening for Tidal and Strudel", Duration::from_secs(20));
        dirt
    }

    /// Everything it has logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until the log contains `text`, and returns the first line containing it.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        let started = Instant::now();
        loop {
            if let Some(line) = self.log().lines().find(|l| l.contains(text)) {
                return line.to_string();
            }
            assert!(
                started.elapsed() < timeout,
                "phonon did not log `{text}` within {timeout:?}; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The JACK frame at which cycle 0 of the first program played.
    pub fn start_frame(&self) -> u64 {
        let line = self.wait_for(
            "cycle 0 of generation 1 is JACK frame",
            Duration::from_secs(5),
        );
        line.rsplit(' ').next().unwrap().parse().unwrap()
    }

    /// Sends it `signal`.
    pub fn signal(&self, signal: i32) {
        // SAFETY: sends a signal to our own child process.
        unsafe { libc::kill(self.child.id() as i32, signal) };
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Asks it to stop (SIGTERM) and returns its exit code and log.
    pub fn stop(mut self) -> (Option<i32>, String) {
        // SAFETY: sends SIGTERM to our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().expect("phonon exits");
        std::thread::sleep(Duration::from_millis(50));
        (status.code(), self.log())
    }
}

impl Phonon {
    /// Asks it to stop (SIGTERM) and waits at most `patience`: its exit code, its log and how
    /// long it took to exit, or `None` if it was still running (it is then killed).
    pub fn stop_within(mut self, patience: Duration) -> Option<(Option<i32>, String, Duration)> {
        let asked = Instant::now();
        // SAFETY: sends SIGTERM to our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        while asked.elapsed() < patience {
            if let Some(status) = self.child.try_wait().expect("wait for phonon") {
                let took = asked.elapsed();
                std::thread::sleep(Duration::from_millis(50));
                return Some((status.code(), self.log(), took));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }
}

impl Drop for Phonon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Recorded audio: two channels from JACK frame `start` on.
#[derive(Default)]
pub struct Recording {
    /// The JACK frame of the first sample.
    pub start: Option<u64>,
    /// Left.
    pub left: Vec<f32>,
    /// Right.
    pub right: Vec<f32>,
    /// Each period recorded: its JACK frame and its length.
    pub periods: Vec<(u64, usize)>,
    /// When each period began, by JACK's clock (µs).
    pub began: Vec<u64>,
    /// Xruns JACK reported while recording (to the recorder, so to every client).
    pub xruns: u64,
}

impl Recording {
    /// Where JACK frame `frame` is in the recording, if it was recorded.
    pub fn index_of(&self, frame: u64) -> Option<usize> {
        let mut at = 0;
        for &(start, len) in &self.periods {
            if (start..start + len as u64).contains(&frame) {
                return Some(at + (frame - start) as usize);
            }
            at += len;
        }
        None
    }

    /// The JACK frame of the sample at `index` of the recording. Not `start + index`: JACK
    /// may have skipped periods since the start.
    pub fn frame_at(&self, index: usize) -> Option<u64> {
        let mut at = 0;
        for &(start, len) in &self.periods {
            if index < at + len {
                return Some(start + (index - at) as u64);
            }
            at += len;
        }
        None
    }

    /// True if JACK frames `from..to` were all recorded, in one piece.
    pub fn covers(&self, from: u64, to: u64) -> bool {
        match (self.index_of(from), self.index_of(to.saturating_sub(1))) {
            (Some(a), Some(b)) => b - a == (to - from - 1) as usize,
            _ => false,
        }
    }

    /// When JACK frame `frame` played, by JACK's clock (µs): its period's start and the frames
    /// into it at `rate`. Under load a dummy backend falls behind its nominal rate and skips
    /// periods, so a tempo kept by the clock is measured by the clock, not in frames.
    pub fn time_of(&self, frame: u64, rate: f64) -> Option<f64> {
        let k = self
            .periods
            .iter()
            .position(|&(start, len)| (start..start + len as u64).contains(&frame))?;
        let (start, _) = self.periods[k];
        Some(*self.began.get(k)? as f64 + (frame - start) as f64 * 1e6 / rate)
    }

    /// Periods JACK skipped while recording (xruns, restarts): (where in the recording, frames).
    pub fn gaps(&self) -> Vec<(usize, u64)> {
        let mut at = 0;
        let mut gaps = Vec::new();
        for w in self.periods.windows(2) {
            at += w[0].1;
            let expected = w[0].0 + w[0].1 as u64;
            if w[1].0 != expected {
                gaps.push((at, w[1].0.wrapping_sub(expected)));
            }
        }
        gaps
    }

    /// What the recording holds, for a failure message: its periods, the xruns and gaps JACK
    /// reported, its dropouts (64 or more exact zeros) and the left channel's RMS each tenth of
    /// a second, so that a starved machine is told from a silent phonon.
    pub fn describe(&self) -> String {
        let dropouts = dropouts(&self.left);
        let silent: usize = dropouts.iter().map(|d| d.len()).sum();
        let levels: Vec<String> = self
            .left
            .chunks(4_800)
            .map(|tenth| format!("{:.3}", rms(tenth)))
            .collect();
        format!(
            "{} frames in {} periods, {} xruns, gaps {:?}, {} dropouts of {silent} frames, \
             RMS a tenth of a second [{}]",
            self.left.len(),
            self.periods.len(),
            self.xruns,
            self.gaps(),
            dropouts.len(),
            levels.join(" ")
        )
    }
}

struct Recorder {
    ports: [jack::Port<AudioIn>; 2],
    data: Arc<Mutex<Recording>>,
    /// The first JACK frame whose period certainly had the connections; none before it is kept.
    from: Arc<AtomicU64>,
}

impl ProcessHandler for Recorder {
    fn process(&mut self, _: &Client, ps: &ProcessScope) -> Control {
        let frame = ps.last_frame_time();
        let from = self.from.load(Ordering::Acquire);
        // JACK's frame counter wraps at 2^32: "at or after" is a wrapped difference under 2^31.
        if from == u64::MAX || frame.wrapping_sub(from as u32) >= 1 << 31 {
            return Control::Continue;
        }
        if let Ok(mut data) = self.data.try_lock() {
            if data.start.is_none() {
                data.start = Some(u64::from(frame));
            }
            let left = self.ports[0].as_slice(ps);
            let right = self.ports[1].as_slice(ps);
            if data.left.len() + left.len() <= data.left.capacity()
                && data.periods.len() < data.periods.capacity()
            {
                data.left.extend_from_slice(left);
                data.right.extend_from_slice(right);
                data.periods.push((u64::from(frame), left.len()));
                let began = ps.cycle_times().map_or(0, |t| t.current_usecs);
                data.began.push(began);
            }
        }
        Control::Continue
    }

    fn buffer_size(&mut self, _: &Client, _: Frames) -> Control {
        Control::Continue
    }
}

/// Counts the xruns the server reports.
pub struct XrunCounter(Arc<AtomicU64>);

impl NotificationHandler for XrunCounter {
    fn xrun(&mut self, _: &Client) -> Control {
        self.0.fetch_add(1, Ordering::Relaxed);
        Control::Continue
    }
}

/// A client that adds the xruns `server` reports to `tally` while it lives.
pub fn watch_xruns(
    server: &impl Host,
    tally: &Arc<AtomicU64>,
) -> jack::AsyncClient<XrunCounter, ()> {
    server
        .client(&unique("xruns"))
        .activate_async(XrunCounter(tally.clone()), ())
        .expect("activate the xrun watch")
}

/// Runs `scenario` until it passes, at most `attempts` times; it counts its server's xruns into
/// the tally it is given ([`watch_xruns`]). A failure with no xrun is phonon's and fails at
/// once. One with xruns about was spoiled by the machine: `jack_midi_dump` counts time by
/// the periods it processes, and a period it missed shifts or loses what it heard; JACK's
/// estimate of when a period plays, which time tags are placed by, moves. That attempt is run
/// again, and if every attempt was spoiled the last failure stands.
pub fn unless_xruns_spoil(attempts: usize, mut scenario: impl FnMut(&Arc<AtomicU64>)) {
    for attempt in 1..=attempts {
        let xruns = Arc::new(AtomicU64::new(0));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scenario(&xruns)));
        let Err(failure) = result else { return };
        let seen = xruns.load(Ordering::Relaxed);
        if seen == 0 || attempt == attempts {
            std::panic::resume_unwind(failure);
        }
        eprintln!("attempt {attempt} could not be judged: {seen} xruns while it ran");
    }
}

/// A client recording two of phonon's ports.
pub struct Capture {
    client: jack::AsyncClient<XrunCounter, Recorder>,
    data: Arc<Mutex<Recording>>,
    xruns: Arc<AtomicU64>,
}

impl Capture {
    /// Records `from_left` and `from_right` for up to `seconds`.
    pub fn start(server: &impl Host, from_left: &str, from_right: &str, seconds: f64) -> Capture {
        let client = server.client(&unique("rec"));
        let ports = [
            client.register_port("rec_L", AudioIn::default()).unwrap(),
            client.register_port("rec_R", AudioIn::default()).unwrap(),
        ];
        let names = [ports[0].name().unwrap(), ports[1].name().unwrap()];
        let frames = (seconds * 48_000.0) as usize + 8_192;
        let data = Arc::new(Mutex::new(Recording {
            start: None,
            left: Vec::with_capacity(frames),
            right: Vec::with_capacity(frames),
            periods: Vec::with_capacity(frames / 16),
            began: Vec::with_capacity(frames / 16),
            xruns: 0,
        }));
        let xruns = Arc::new(AtomicU64::new(0));
        let from = Arc::new(AtomicU64::new(u64::MAX));
        let client = client
            .activate_async(
                XrunCounter(xruns.clone()),
                Recorder {
                    ports,
                    data: data.clone(),
                    from: from.clone(),
                },
            )
            .unwrap();
        client
            .as_client()
            .connect_ports_by_name(from_left, &names[0])
            .unwrap();
        client
            .as_client()
            .connect_ports_by_name(from_right, &names[1])
            .unwrap();
        // A connection takes effect at the next cycle: record from the one after that, however
        // late a busy machine runs them (a fixed wait once let a loaded CI record silence).
        let period = client.as_client().buffer_size();
        let now = client.as_client().frame_time();
        from.store(u64::from(now.wrapping_add(2 * period)), Ordering::Release);
        let started = Instant::now();
        while data.lock().unwrap().start.is_none() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "recording never started"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        xruns.store(0, Ordering::Relaxed);
        Capture {
            client,
            data,
            xruns,
        }
    }

    /// Records phonon's main pair for up to `seconds`.
    pub fn main_pair(server: &impl Host, phonon: &Phonon, seconds: f64) -> Capture {
        Capture::start(
            server,
            &format!("{}:out_L", phonon.name),
            &format!("{}:out_R", phonon.name),
            seconds,
        )
    }

    /// Frames recorded so far.
    pub fn frames(&self) -> usize {
        self.data.lock().unwrap().left.len()
    }

    /// Waits until `frames` frames are recorded.
    pub fn wait_frames(&self, frames: usize) {
        let started = Instant::now();
        while self.frames() < frames {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "recording stalled"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The client, for requests such as a buffer size change.
    pub fn client(&self) -> &Client {
        self.client.as_client()
    }

    /// Stops and returns the recording. It is taken before the client deactivates: while it
    /// does, JACK disconnects its ports and the last periods would read silence.
    pub fn finish(self) -> Recording {
        // The empty recording left behind has no room, so the callback records nothing more.
        let mut recording = std::mem::take(&mut *self.data.lock().unwrap());
        // Xrun notifications come on another thread, a little after the fact.
        std::thread::sleep(Duration::from_millis(50));
        recording.xruns = self.xruns.load(Ordering::Relaxed);
        let _ = self.client.deactivate();
        recording
    }
}

/// Where `x` drops out: each run of 64 or more exact zeros, which no sine a test plays has.
pub fn dropouts(x: &[f32]) -> Vec<std::ops::Range<usize>> {
    const DROPOUT: usize = 64;
    let mut runs = Vec::new();
    let mut start = 0;
    for (i, &v) in x.iter().enumerate() {
        if v != 0.0 {
            if i - start >= DROPOUT {
                runs.push(start..i);
            }
            start = i + 1;
        }
    }
    if x.len() - start >= DROPOUT {
        runs.push(start..x.len());
    }
    runs
}

/// The root-mean-square of `x`.
pub fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
}

/// The largest sample-to-sample step.
pub fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// The power of `x` at `freq` Hz (Goertzel), at 48 kHz.
pub fn tone(x: &[f32], freq: f32) -> f32 {
    let w = std::f32::consts::TAU * freq / 48_000.0;
    let (mut s1, mut s2) = (0.0f32, 0.0f32);
    for &v in x {
        let s = v + 2.0 * w.cos() * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    (s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2) / (x.len() as f32).powi(2)
}

/// The power of a steady tone at `freq` Hz in `x` (48 kHz): the mean of [`tone`] over whole
/// pieces of a tenth of a second (Bartlett's method), or over all of `x` if it is shorter. A
/// period the server skipped or played twice jumps a sine's phase, and over a whole window one
/// jump can cancel most of its power: 256 frames are 3.52 cycles of 660 Hz, nearly an
/// inversion. In pieces a jump costs only the piece it falls in. Their 10 Hz bins put every
/// tone the tests play (multiples of 10 Hz) on a bin of its own, so none leaks into another.
pub fn steady_tone(x: &[f32], freq: f32) -> f32 {
    const PIECE: usize = 4_800;
    if x.len() < PIECE {
        return tone(x, freq);
    }
    let pieces = x.chunks_exact(PIECE);
    let count = pieces.len() as f32;
    pieces.map(|piece| tone(piece, freq)).sum::<f32>() / count
}

/// Why a scenario did not pass.
#[derive(Debug)]
pub enum Verdict {
    /// Phonon did something wrong.
    Fault(String),
    /// The machine skipped too many periods to tell: run the scenario again.
    Unjudgeable(String),
}

/// Runs `scenario` until it can be judged, at most `attempts` times: a fault of phonon's fails
/// at once; a run the machine spoiled (JACK skipped too many periods to tell) is run again, and
/// if every attempt was spoiled the test fails with what each lost.
pub fn judge(attempts: usize, mut scenario: impl FnMut() -> Result<(), Verdict>) {
    let mut spoiled = Vec::new();
    for attempt in 1..=attempts {
        match scenario() {
            Ok(()) => return,
            Err(Verdict::Fault(e)) => panic!("{e}"),
            Err(Verdict::Unjudgeable(why)) => {
                eprintln!("attempt {attempt} could not be judged: {why}");
                spoiled.push(why);
            }
        }
    }
    panic!("none of {attempts} attempts could be judged: {spoiled:#?}");
}

/// How a recording lines up with an offline render of the same patch.
#[derive(Debug, Default)]
pub struct Alignment {
    /// Periods whose samples are exactly the render's at some frame near where they belong.
    pub matched: usize,
    /// JACK frames of the periods that match no frame of the render.
    pub unmatched: Vec<u64>,
    /// Times the offset moved away from a gap in the recorder's frames: JACK handed the
    /// recorder a period phonon had not written yet, or skipped one for phonon alone.
    pub jumps: usize,
    /// Times the offset moved at a gap (the period after it, or the next): JACK skipped a
    /// period for every client, and the beat moves back a whole period, by design.
    pub jumps_at_gaps: usize,
    /// Frames phonon ended behind JACK's clock, since `cycle0`.
    pub drift: i64,
}

impl Alignment {
    /// Judges the alignment: every period matched, and no more moves of the beat than JACK
    /// skipped periods could explain. A move right at a gap is what a skipped period does, and
    /// the periods around it still matched, so it costs nothing. With no xrun and no gap, any
    /// other fault is phonon's. With them about, unmatched periods and other jumps are the
    /// machine's doing, up to two per xrun or gap, and the run is judged by the periods that
    /// played: at least half of them must be exactly the render's. A starved machine spoils
    /// many (a CI runner at 64 frames: 750 xruns and 330 gaps in 750 periods, 30% of them
    /// matching nothing); with fewer than half matched, the run could not be judged.
    pub fn verdict(&self, recording: &Recording) -> Result<(), Verdict> {
        let excuses = 2 * (recording.xruns as usize + recording.gaps().len());
        let faults = self.unmatched.len() + self.jumps;
        if faults == 0 {
            return Ok(());
        }
        let what = format!(
            "{} periods match no frame of the offline render (first at JACK frame {:?}), \
             {} jumps away from gaps ({} at gaps), {} xruns, {} gaps, over {} periods",
            self.unmatched.len(),
            self.unmatched.first(),
            self.jumps,
            self.jumps_at_gaps,
            recording.xruns,
            recording.gaps().len(),
            recording.periods.len()
        );
        if excuses == 0 {
            Err(Verdict::Fault(what))
        } else if faults <= excuses && 2 * self.matched >= recording.periods.len() {
            Ok(())
        } else {
            Err(Verdict::Unjudgeable(what))
        }
    }
}

/// Lines every recorded period up with `reference` (both channels of an offline render from
/// cycle 0 on) on its own: phonon is deterministic, so each period must be exactly the
/// render's samples (within `tolerance`) at the offset its JACK frame gives, less the drift so
/// far; the nearest exact match within `window` frames of there is taken. The drift is first
/// taken from the first period with sound, searched for anywhere up to `window` past where it
/// belongs: periods JACK skipped before the recording began (a starved machine skips dozens)
/// leave phonon that far behind. A silent period matches silence within the same reach and
/// tells nothing of the drift.
pub fn align(
    recording: &Recording,
    cycle0: u64,
    reference: &[Vec<f32>; 2],
    tolerance: f32,
    window: usize,
) -> Alignment {
    let mut alignment = Alignment::default();
    let mut at = 0usize;
    // Periods since the recorder's frames last skipped ahead (none yet: far from one).
    let mut since_gap = usize::MAX;
    let mut next_frame = None;
    let mut anchored = false;
    let window = window as i64;
    for &(frame, len) in &recording.periods {
        since_gap = match next_frame {
            Some(next) if next != frame => 0,
            _ => since_gap.saturating_add(1),
        };
        next_frame = Some(frame + len as u64);
        let left = &recording.left[at..at + len];
        let right = &recording.right[at..at + len];
        at += len;
        let matches = |offset: i64| -> bool {
            if offset < 0 || offset as usize + len > reference[0].len() {
                return false;
            }
            let o = offset as usize;
            left.iter()
                .zip(&reference[0][o..o + len])
                .chain(right.iter().zip(&reference[1][o..o + len]))
                .all(|(a, b)| (a - b).abs() <= tolerance)
        };
        let silent = left.iter().chain(right).all(|v| v.abs() <= tolerance);
        let expected = frame as i64 - cycle0 as i64 - alignment.drift;
        let reach = if anchored {
            window
        } else {
            expected.max(0) + window
        };
        let found = (0..=reach)
            .flat_map(|d| [expected - d, expected + d])
            .find(|&offset| offset - expected <= window && matches(offset));
        match found {
            Some(_) if silent => alignment.matched += 1,
            Some(offset) => {
                if offset != expected && anchored {
                    if since_gap <= 1 {
                        alignment.jumps_at_gaps += 1;
                    } else {
                        alignment.jumps += 1;
                    }
                }
                anchored = true;
                alignment.matched += 1;
                alignment.drift = frame as i64 - cycle0 as i64 - offset;
            }
            None => alignment.unmatched.push(frame),
        }
    }
    alignment
}

/// A UDP port on loopback that nothing listens on now.
pub fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `summary:` line of a log.
pub fn summary_line(log: &str) -> &str {
    log.lines()
        .find(|l| l.starts_with("summary:"))
        .unwrap_or_else(|| panic!("no summary line in {log}"))
}

/// The count a summary line gives after `what` (`played ` → how many were played).
pub fn summary_field(summary: &str, what: &str) -> u64 {
    summary
        .split(" · ")
        .find_map(|part| part.trim_start_matches("summary: ").strip_prefix(what))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("`{what}` in {summary}"))
}

/// The Unix time now, in µs.
pub fn unix_micros_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as u64
}

/// The first `seconds` of `patch` rendered offline at 48 kHz in `block`-frame blocks.
pub fn offline(patch: &Path, seconds: f64, block: usize) -> [Vec<f32>; 2] {
    let text = std::fs::read_to_string(patch).unwrap();
    let graph = graph::compile(
        &graph::diagnostic::Source::new("p.ph", text),
        &graph::Registry::standard(),
    )
    .graph
    .expect("compiles");
    let settings = runtime::RenderSettings {
        sample_rate: 48_000,
        block_size: block,
        length: runtime::Length::Seconds(seconds),
        ..runtime::RenderSettings::default()
    };
    let mut out = [Vec::new(), Vec::new()];
    runtime::render::run_offline(
        &graph,
        Arc::new(dsp::samples::bank::SampleBank::builtin(48_000)),
        &settings,
        Vec::new(),
        |b, n| {
            out[0].extend_from_slice(&b[0][..n]);
            out[1].extend_from_slice(&b[1][..n]);
            Ok::<(), std::convert::Infallible>(())
        },
        &mut |_, _| {},
    )
    .unwrap();
    out
}

/// A `/dirt/play` message with `args` in a bundle time-tagged at Unix time `at` (µs), as Tidal
/// and Strudel send it.
pub fn dirt_play_at(at: u64, args: Vec<rosc::OscType>) -> Vec<u8> {
    const NTP_TO_UNIX: u64 = 2_208_988_800;
    let seconds = at / 1_000_000;
    rosc::encoder::encode(&rosc::OscPacket::Bundle(rosc::OscBundle {
        timetag: rosc::OscTime {
            seconds: (seconds + NTP_TO_UNIX) as u32,
            fractional: (((at % 1_000_000) << 32) / 1_000_000) as u32,
        },
        content: vec![rosc::OscPacket::Message(rosc::OscMessage {
            addr: "/dirt/play".into(),
            args,
        })],
    }))
    .unwrap()
}

/// A sample folder whose `bd` is a 16-frame click at 0.9, so each onset is one frame.
pub fn click_folder() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(unique("phonon-click"));
    std::fs::create_dir_all(dir.join("bd")).unwrap();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(dir.join("bd/click.wav"), spec).unwrap();
    for k in 0..64 {
        w.write_sample(if k < 16 { 0.9f32 } else { 0.0 }).unwrap();
    }
    w.finalize().unwrap();
    dir
}
