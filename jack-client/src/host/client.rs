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

/// True if the JACK library in use is PipeWire's (`pw-jack`, or a desktop that serves the JACK
/// API through PipeWire): its version string says so.
pub fn served_by_pipewire() -> bool {
    type Version = unsafe extern "C" fn() -> *const libc::c_char;
    let Ok(library) = jack::jack_sys::library() else {
        return false;
    };
    // SAFETY: the symbol has this signature in every libjack (jack/jack.h) and returns a
    // static NUL-terminated string.
    unsafe {
        let Ok(version) = library.get::<Version>(b"jack_get_version_string") else {
            return false;
        };
        let text = version();
        !text.is_null()
            && std::ffi::CStr::from_ptr(text)
                .to_string_lossy()
                .contains("PipeWire")
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

/// The real-time priority the server runs its clients' process threads at, 0 if it does not
/// run them in real time. It is `jack_client_real_time_priority`, unless that is out of the
/// range `jack_client_max_real_time_priority` allows; then it is five below the maximum, as
/// jackd sets it. PipeWire's libjack (0.3.65, Debian 12) answers all three from uninitialised
/// memory (one build read "not real time" there), so with PipeWire it is five below the 88 its
/// real-time module gives its data threads by default.
pub fn client_priority(client: &Client) -> i32 {
    if served_by_pipewire() {
        return PIPEWIRE_PRIORITY - 5;
    }
    // SAFETY: the client pointer is live while `client` is; these calls only read it.
    let (realtime, priority, max) = unsafe {
        let raw = client.raw();
        (
            jack::jack_sys::jack_is_realtime(raw),
            jack::jack_sys::jack_client_real_time_priority(raw),
            jack::jack_sys::jack_client_max_real_time_priority(raw),
        )
    };
    sane_priority(realtime != 0, priority, max)
}

/// The priority PipeWire's real-time module runs its data threads at unless configured
/// otherwise (`rt.prio`).
const PIPEWIRE_PRIORITY: i32 = 88;

/// See [`client_priority`]: what the server says, checked against its own maximum.
fn sane_priority(realtime: bool, priority: i32, max: i32) -> i32 {
    if !realtime {
        return 0;
    }
    let max = max.clamp(0, 99);
    if (1..=max).contains(&priority) {
        priority
    } else {
        (max - 5).max(0)
    }
}

/// Makes the calling thread real-time (SCHED_FIFO) at `priority`, where the system allows it:
/// first through libjack (`jack_acquire_real_time_scheduling`, which PipeWire's library answers
/// with its real-time module, rtkit included), then directly. A refusal is reported by the
/// placement line, which reads the policy back from the kernel.
pub fn real_time(priority: i32) {
    if priority <= 0 {
        return;
    }
    type Acquire = unsafe extern "C" fn(libc::pthread_t, libc::c_int) -> libc::c_int;
    // SAFETY: the symbol has this signature in every libjack (jack/thread.h); it changes the
    // scheduling of the calling thread only.
    let acquired = jack::jack_sys::library().is_ok_and(|library| unsafe {
        library
            .get::<Acquire>(b"jack_acquire_real_time_scheduling")
            .is_ok_and(|acquire| acquire(libc::pthread_self(), priority) == 0)
    });
    if acquired && current_policy() == Some(libc::SCHED_FIFO) {
        return;
    }
    let param = libc::sched_param {
        sched_priority: priority,
    };
    // SAFETY: sets the scheduling policy of the calling thread only; `param` outlives the call.
    unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) };
}

/// The calling thread's scheduling policy, without the reset-on-fork flag.
fn current_policy() -> Option<libc::c_int> {
    // SAFETY: reads the calling thread's policy into locals.
    let policy = unsafe { libc::sched_getscheduler(0) };
    (policy >= 0).then_some(policy & !libc::SCHED_RESET_ON_FORK)
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
        // Every process competing for the CPU, once each (a third Phonon on another server
        // counts as much as the second).
        let mut sharing: Vec<String> = Vec::new();
        for other in others.iter().filter(|t| t.cpu == *cpu) {
            let named = format!("`{}` (pid {})", other.name, other.pid);
            if !sharing
                .iter()
                .any(|s| s.ends_with(&format!("(pid {})", other.pid)))
            {
                sharing.push(named);
            }
        }
        let what = match sharing.len() {
            0 => continue,
            1 => "a real-time thread of another process",
            _ => "real-time threads of other processes",
        };
        warnings.push(format!(
            "{thread} shares CPU {cpu} with {}, {what}: they compete for it (see \"Two Phonons on one machine\" in docs/live.md)",
            sharing.join(" and ")
        ));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::sane_priority;

    #[test]
    fn a_priority_out_of_the_servers_range_falls_back_to_five_below_its_maximum() {
        // jackd -R -P 70: clients at 65, at most 69.
        assert_eq!(sane_priority(true, 65, 69), 65);
        // PipeWire 0.3.65: garbage, at most 87.
        assert_eq!(sane_priority(true, -1_570_259_977, 87), 82);
        assert_eq!(sane_priority(true, -6, 87), 82);
        assert_eq!(sane_priority(true, 120, 87), 82);
        // Not real time: no priority, whatever the numbers.
        assert_eq!(sane_priority(false, 65, 69), 0);
        assert_eq!(sane_priority(true, -1, -1), 0);
    }
}
