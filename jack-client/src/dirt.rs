//! `phonon dirt`: a SuperDirt stand-in for Tidal and Strudel. A JACK client with a stereo pair
//! per orbit and a main mix; a receive thread turns OSC packets into events for the `dirt`
//! engine, which JACK's process thread runs with the orbits spread over the workers.

use crate::host::systemd::{Notifier, Progress};
use crate::host::{
    exit_guard, logging, open_client, process_thread, real_time, shared_cpu_warnings,
    wait_for_server, CallbackGuard, StartError,
};
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
use std::sync::{mpsc, Arc, Mutex};
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
    /// The process callback's progress, and its guard against the client's closing.
    guard: CallbackGuard,
}

struct Audio {
    engine: DirtEngine,
    ports: Vec<Port<AudioOut>>,
    shared: Arc<Shared>,
    sample_rate: f64,
}

impl ProcessHandler for Audio {
    fn process(&mut self, client: &Client, ps: &ProcessScope) -> Control {
        if !self.shared.guard.enter() {
            for port in self.ports.iter_mut() {
                port.as_mut_slice(ps).fill(0.0);
            }
            self.shared.guard.leave(false);
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
        self.shared.guard.leave(true);
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

/// How often systemd hears the status line.
const SYSTEMD_STATUS_EVERY: Duration = Duration::from_secs(2);

/// One JACK client playing the engine: replaced by a new one when the server comes back.
struct Session {
    active: jack::AsyncClient<Notifications, Audio>,
    shared: Arc<Shared>,
    stats: Arc<DirtStats>,
    /// The engine's control end: its block reports (voices, steals).
    controller: runtime::Controller,
    /// Voices sounding at the last report, and voices stolen so far.
    voices: u32,
    steals: u64,
    sample_rate: u32,
    /// The samples it plays, kept for a session after a reconnect at the same rate.
    sounds: Arc<SoundTable>,
}

impl Session {
    /// Loads the samples for the server's rate, builds the engine, registers a pair of ports
    /// per orbit beside the main pair and activates the client. Also returns what the receive
    /// thread needs to feed the new engine.
    fn start(
        client: Client,
        args: &DirtArgs,
        index: &dsp::bank::SampleIndex,
        loaded: Option<Arc<SoundTable>>,
    ) -> Result<(Session, Queue), StartError> {
        let sample_rate = client.sample_rate();
        let sounds = match loaded {
            Some(sounds) if sounds.sample_rate() == sample_rate => {
                tracing::info!("same sample rate: reusing the samples loaded before");
                sounds
            }
            _ => load_sounds(index, sample_rate),
        };
        let orbits = usize::from(args.orbits);
        // SAFETY: the client pointer is live while `client` is.
        let priority = unsafe { jack::jack_sys::jack_client_real_time_priority(client.raw()) };
        let (engine, controller, sender, stats) = DirtEngine::new(
            DirtConfig {
                sample_rate,
                max_block: 4096,
                orbits,
                workers: args.threads as usize,
                pin_cores: args.threads > 1,
                on_thread_start: Some(Arc::new(move |_| real_time(priority - 1))),
                ..DirtConfig::default()
            },
            sounds.clone(),
        )
        .map_err(|e| StartError::Other(format!("cannot start the worker threads: {e}")))?;
        let caller_cpu = engine.engine().caller_cpu();
        let mut ours = vec![("JACK's process thread".to_string(), caller_cpu)];
        ours.extend(
            engine
                .engine()
                .helpers()
                .iter()
                .map(|h| (format!("helper {}", h.worker), h.cpu)),
        );
        for warning in shared_cpu_warnings(&ours) {
            tracing::warn!("{warning}");
        }
        let mut ports = Vec::new();
        for name in port_names(orbits) {
            let port = client
                .register_port(&name, AudioOut::default())
                .map_err(|e| StartError::Other(format!("cannot register port {name}: {e:?}")))?;
            ports.push(port);
        }
        let shared = Arc::new(Shared::default());
        let active = client
            .activate_async(
                Notifications {
                    shared: shared.clone(),
                },
                Audio {
                    engine,
                    ports,
                    shared: shared.clone(),
                    sample_rate: f64::from(sample_rate),
                },
            )
            .map_err(|e| StartError::Other(format!("cannot activate the JACK client: {e:?}")))?;
        if let (Some(thread), Some(cpu)) = (process_thread(active.as_client()), caller_cpu) {
            // SAFETY: JACK's process thread lives while the client is active.
            if let Err(e) = unsafe { placement::pin_thread(thread, cpu) } {
                tracing::warn!("JACK's process thread could not be pinned to CPU {cpu}: {e}");
            }
        }
        let session = Session {
            active,
            shared,
            stats,
            controller,
            voices: 0,
            steals: 0,
            sample_rate,
            sounds: sounds.clone(),
        };
        if args.connect {
            session.connect_to_playback();
        }
        Ok((session, Queue { sender, sounds }))
    }

    fn client(&self) -> &Client {
        self.active.as_client()
    }

    /// Takes the engine's block reports: voices and steals.
    fn drain(&mut self) {
        for report in self.controller.reports() {
            self.voices = report.voices;
            self.steals = report.steals;
        }
        self.controller.collect();
    }

    /// Connects the main pair to the first two physical playback ports.
    fn connect_to_playback(&self) {
        let client = self.client();
        let playback = client.ports(
            None,
            Some("audio"),
            jack::PortFlags::IS_INPUT | jack::PortFlags::IS_PHYSICAL,
        );
        for (from, to) in ["out_L", "out_R"].iter().zip(&playback) {
            let from = format!("{}:{from}", client.name());
            if client.connect_ports_by_name(&from, to).is_ok() {
                tracing::info!("connected {from} -> {to}");
            }
        }
    }

    /// Deactivates and closes the client once the callback is out of any block; false (the
    /// client left for the process's end) if a block does not end within half a second.
    fn close(self) -> bool {
        if !self.shared.guard.close(Duration::from_millis(500)) {
            std::mem::forget(self);
            return false;
        }
        let _ = self.active.deactivate();
        true
    }
}

/// Every sound of the folders and the kit, at `sample_rate`.
fn load_sounds(index: &dsp::bank::SampleIndex, sample_rate: u32) -> Arc<SoundTable> {
    let loading = Instant::now();
    let names: Vec<String> = index.names().map(str::to_string).collect();
    let bank = patch::bank_with(index, sample_rate, &names);
    let sounds = Arc::new(SoundTable::from_bank(&bank));
    tracing::info!(
        "samples: {} sounds loaded in {:.0} ms",
        sounds.sounds(),
        loading.elapsed().as_secs_f64() * 1000.0
    );
    sounds
}

/// The main pair, then a pair per orbit.
fn port_names(orbits: usize) -> Vec<String> {
    let mut names = vec!["out_L".to_string(), "out_R".to_string()];
    for k in 0..orbits {
        names.push(format!("orbit{k}_L"));
        names.push(format!("orbit{k}_R"));
    }
    names
}

/// What the sessions closed so far counted, for the summary.
#[derive(Clone, Copy, Default)]
struct Totals {
    played: u64,
    late: u64,
    dropped: u64,
    refused_far: u64,
    steals: u64,
    xruns: u64,
    busy_nanos: u64,
    frames: u64,
    max_nanos: u64,
}

impl Totals {
    fn add(&mut self, session: &Session) {
        let (stats, shared) = (&session.stats, &session.shared);
        self.played += stats.played.load(Ordering::Relaxed);
        self.late += stats.late.load(Ordering::Relaxed);
        self.dropped += stats.dropped.load(Ordering::Relaxed);
        self.refused_far += stats.refused_far.load(Ordering::Relaxed);
        self.steals += session.steals;
        self.xruns += shared.xruns.load(Ordering::Relaxed);
        self.busy_nanos += shared.busy_nanos.load(Ordering::Relaxed);
        self.frames += shared.frames.load(Ordering::Relaxed);
        self.max_nanos = self.max_nanos.max(shared.max_nanos.load(Ordering::Relaxed));
    }

    /// These totals with `session`'s counts added.
    fn with(&self, session: &Session) -> Totals {
        let mut all = *self;
        all.add(session);
        all
    }
}

/// Runs `phonon dirt` until Ctrl-C or SIGTERM.
pub fn dirt(args: DirtArgs) -> ExitCode {
    let terminal = std::io::stderr().is_terminal();
    logging::init_logging(terminal);
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
        Err(e) => {
            eprintln!("error: {}", e.message("phonon dirt"));
            return ExitCode::from(2);
        }
    };
    // JACK's clock against the monotonic one (the same on Linux; measured to be sure).
    let shift = {
        let before = monotonic_micros();
        let jack = client.time();
        let after = monotonic_micros();
        jack as i64 - ((before + after) / 2) as i64
    };
    let (session, queue) = match Session::start(client, &args, &index, None) {
        Ok(started) => started,
        Err(e) => {
            eprintln!("error: {}", e.message("phonon dirt"));
            return ExitCode::from(2);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, stop.clone());
    }
    exit_guard::arm(exit_guard::STOP_LIMIT);
    let received = Arc::new(Received::default());
    // A new session's queue reaches the receive thread, which keeps the socket and its counts.
    let (new_queue, queues) = mpsc::channel::<Queue>();
    let receiver = {
        let stop = stop.clone();
        let received = received.clone();
        let receiving = Receiving {
            decoder: Decoder::new(queue.sounds.clone(), usize::from(args.orbits)),
            clock: WallClock::measure().with_shift(shift),
            sender: queue.sender,
            queues,
        };
        std::thread::Builder::new()
            .name("phonon-dirt-osc".into())
            .spawn(move || receive(socket, receiving, &stop, &received))
    };
    let Ok(receiver) = receiver else {
        eprintln!("error: cannot start the receive thread");
        return ExitCode::from(2);
    };
    tracing::info!(
        "listening for Tidal and Strudel on UDP {address}; playing as JACK client `{}` ({} Hz, {} frames, {} orbits, {} workers)",
        session.client().name(),
        session.sample_rate,
        session.client().buffer_size(),
        args.orbits,
        args.threads
    );
    let mut playing = Playing {
        status: Status::new(terminal && !args.quiet, session.sample_rate),
        session: Some(session),
        totals: Totals::default(),
        notifier: Notifier::from_env(),
        ready: false,
        last_notified: Instant::now(),
        gone_rate: 0,
    };
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
        if !playing.follow_server(&args, &index, &stop, &new_queue) {
            break;
        }
        if let Some(session) = playing.session.as_mut() {
            session.drain();
        }
        playing.tell_systemd(&received);
        if !args.quiet {
            playing.show_status(&received);
        }
    }
    playing.notifier.stopping();
    let _ = receiver.join();
    playing.finish(&received)
}

/// The control thread's state while playing.
struct Playing {
    /// The session playing; none while the server is away.
    session: Option<Session>,
    /// What closed sessions counted.
    totals: Totals,
    notifier: Notifier,
    /// `READY=1` has been sent.
    ready: bool,
    last_notified: Instant,
    status: Status,
    /// The sample rate of the last session, for a summary without one.
    gone_rate: u32,
}

impl Playing {
    /// When the server went away: closes the session, waits for the server and starts a new
    /// one, whose queue goes to the receive thread. False if asked to stop meanwhile.
    fn follow_server(
        &mut self,
        args: &DirtArgs,
        index: &dsp::bank::SampleIndex,
        stop: &AtomicBool,
        queues: &mpsc::Sender<Queue>,
    ) -> bool {
        let Some(session) = self.session.take() else {
            return false;
        };
        if !session.shared.server_gone.load(Ordering::SeqCst) {
            self.session = Some(session);
            return true;
        }
        tracing::error!("the JACK server went away; phonon dirt keeps listening and retries");
        self.notifier
            .status("the JACK server went away; reconnecting");
        self.totals.add(&session);
        self.gone_rate = session.sample_rate;
        let loaded = session.sounds.clone();
        // Closed before a new client opens: libjack must be done with the old server.
        session.close();
        let Some((next, queue)) = reconnect(args, index, loaded, stop, &mut self.notifier) else {
            return false;
        };
        let _ = queues.send(queue);
        self.status = Status::new(self.status.terminal, next.sample_rate);
        tracing::info!(
            "the JACK server is back: playing again as `{}` ({} Hz)",
            next.client().name(),
            next.sample_rate
        );
        self.session = Some(next);
        true
    }

    /// systemd: `READY=1` once a block has run, a `STATUS=` line every few seconds, and a
    /// watchdog ping while the audio thread makes progress.
    fn tell_systemd(&mut self, received: &Received) {
        let Some(session) = &self.session else {
            return;
        };
        let callbacks = session.shared.guard.blocks();
        if !self.ready {
            if callbacks == 0 {
                return;
            }
            self.ready = true;
            self.notifier
                .ready(&self.status.line_for_systemd(session, received));
        }
        self.notifier.watchdog(Progress::Blocks(callbacks));
        if self.last_notified.elapsed() >= SYSTEMD_STATUS_EVERY {
            self.last_notified = Instant::now();
            self.notifier
                .status(&self.status.line_for_systemd(session, received));
        }
    }

    fn show_status(&mut self, received: &Received) {
        if let Some(session) = &self.session {
            self.status.show(session, received);
        }
    }

    /// The summary, then the client closed: exit 0, or 1 if the server was gone at the end.
    fn finish(self, received: &Received) -> ExitCode {
        if self.status.terminal {
            eprintln!();
        }
        let Some(session) = self.session else {
            summary(&self.totals, received, self.gone_rate);
            return ExitCode::from(1);
        };
        let gone = session.shared.server_gone.load(Ordering::SeqCst);
        // Before closing: a server that hangs may hold the close until the exit guard ends the
        // process, and the summary must be out by then.
        summary(&self.totals.with(&session), received, session.sample_rate);
        let _ = std::io::stderr().flush();
        if !session.close() {
            // Not `exit`: libjack's exit handlers would close the client under the stuck
            // thread.
            // SAFETY: ends the process at once; nothing is left to flush.
            unsafe { libc::_exit(0) };
        }
        if gone {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Waits for the server and starts a session on it, until one starts or we are asked to stop.
fn reconnect(
    args: &DirtArgs,
    index: &dsp::bank::SampleIndex,
    loaded: Arc<SoundTable>,
    stop: &AtomicBool,
    notifier: &mut Notifier,
) -> Option<(Session, Queue)> {
    loop {
        let client = wait_for_server(&args.name, stop, notifier)?;
        match Session::start(client, args, index, Some(loaded.clone())) {
            Ok(started) => return Some(started),
            Err(e) => tracing::warn!("cannot play yet: {}", e.message("phonon dirt")),
        }
    }
}

/// The way into a session's engine: its event queue and the samples it plays.
struct Queue {
    sender: EventSender,
    sounds: Arc<SoundTable>,
}

/// What the receive thread works with.
struct Receiving {
    decoder: Decoder,
    clock: WallClock,
    /// The playing engine's queue.
    sender: EventSender,
    /// The queues of engines started after a reconnect.
    queues: mpsc::Receiver<Queue>,
}

/// The receive thread: packets into events until asked to stop.
fn receive(socket: UdpSocket, receiving: Receiving, stop: &AtomicBool, received: &Received) {
    let Receiving {
        mut decoder,
        mut clock,
        mut sender,
        queues,
    } = receiving;
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
        // Checked after the wait for a packet, so events go to the engine playing now.
        while let Ok(queue) = queues.try_recv() {
            sender = queue.sender;
            decoder.set_sounds(queue.sounds);
        }
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
    /// Figures from now on, of a session at `sample_rate` (a new session counts from zero).
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

    fn show(&mut self, session: &Session, received: &Received) {
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
        let (stats, shared) = (&session.stats, &session.shared);
        let played = stats.played.load(Ordering::Relaxed);
        let busy = shared.busy_nanos.load(Ordering::Relaxed);
        let frames = shared.frames.load(Ordering::Relaxed);
        let audio = frames.saturating_sub(self.frames) as f64 / self.sample_rate;
        let load = if audio > 0.0 {
            100.0 * busy.saturating_sub(self.busy) as f64 * 1e-9 / audio
        } else {
            0.0
        };
        let line = format!(
            "events/s {:.0} · voices {} · late {} · dropped {} · load {load:.1}% · xruns {} · packets {}",
            played.saturating_sub(self.played) as f64 / elapsed.as_secs_f64(),
            session.voices,
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

    /// `listening on 57120 · played 1234 · voices 5 · xruns 0`, for `systemctl status`.
    fn line_for_systemd(&self, session: &Session, received: &Received) -> String {
        format!(
            "playing · packets {} · played {} · voices {} · xruns {}",
            received.packets.load(Ordering::Relaxed),
            session.stats.played.load(Ordering::Relaxed),
            session.voices,
            session.shared.xruns.load(Ordering::Relaxed),
        )
    }
}

fn summary(totals: &Totals, received: &Received, sample_rate: u32) {
    let wire = received.wire.lock().map(|c| *c).unwrap_or_default();
    let audio = totals.frames as f64 / f64::from(sample_rate.max(1));
    let load = if audio > 0.0 {
        100.0 * totals.busy_nanos as f64 * 1e-9 / audio
    } else {
        0.0
    };
    eprintln!(
        "summary: packets {} · events {} · played {} · late {} · dropped {} · refused far ahead {} · unknown sounds {} · unknown parameters {} · controls past 16 {} · malformed {} · too deep {} · other addresses {} · voices stolen {} · load {load:.1}% · block max {:.0} µs · xruns {}",
        received.packets.load(Ordering::Relaxed),
        wire.events,
        totals.played,
        totals.late,
        totals.dropped,
        totals.refused_far,
        wire.unknown_sounds,
        wire.unknown_params,
        wire.crowded,
        wire.malformed,
        wire.too_deep,
        wire.unknown_addresses,
        totals.steals,
        totals.max_nanos as f64 / 1e3,
        totals.xruns,
    );
}
