//! `phonon live` as a systemd service: the sd_notify sequence and the watchdog, against a real
//! JACK server (dummy backend) and a Unix datagram socket standing where systemd's would.
//!
//! Built only with optimisations, like `live.rs`; the wedged-engine case also needs
//! `--features fault-injection` (as `scripts/test` runs it).
#![cfg(not(debug_assertions))]

mod harness;

use harness::*;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What systemd would have received, with when.
struct NotifySocket {
    path: PathBuf,
    messages: mpsc::Receiver<(Instant, String)>,
    seen: Vec<(Instant, String)>,
}

impl Drop for NotifySocket {
    fn drop(&mut self) {
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl NotifySocket {
    fn bind() -> NotifySocket {
        let dir = std::env::temp_dir().join(unique("phonon-notify"));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notify.sock");
        // A socket left by an earlier run whose process had this one's id.
        let _ = std::fs::remove_file(&path);
        let socket = UnixDatagram::bind(&path).expect("bind the notify socket");
        let (send, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = socket.recv(&mut buffer) {
                let text = String::from_utf8_lossy(&buffer[..n]).into_owned();
                if send.send((Instant::now(), text)).is_err() {
                    break;
                }
            }
        });
        NotifySocket {
            path,
            messages,
            seen: Vec::new(),
        }
    }

    /// Waits for a message containing `field`, returning it; everything received is kept.
    fn wait_for(&mut self, field: &str, timeout: Duration) -> (Instant, String) {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) => {
                    self.seen.push(message.clone());
                    if message.1.lines().any(|l| l.starts_with(field)) {
                        return message;
                    }
                }
                Err(_) => panic!(
                    "no `{field}` within {timeout:?}; received: {:?}",
                    self.fields()
                ),
            }
        }
    }

    /// Takes whatever arrives for `period`.
    fn gather(&mut self, period: Duration) {
        let deadline = Instant::now() + period;
        while let Ok(message) = self
            .messages
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(message);
        }
    }

    fn fields(&self) -> Vec<String> {
        self.seen
            .iter()
            .map(|(_, m)| m.replace('\n', " "))
            .collect()
    }

    /// When each watchdog ping arrived.
    fn pings(&self) -> Vec<Instant> {
        self.seen
            .iter()
            .filter(|(_, m)| m == "WATCHDOG=1")
            .map(|(t, _)| *t)
            .collect()
    }
}

fn run_as_service(server: &Server, notify: &NotifySocket, watchdog: Duration) -> Phonon {
    run_as_service_with(server, notify, watchdog, &[])
}

fn run_as_service_with(
    server: &Server,
    notify: &NotifySocket,
    watchdog: Duration,
    env: &[(&str, &str)],
) -> Phonon {
    let patch = temp_patch("out: sine 440 * 0.1\n");
    let socket = notify.path.to_str().unwrap().to_string();
    let usec = watchdog.as_micros().to_string();
    let mut env: Vec<(&str, &str)> = env.to_vec();
    env.push(("NOTIFY_SOCKET", &socket));
    env.push(("WATCHDOG_USEC", &usec));
    Phonon::start_named(
        server,
        &patch,
        &unique("phonon"),
        &["--free-run", "--threads", "1"],
        &env,
    )
}

#[test]
fn tells_systemd_ready_status_reloading_and_stopping_in_order() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let mut notify = NotifySocket::bind();
    let watchdog = Duration::from_secs(2);
    let phonon = run_as_service(&server, &notify, watchdog);

    let (_, ready) = notify.wait_for("READY=1", Duration::from_secs(10));
    assert!(
        ready.contains("STATUS=playing patch.ph"),
        "READY comes with the status: {ready}"
    );
    // Ready means the ports exist and a block has run.
    let ports = server.connections();
    assert!(ports.contains(&format!("{}:out_L", phonon.name)), "{ports}");
    let (_, status) = notify.wait_for("STATUS=playing", Duration::from_secs(5));
    assert!(
        status.contains("load ") && status.contains("xruns "),
        "{status}"
    );

    phonon.signal(libc::SIGHUP);
    let (_, reloading) = notify.wait_for("RELOADING=1", Duration::from_secs(5));
    let monotonic: u64 = reloading
        .lines()
        .find_map(|l| l.strip_prefix("MONOTONIC_USEC="))
        .expect("RELOADING=1 carries MONOTONIC_USEC")
        .parse()
        .unwrap();
    assert!(monotonic > 0);
    notify.wait_for("READY=1", Duration::from_secs(5));

    notify.gather(watchdog * 2);
    let pings = notify.pings();
    assert!(pings.len() >= 3, "watchdog pings: {:?}", notify.fields());
    for pair in pings.windows(2) {
        let gap = pair[1] - pair[0];
        // Half the interval is the cadence; the whole interval is systemd's deadline.
        assert!(
            gap >= watchdog / 4 && gap < watchdog,
            "pings {gap:?} apart (WATCHDOG_USEC {watchdog:?})"
        );
    }

    let fields_before_stop = notify.seen.len();
    let (code, log) = phonon.stop();
    notify.gather(Duration::from_millis(300));
    assert_eq!(code, Some(0), "{log}");
    let after: Vec<&String> = notify.seen[fields_before_stop..]
        .iter()
        .map(|(_, m)| m)
        .collect();
    assert!(
        after.iter().any(|m| m.starts_with("STOPPING=1")),
        "STOPPING=1 after SIGTERM: {after:?}"
    );
    let order: Vec<&str> = notify
        .seen
        .iter()
        .filter_map(|(_, m)| {
            ["READY=1", "RELOADING=1", "STOPPING=1"]
                .into_iter()
                .find(|f| m.starts_with(f))
        })
        .collect();
    assert_eq!(order, ["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"]);
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_wedged_audio_thread_stops_the_watchdog_pings() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let mut notify = NotifySocket::bind();
    let watchdog = Duration::from_secs(1);
    // 750 blocks of 128 frames at 48 kHz: two seconds of playing, then the callback hangs.
    let phonon = run_as_service_with(
        &server,
        &notify,
        watchdog,
        &[("PHONON_FAULT_HANG_AFTER_BLOCKS", "750")],
    );
    notify.wait_for("READY=1", Duration::from_secs(10));
    notify.wait_for("WATCHDOG=1", Duration::from_secs(5));
    phonon.wait_for("the watchdog is no longer pinged", Duration::from_secs(15));
    let wedged = Instant::now();
    notify.gather(watchdog * 3);
    let late: Vec<Instant> = notify.pings().into_iter().filter(|&t| t > wedged).collect();
    assert!(
        late.is_empty(),
        "{} pings after the audio thread wedged; received {:?}",
        late.len(),
        notify.fields()
    );
    // systemd would now kill it; so do we.
    phonon.signal(libc::SIGKILL);
}

#[test]
fn dirt_tells_systemd_ready_status_watchdog_and_stopping() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let mut notify = NotifySocket::bind();
    let watchdog = Duration::from_secs(2);
    let socket = notify.path.to_str().unwrap().to_string();
    let usec = watchdog.as_micros().to_string();
    let name = unique("dirt");
    let dirt = Phonon::spawn(
        &server,
        &name,
        &[
            "dirt",
            "--port",
            "0",
            "--name",
            &name,
            "--quiet",
            "--threads",
            "1",
        ],
        &[("NOTIFY_SOCKET", &socket), ("WATCHDOG_USEC", &usec)],
    );
    let (_, ready) = notify.wait_for("READY=1", Duration::from_secs(20));
    assert!(ready.contains("STATUS=playing"), "{ready}");
    let ports = server.connections();
    assert!(ports.contains(&format!("{name}:orbit0_L")), "{ports}");
    let (_, status) = notify.wait_for("STATUS=playing", Duration::from_secs(5));
    assert!(status.contains("xruns "), "{status}");
    notify.gather(watchdog * 2);
    assert!(
        notify.pings().len() >= 3,
        "watchdog pings: {:?}",
        notify.fields()
    );
    let before_stop = notify.seen.len();
    let (code, log) = dirt.stop();
    notify.gather(Duration::from_millis(300));
    assert_eq!(code, Some(0), "{log}");
    assert!(
        notify.seen[before_stop..]
            .iter()
            .any(|(_, m)| m.starts_with("STOPPING=1")),
        "STOPPING=1 after SIGTERM: {:?}",
        notify.fields()
    );
}
