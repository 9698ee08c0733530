//! Opening a JACK client and placing JACK's threads: the part of hosting that does not depend
//! on what plays.

use crate::host::systemd::{Notifier, Progress};
use jack::{Client, ClientOptions, ClientStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Why a session could not start.
pub enum StartError {
    /// No JACK server answered.
    NoServer,
    /// libjack itself is missing.
    NoLibrary(String),
    /// Anything else.
    Other(String),
}

impl StartError {
    /// The one line a user reads, naming what to do; `command` is how they ran phonon
    /// (`phonon live`, `phonon dirt`).
    pub fn message(&self, command: &str) -> String {
        match self {
            StartError::NoServer => {
                let server =
                    std::env::var("JACK_DEFAULT_SERVER").unwrap_or_else(|_| "default".into());
                format!(
                    "no JACK server `{server}` is running; start one with `jackd -d alsa` (or `jackd -d dummy` for a test), then run {command} again"
                )
            }
            StartError::NoLibrary(e) => format!(
                "JACK's library is not installed ({e}); install it (`apt-get install libjack-jackd2-0`, or PipeWire's JACK) and run {command} again"
            ),
            StartError::Other(e) => e.clone(),
        }
    }
}

/// Opens a client, or says why not: no libjack, no server, or the name taken.
pub fn open_client(name: &str) -> Result<Client, StartError> {
    match Client::new(
        name,
        ClientOptions::NO_START_SERVER | ClientOptions::USE_EXACT_NAME,
    ) {
        Ok((client, _)) => Ok(client),
        Err(jack::Error::LibraryError(e)) => Err(StartError::NoLibrary(e)),
        // Checked first: a taken name can come with other failure bits set.
        Err(jack::Error::ClientError(status)) if status.contains(ClientStatus::NAME_NOT_UNIQUE) => {
            Err(StartError::Other(format!(
                "a JACK client named `{name}` is already running; choose another with --name"
            )))
        }
        // libjack refuses a taken name on its own side and reports only a failure to reach
        // the server: a second client under a name of its own tells which it was.
        Err(_) if server_answers() => Err(StartError::Other(format!(
            "a JACK client named `{name}` is already running on this server; choose another with --name"
        ))),
        Err(e) => {
            tracing::debug!("cannot open a JACK client: {e:?}");
            Err(StartError::NoServer)
        }
    }
}

/// True if the JACK server answers a client under a fresh name.
fn server_answers() -> bool {
    Client::new(
        &format!("phonon-probe-{}", std::process::id()),
        ClientOptions::NO_START_SERVER,
    )
    .is_ok()
}

/// Waits for the JACK server to come back: opens the client `name` again with a growing pause
/// (up to half a second), pinging the watchdog meanwhile. `None` once asked to stop.
pub fn wait_for_server(name: &str, stop: &AtomicBool, notifier: &mut Notifier) -> Option<Client> {
    let mut wait = Duration::from_millis(100);
    loop {
        if stop.load(Ordering::SeqCst) {
            return None;
        }
        std::thread::sleep(wait);
        notifier.watchdog(Progress::Reconnecting);
        match open_client(name) {
            Ok(client) => return Some(client),
            Err(_) => tracing::debug!("no JACK server yet; retrying in {wait:?}"),
        }
        wait = (wait * 2).min(Duration::from_millis(500));
    }
}

/// JACK's process thread, where libjack tells it (`jack_client_thread_id`, which the `jack`
/// crate does not wrap).
pub fn process_thread(client: &Client) -> Option<libc::pthread_t> {
    type ThreadId = unsafe extern "C" fn(*mut jack::jack_sys::jack_client_t) -> libc::pthread_t;
    let library = jack::jack_sys::library().ok()?;
    // SAFETY: the symbol has this signature in every libjack (jack/jack.h); the client pointer
    // is live while `client` is.
    unsafe {
        let thread_id = library.get::<ThreadId>(b"jack_client_thread_id").ok()?;
        match thread_id(client.raw()) {
            0 => None,
            thread => Some(thread),
        }
    }
}

/// Makes the calling thread real-time (SCHED_FIFO) at `priority`, where the system allows it.
/// A refusal is reported by the placement line, which reads the policy back from the kernel.
pub fn real_time(priority: i32) {
    if priority <= 0 {
        return;
    }
    let param = libc::sched_param {
        sched_priority: priority,
    };
    // SAFETY: sets the scheduling policy of the calling thread only; `param` outlives the call.
    unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) };
}

/// A warning for each of our real-time threads pinned to a CPU where another process's
/// real-time thread is pinned too (a second Phonon, most likely): the two compete for it at
/// the same priority. `ours` names each thread and its CPU: JACK's process thread (worker 0) and
/// the helpers.
pub fn shared_cpu_warnings(ours: &[(String, Option<usize>)]) -> Vec<String> {
    let others = scheduler::placement::pinned_real_time_threads();
    let mut warnings = Vec::new();
    for (thread, cpu) in ours {
        let Some(cpu) = cpu else {
            continue;
        };
        if let Some(other) = others.iter().find(|t| t.cpu == *cpu) {
            warnings.push(format!(
                "{thread} shares CPU {cpu} with `{}` (pid {}), a real-time thread of another process: they compete for it (see \"Two Phonons on one machine\" in docs/live.md)",
                other.name, other.pid
            ));
        }
    }
    warnings
}
