//! `phonon dirt`: a SuperDirt stand-in for Tidal and Strudel. A JACK client with a stereo pair
//! per orbit and a main mix; a receive thread turns OSC packets into events for the `dirt`
//! engine, which JACK's process thread runs with the orbits spread over the workers.

use crate::live::session::{open_client, process_thread, real_time, StartError};
use crate::patch;
use clap::Args;
use dirt::clock::{monotonic_micros, WallClock};
use dirt::wire::{Decoder, Reply, WireCounts};
use dirt::{DirtConfig, DirtEngine, DirtStats, EventSender, SoundTable};
use jack::{AudioOut, Client, Control, NotificationHandler, Port, ProcessHandler, ProcessScope};
use scheduler::placement;
use std::io::{IsTerminal, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `phonon dirt`'s arguments.
#[derive(Args, Debug)]
pub struct DirtArgs {
    /// The UDP port Tidal and Strudel send to.
    #[arg(short, long, default_value_t = 57120)]
    port: u16,
    /// The address to listen on (0.0.0.0 for other machines too).
    #[arg(long, default_value = "127.0.0.1")]
    listen: std::net::IpAddr,
    /// Orbits, each with its own pair of ports (orbit0_L, orbit0_R, …).
    #[arg(short, long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=64))]
    orbits: u16,
    /// A folder of samples in the Dirt-Samples layout (bd/*.wav, …), searched before
    /// PHONON_SAMPLES and the data folder; every sample is loaded at start, as SuperDirt does.
    #[arg(short, long)]
    samples: Option<PathBuf>,
    /// Worker threads, including JACK's process thread.
    #[arg(short, long, default_value_t = default_threads(), value_parser = clap::value_parser!(u32).range(1..=64))]
    threads: u32,
    /// The JACK client name.
    #[arg(short, long, default_value = "phonon")]
    name: String,
    /// Connect the main outputs to the system's playback ports.
    #[arg(short, long)]
    connect: bool,
    /// No status line; errors and the summary still print.
    #[arg(short, long)]
    quiet: bool,
}

fn default_threads() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// What JACK's threads tell the control thread.
#[derive(Default)]
struct Shared {
    server_gone: AtomicBool,
    xruns: AtomicU64,
    /// Time spent in the process callback, in ns, and audio rendered, in frames.
    busy_nanos: AtomicU64,
    frames: AtomicU64,
    /// The longest process callback, in ns.
    max_nanos: AtomicU64,
    /// The process callback is running: libjack stops its thread with an asynchronous cancel
    /// when the client closes, which must not land inside our code.
    in_callback: AtomicBool,
    /// Closing: the callback writes silence and returns at once.
    closing: AtomicBool,
}

struct Audio {
    engine: DirtEngine,
    ports: Vec<Port<AudioOut>>,
    shared: Arc<Shared>,
    sample_rate: f64,
}

impl ProcessHandler for Audio {
    fn process(&mut self, client: &Client, ps: &ProcessScope) -> Control {
        self.shared.in_callback.store(true, Ordering::SeqCst);
        if self.shared.closing.load(Ordering::SeqCst) {
            for port in self.ports.iter_mut() {
                port.as_mut_slice(ps).fill(0.0);
            }
            self.shared.in_callback.store(false, Ordering::SeqCst);
            return Control::Continue;
        }
        let started = Instant::now();
        let frames = ps.n_frames() as usize;
        // JACK's estimate of when this period's first frame plays, and how long a frame is.
        let (start, per_frame) = match ps.cycle_times() {
            Ok(t) if t.period_usecs > 0.0 => (
                t.current_usecs as f64,
                f64::from(t.period_usecs) / frames.max(1) as f64,
            ),
            _ => (client.time() as f64, 1e6 / self.sample_rate),
        };
        let mut outputs: [&mut [f32]; 130] = std::array::from_fn(|_| <&mut [f32]>::default());
        let n = self.ports.len().min(outputs.len());
        for (slot, port) in outputs.iter_mut().zip(self.ports.iter_mut()) {
            *slot = port.as_mut_slice(ps);
        }
        self.engine
            .process(start, per_frame, frames, &mut outputs[..n]);
        let spent = started.elapsed().as_nanos() as u64;
        self.shared.busy_nanos.fetch_add(spent, Ordering::Relaxed);
        self.shared.max_nanos.fetch_max(spent, Ordering::Relaxed);
        self.shared
            .frames
            .fetch_add(frames as u64, Ordering::Relaxed);
        self.shared.in_callback.store(false, Ordering::SeqCst);
        Control::Continue
    }
}

struct Notifications {
    shared: Arc<Shared>,
}

impl NotificationHandler for Notifications {
    unsafe fn shutdown(&mut self, _: jack::ClientStatus, _: &str) {
        self.shared.server_gone.store(true, Ordering::SeqCst);
    }

    fn xrun(&mut self, _: &Client) -> Control {
        self.shared.xruns.fetch_add(1, Ordering::Relaxed);
        Control::Continue
    }
}

/// What the receive thread counts.
#[derive(Default)]
struct Received {
    packets: AtomicU64,
    wire: Mutex<WireCounts>,
}

/// Runs `phonon dirt` until Ctrl-C or SIGTERM.
pub fn dirt(args: DirtArgs) -> ExitCode {
    let terminal = std::io::stderr().is_terminal();
    crate::live::init_logging(terminal);
    let index = match patch::index(args.samples.as_deref()) {
        Ok(index) => index,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let asked = SocketAddr::new(args.listen, args.port);
    let socket = match UdpSocket::bind(asked) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: cannot listen on UDP {asked} ({e}); is SuperDirt or another phonon dirt running? Stop it or choose another --port"
            );
            return ExitCode::from(2);
        }
    };
    // With `--port 0` the system chose the port: say which.
    let address = socket.local_addr().unwrap_or(asked);
    let client = match open_client(&args.name) {
        Ok(c) => c,
        Err(StartError::NoServer(_)) => {
            let server = std::env::var("JACK_DEFAULT_SERVER").unwrap_or_else(|_| "default".into());
            eprintln!(
                "error: no JACK server `{server}` is running; start one with `jackd -d alsa` (or `jackd -d dummy` for a test), then run phonon dirt again"
            );
            return ExitCode::from(2);
        }
        Err(StartError::NoLibrary(e)) => {
            eprintln!("error: JACK's library is not installed ({e}); install libjack-jackd2-0 and run phonon dirt again");
            return ExitCode::from(2);
        }
        Err(StartError::Other(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let sample_rate = client.sample_rate();
    let loading = Instant::now();
    let names: Vec<String> = index.names().map(str::to_string).collect();
    let bank = patch::bank_with(&index, sample_rate, &names);
    let sounds = Arc::new(SoundTable::from_bank(&bank));
    drop(bank);
    tracing::info!(
        "samples: {} sounds loaded in {:.0} ms",
        sounds.sounds(),
        loading.elapsed().as_secs_f64() * 1000.0
    );
    let orbits = usize::from(args.orbits);
    // SAFETY: the client pointer is live while `client` is.
    let priority = unsafe { jack::jack_sys::jack_client_real_time_priority(client.raw()) };
    let (engine, sender, stats) = match DirtEngine::new(
        DirtConfig {
            sample_rate,
            max_block: 4096,
            orbits,
            workers: args.threads as usize,
            pin_cores: args.threads > 1,
            on_thread_start: Some(Arc::new(move |_| real_time(priority - 1))),
        },
        sounds.clone(),
    ) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the worker threads: {e}");
            return ExitCode::from(2);
        }
    };
    let caller_cpu = engine.caller_cpu();
    let mut names = vec!["out_L".to_string(), "out_R".to_string()];
    for k in 0..orbits {
        names.push(format!("orbit{k}_L"));
        names.push(format!("orbit{k}_R"));
    }
    let mut ports = Vec::new();
    for name in &names {
        match client.register_port(name, AudioOut::default()) {
            Ok(p) => ports.push(p),
            Err(e) => {
                eprintln!("error: cannot register port {name}: {e:?}");
                return ExitCode::from(2);
            }
        }
    }
    // JACK's clock against the monotonic one (the same on Linux; measured to be sure).
    let shift = {
        let before = monotonic_micros();
        let jack = client.time();
        let after = monotonic_micros();
        jack as i64 - ((before + after) / 2) as i64
    };
    let shared = Arc::new(Shared::default());
    let client_name = client.name().to_string();
    let active = match client.activate_async(
        Notifications {
            shared: shared.clone(),
        },
        Audio {
            engine,
            ports,
            shared: shared.clone(),
            sample_rate: f64::from(sample_rate),
        },
    ) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: cannot activate the JACK client: {e:?}");
            return ExitCode::from(2);
        }
    };
    if let (Some(thread), Some(cpu)) = (process_thread(active.as_client()), caller_cpu) {
        // SAFETY: JACK's process thread lives while the client is active.
        if let Err(e) = unsafe { placement::pin_thread(thread, cpu) } {
            tracing::warn!("JACK's process thread could not be pinned to CPU {cpu}: {e}");
        }
    }
    if args.connect {
        let playback = active.as_client().ports(
            None,
            Some("audio"),
            jack::PortFlags::IS_INPUT | jack::PortFlags::IS_PHYSICAL,
        );
        for (from, to) in names.iter().take(2).zip(&playback) {
            let from = format!("{client_name}:{from}");
            if active.as_client().connect_ports_by_name(&from, to).is_ok() {
                tracing::info!("connected {from} -> {to}");
            }
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, stop.clone());
    }
    crate::exit_guard::arm(crate::exit_guard::STOP_LIMIT);
    let received = Arc::new(Received::default());
    let receiver = {
        let stop = stop.clone();
        let received = received.clone();
        let clock = WallClock::measure().with_shift(shift);
        let decoder = Decoder::new(sounds, orbits);
        std::thread::Builder::new()
            .name("phonon-dirt-osc".into())
            .spawn(move || receive(socket, decoder, clock, sender, &stop, &received))
    };
    let Ok(receiver) = receiver else {
        eprintln!("error: cannot start the receive thread");
        return ExitCode::from(2);
    };
    tracing::info!(
        "listening for Tidal and Strudel on UDP {address}; playing as JACK client `{client_name}` ({sample_rate} Hz, {} frames, {orbits} orbits, {} workers)",
        active.as_client().buffer_size(),
        args.threads
    );
    let mut status = Status::new(terminal && !args.quiet, sample_rate);
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
        if shared.server_gone.load(Ordering::SeqCst) {
            tracing::error!(
                "the JACK server went away; phonon dirt stops (restart it with the server)"
            );
            stop.store(true, Ordering::SeqCst);
            break;
        }
        if !args.quiet {
            status.show(&stats, &received, &shared);
        }
    }
    let _ = receiver.join();
    if status.terminal {
        eprintln!();
    }
    // Out of any block before the client closes (see `Shared::in_callback`).
    shared.closing.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_millis(500);
    while shared.in_callback.load(Ordering::SeqCst) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    // Before closing: a server that hangs may hold the close until the exit guard ends the
    // process, and the summary must be out by then.
    summary(&stats, &received, &shared, sample_rate);
    let _ = std::io::stderr().flush();
    if shared.in_callback.load(Ordering::SeqCst) {
        // Not `exit`: libjack's exit handlers would close the client under the stuck thread.
        // SAFETY: ends the process at once; nothing is left to flush.
        unsafe { libc::_exit(0) };
    }
    let _ = active.deactivate();
    if shared.server_gone.load(Ordering::SeqCst) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The receive thread: packets into events until asked to stop.
fn receive(
    socket: UdpSocket,
    mut decoder: Decoder,
    mut clock: WallClock,
    mut sender: EventSender,
    stop: &AtomicBool,
    received: &Received,
) {
    let _ = socket.set_read_timeout(Some(Duration::from_millis(100)));
    let mut buffer = vec![0u8; 65_536];
    let mut events = Vec::with_capacity(64);
    let mut last_clock = Instant::now();
    let mut last_warning: Option<Instant> = None;
    let mut warned = WireCounts::default();
    while !stop.load(Ordering::SeqCst) {
        if last_clock.elapsed() >= Duration::from_secs(1) {
            clock.follow();
            last_clock = Instant::now();
        }
        let (n, from) = match socket.recv_from(&mut buffer) {
            Ok(r) => r,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => {
                tracing::warn!("UDP receive: {e}");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        received.packets.fetch_add(1, Ordering::Relaxed);
        events.clear();
        if let Some(Reply(reply)) = decoder.decode(&buffer[..n], &clock, &mut events) {
            if let Err(e) = socket.send_to(&reply, from) {
                tracing::warn!("cannot answer {from}: {e}");
            }
        }
        for event in events.drain(..) {
            sender.send(event);
        }
        if let Ok(mut counts) = received.wire.lock() {
            *counts = decoder.counts;
        }
        // Bad input is reported at most every five seconds.
        if last_warning.is_none_or(|t| t.elapsed() >= Duration::from_secs(5))
            && report_bad_input(&decoder, &mut warned)
        {
            last_warning = Some(Instant::now());
        }
    }
    report_bad_input(&decoder, &mut warned);
}

/// Logs what bad input came since `warned` (the counts last reported); true if it logged.
fn report_bad_input(decoder: &Decoder, warned: &mut WireCounts) -> bool {
    let c = decoder.counts;
    let mut said = false;
    if c.unknown_sounds > warned.unknown_sounds {
        tracing::warn!(
            "{} event(s) for sounds no folder has (last: `{}`); add them to --samples",
            c.unknown_sounds - warned.unknown_sounds,
            decoder.last_unknown_sound.as_deref().unwrap_or("?")
        );
        said = true;
    }
    if c.malformed > warned.malformed {
        tracing::warn!(
            "{} malformed packet(s) or message(s) ignored",
            c.malformed - warned.malformed
        );
        said = true;
    }
    if c.too_deep > warned.too_deep {
        tracing::warn!(
            "{} packet(s) of bundles nested more than {} deep ignored",
            c.too_deep - warned.too_deep,
            dirt::wire::MAX_NESTING
        );
        said = true;
    }
    if c.unknown_addresses > warned.unknown_addresses {
        tracing::warn!(
            "{} message(s) to addresses other than /dirt/play, /dirt/handshake and /dirt/hello ignored",
            c.unknown_addresses - warned.unknown_addresses
        );
        said = true;
    }
    *warned = c;
    said
}

/// The status line: events per second, voices, late events, load, xruns.
struct Status {
    terminal: bool,
    sample_rate: f64,
    last: Instant,
    played: u64,
    busy: u64,
    frames: u64,
}

impl Status {
    fn new(terminal: bool, sample_rate: u32) -> Status {
        Status {
            terminal,
            sample_rate: f64::from(sample_rate),
            last: Instant::now(),
            played: 0,
            busy: 0,
            frames: 0,
        }
    }

    fn show(&mut self, stats: &DirtStats, received: &Received, shared: &Shared) {
        let period = if self.terminal {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(10)
        };
        let elapsed = self.last.elapsed();
        if elapsed < period {
            return;
        }
        self.last = Instant::now();
        let played = stats.played.load(Ordering::Relaxed);
        let busy = shared.busy_nanos.load(Ordering::Relaxed);
        let frames = shared.frames.load(Ordering::Relaxed);
        let audio = (frames - self.frames) as f64 / self.sample_rate;
        let load = if audio > 0.0 {
            100.0 * (busy - self.busy) as f64 * 1e-9 / audio
        } else {
            0.0
        };
        let line = format!(
            "events/s {:.0} · voices {} · late {} · dropped {} · load {load:.1}% · xruns {} · packets {}",
            (played - self.played) as f64 / elapsed.as_secs_f64(),
            stats.voices.load(Ordering::Relaxed),
            stats.late.load(Ordering::Relaxed),
            stats.dropped.load(Ordering::Relaxed),
            shared.xruns.load(Ordering::Relaxed),
            received.packets.load(Ordering::Relaxed),
        );
        (self.played, self.busy, self.frames) = (played, busy, frames);
        if self.terminal {
            eprint!("\r\x1b[2K{line}");
            let _ = std::io::stderr().flush();
        } else {
            tracing::info!("{line}");
        }
    }
}

fn summary(stats: &DirtStats, received: &Received, shared: &Shared, sample_rate: u32) {
    let wire = received.wire.lock().map(|c| *c).unwrap_or_default();
    let audio = shared.frames.load(Ordering::Relaxed) as f64 / f64::from(sample_rate.max(1));
    let load = if audio > 0.0 {
        100.0 * shared.busy_nanos.load(Ordering::Relaxed) as f64 * 1e-9 / audio
    } else {
        0.0
    };
    eprintln!(
        "summary: packets {} · events {} · played {} · late {} · dropped {} · refused far ahead {} · unknown sounds {} · unknown parameters {} · malformed {} · too deep {} · other addresses {} · voices stolen {} · load {load:.1}% · block max {:.0} µs · xruns {}",
        received.packets.load(Ordering::Relaxed),
        wire.events,
        stats.played.load(Ordering::Relaxed),
        stats.late.load(Ordering::Relaxed),
        stats.dropped.load(Ordering::Relaxed),
        stats.refused_far.load(Ordering::Relaxed),
        wire.unknown_sounds,
        wire.unknown_params,
        wire.malformed,
        wire.too_deep,
        wire.unknown_addresses,
        stats.steals.load(Ordering::Relaxed),
        shared.max_nanos.load(Ordering::Relaxed) as f64 / 1e3,
        shared.xruns.load(Ordering::Relaxed),
    );
}
