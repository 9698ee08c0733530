//! A bound on how long stopping may take. After Ctrl-C or SIGTERM the control thread fades out,
//! closes the JACK client and prints its summary; a server that hangs (jackd does, after a
//! client was stopped with SIGSTOP and continued) or a call that never returns would hold the
//! process forever, and a systemd stop would end in SIGKILL. The guard ends the process itself
//! when stopping takes longer than its limit.

use std::io::Write;
use std::time::Duration;

/// How long stopping may take after the first Ctrl-C or SIGTERM: inside systemd's and any
/// reasonable supervisor's patience, well past a normal stop (about 0.1 s).
pub const STOP_LIMIT: Duration = Duration::from_millis(1_500);

/// Starts a thread that waits (blocked, costing nothing) for SIGINT or SIGTERM, and then ends
/// the process with exit code 1 if it is still running `limit` later. Call once at start-up,
/// beside the handlers that set the stop flag.
pub fn arm(limit: Duration) {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        tracing::warn!("cannot watch for SIGTERM: a stop that hangs will not be cut short");
        return;
    };
    let started = std::thread::Builder::new()
        .name("phonon-exit-guard".into())
        .spawn(move || {
            if signals.forever().next().is_none() {
                return;
            }
            std::thread::sleep(limit);
            tracing::error!(
                "stopping took longer than {:.1} s (the JACK server or a file does not answer); exiting without waiting for it",
                limit.as_secs_f64()
            );
            let _ = std::io::stderr().flush();
            // Not `exit`: its handlers (libjack's among them) could wait on the same thing.
            // SAFETY: ends the process at once; nothing is left to flush.
            unsafe { libc::_exit(1) };
        });
    if started.is_err() {
        tracing::warn!("cannot start the exit guard: a stop that hangs will not be cut short");
    }
}
