//! Counts the xruns a JACK server reports over a number of seconds, with no audio of its own:
//! the baseline `benches/jack-load` sets beside phonon's rows, so that xruns of the machine and
//! xruns of phonon can be told apart.
//!
//! `cargo run --release -p jack-client --example xrun_count -- SECONDS` (the server from
//! `JACK_DEFAULT_SERVER`); prints `xruns N`.

use jack::{Client, ClientOptions, Control, NotificationHandler};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

struct Counter(Arc<AtomicU64>);

impl NotificationHandler for Counter {
    fn xrun(&mut self, _: &Client) -> Control {
        self.0.fetch_add(1, Ordering::Relaxed);
        Control::Continue
    }
}

fn main() -> std::process::ExitCode {
    let seconds: f64 = match std::env::args().nth(1).map(|s| s.parse()) {
        Some(Ok(s)) if s > 0.0 => s,
        _ => {
            eprintln!("usage: xrun_count SECONDS");
            return std::process::ExitCode::from(2);
        }
    };
    let name = format!("xrun-count-{}", std::process::id());
    let client = match Client::new(&name, ClientOptions::NO_START_SERVER) {
        Ok((client, _)) => client,
        Err(e) => {
            eprintln!("error: cannot open a JACK client: {e:?}");
            return std::process::ExitCode::from(2);
        }
    };
    let xruns = Arc::new(AtomicU64::new(0));
    let active = match client.activate_async(Counter(xruns.clone()), ()) {
        Ok(active) => active,
        Err(e) => {
            eprintln!("error: cannot activate the JACK client: {e:?}");
            return std::process::ExitCode::from(2);
        }
    };
    std::thread::sleep(Duration::from_secs_f64(seconds));
    let _ = active.deactivate();
    println!("xruns {}", xruns.load(Ordering::Relaxed));
    std::process::ExitCode::SUCCESS
}
