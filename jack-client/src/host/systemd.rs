//! systemd's service notification protocol (`sd_notify`): readiness, status, reloads, stopping
//! and the watchdog, sent as datagrams to the socket systemd names in `NOTIFY_SOCKET`.
//!
//! Written here rather than taken from a crate: the protocol is one `KEY=value` datagram to a
//! Unix socket, and the part that needs care — pinging the watchdog only while the audio
//! thread makes progress — is ours either way.

use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::{Duration, Instant};

/// Where and how often to tell systemd how the service is doing. Without `NOTIFY_SOCKET` every
/// call does nothing.
pub struct Notifier {
    socket: Option<(UnixDatagram, SocketAddr)>,
    /// Half the watchdog interval systemd asked for, when it asked.
    ping_every: Option<Duration>,
    last_ping: Instant,
    /// The audio thread's block count at the last ping.
    blocks_at_ping: u64,
    /// Pings withheld because the engine is stuck (reported once).
    withheld: bool,
}

/// Whether the engine has made progress since the last ping, as the watchdog sees it.
pub enum Progress {
    /// The audio thread ran this many callbacks so far.
    Blocks(u64),
    /// The JACK server is gone and phonon is reconnecting: alive, though no block runs.
    Reconnecting,
}

impl Notifier {
    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` (a watchdog meant for another
    /// process is ignored). A socket that cannot be reached is logged once and ignored.
    pub fn from_env() -> Notifier {
        let socket = std::env::var_os("NOTIFY_SOCKET").and_then(|path| {
            let path = path.to_string_lossy().into_owned();
            match connect(&path) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!("NOTIFY_SOCKET={path}: {e}; not telling systemd how phonon is");
                    None
                }
            }
        });
        let for_us = std::env::var("WATCHDOG_PID")
            .ok()
            .and_then(|p| p.parse::<u32>().ok())
            .is_none_or(|pid| pid == std::process::id());
        let ping_every = std::env::var("WATCHDOG_USEC")
            .ok()
            .and_then(|u| u.parse::<u64>().ok())
            .filter(|&u| u > 0 && for_us && socket.is_some())
            .map(|u| Duration::from_micros(u / 2));
        Notifier {
            socket,
            ping_every,
            last_ping: Instant::now(),
            blocks_at_ping: 0,
            withheld: false,
        }
    }

    fn send(&self, message: &str) {
        if let Some((socket, address)) = &self.socket {
            if let Err(e) = socket.send_to_addr(message.as_bytes(), address) {
                tracing::debug!("sd_notify: {e}");
            }
        }
    }

    /// The service is up: the client active, its ports registered, a block run.
    pub fn ready(&self, status: &str) {
        self.send(&format!("READY=1\nSTATUS={status}"));
    }

    /// A reload begins (`Type=notify-reload` wants the monotonic time with it).
    pub fn reloading(&self) {
        self.send(&format!(
            "RELOADING=1\nMONOTONIC_USEC={}",
            monotonic_micros()
        ));
    }

    /// One line for `systemctl status`.
    pub fn status(&self, status: &str) {
        self.send(&format!("STATUS={status}"));
    }

    /// Shutting down (before the fade-out).
    pub fn stopping(&self) {
        self.send("STOPPING=1\nSTATUS=stopping");
    }

    /// Pings the watchdog when half its interval has passed, but only if the engine made
    /// progress since the last ping: a wedged audio thread stops the pings, and systemd
    /// restarts the service.
    pub fn watchdog(&mut self, progress: Progress) {
        let Some(every) = self.ping_every else {
            return;
        };
        if self.last_ping.elapsed() < every {
            return;
        }
        let alive = match progress {
            Progress::Blocks(blocks) => {
                let advanced = blocks != self.blocks_at_ping;
                self.blocks_at_ping = blocks;
                advanced
            }
            Progress::Reconnecting => true,
        };
        if alive {
            self.send("WATCHDOG=1");
            self.last_ping = Instant::now();
            self.withheld = false;
        } else if !self.withheld {
            tracing::error!(
                "the audio thread has made no progress for {:.1} s; the watchdog is no longer pinged",
                self.last_ping.elapsed().as_secs_f64()
            );
            self.withheld = true;
        }
    }
}

/// A socket to `path`: a file path, or an abstract name written `@name`.
fn connect(path: &str) -> std::io::Result<(UnixDatagram, SocketAddr)> {
    let address = match path.strip_prefix('@') {
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            SocketAddr::from_abstract_name(name.as_bytes())?
        }
        None => SocketAddr::from_pathname(path)?,
    };
    Ok((UnixDatagram::unbound()?, address))
}

/// CLOCK_MONOTONIC in microseconds, the clock systemd compares reload times on.
fn monotonic_micros() -> u64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes into `now`, which lives across the call.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    now.tv_sec as u64 * 1_000_000 + now.tv_nsec as u64 / 1_000
}
