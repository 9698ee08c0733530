//! `phonon live`: plays a patch as a JACK client and follows the musician's edits.
//!
//! The main thread is the control thread: it compiles, builds programs, watches the patch,
//! collects telemetry, and reconnects when the JACK server comes back. JACK's process thread
//! runs the engine as worker 0.

mod clock_in;
mod commands;
mod control_port;
mod dirt_input;
mod dirt_rms;
mod levels;
mod link;
mod loader;
mod midi_clock;
pub(crate) mod session;
mod sync;
mod telemetry;
mod view;
mod watch;

use crate::host::systemd::{Notifier, Progress};
use crate::host::{exit_guard, logging, open_client, wait_for_server};
use crate::patch;
use clap::Args;
use dirt_input::DirtInput;
use dsp::samples::bank::{SampleBank, SampleIndex};
use graph::{Graph, Registry};
use loader::SampleLoader;
use session::{Hosting, Provisions, Session, SessionConfig};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use telemetry::{micros, Telemetry};
use watch::PatchWatcher;

/// `phonon live`'s arguments.
#[derive(Args, Debug)]
pub struct LiveArgs {
    /// The patch file (.ph); saving it swaps the new version in.
    #[arg(required = true)]
    patch: Option<PathBuf>,
    /// The JACK client name.
    #[arg(short, long, default_value = "phonon")]
    name: String,
    /// Connect the main outputs to the system's playback ports.
    #[arg(short, long)]
    connect: bool,
    /// Connect the main outputs to the input ports whose full names match this pattern
    /// (e.g. 'system:playback_[12]'), including ports that appear later.
    #[arg(long, value_name = "REGEX", conflicts_with = "connect", value_parser = parse_regex)]
    connect_to: Option<regex::Regex>,
    /// Also register a pair of ports per named output (`out1_L`, `out1_R`, …).
    #[arg(short, long)]
    multi_out: bool,
    /// Input ports to register (`in_1`…), read in patches with `in N`.
    #[arg(short, long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=64))]
    inputs: u16,
    /// Worker threads, including JACK's process thread.
    #[arg(short, long, default_value_t = default_threads(), value_parser = clap::value_parser!(u32).range(1..=64))]
    threads: u32,
    /// The CPUs to run on, JACK's process thread on the first, helpers on the others (e.g.
    /// `2,3` or `2-3`, as taskset writes them): for two Phonons, or other audio, on one machine.
    #[arg(long, value_name = "LIST", value_parser = cpu_list)]
    cpus: Option<CpuList>,
    /// A folder of samples (bd/*.wav, …), searched before PHONON_SAMPLES and the data folder.
    #[arg(short, long)]
    samples: Option<PathBuf>,
    /// Play whatever JACK's transport does (by default, a stopped transport means silence).
    #[arg(long, conflicts_with = "sync")]
    free_run: bool,
    /// Follow an outside clock: `jack`, a JACK timebase master (a DAW: the position from its
    /// bar and beat, its tempo, its relocations; without one the patch's tempo plays); `midi`,
    /// a MIDI clock on `midi_in`; `link`, an Ableton Link session (a build with `--features
    /// link`).
    #[arg(long, value_enum, value_name = "SOURCE")]
    sync: Option<SyncSource>,
    /// With --sync jack: beats in one cycle (by default a cycle is a bar); with --sync midi,
    /// --sync link or --midi-clock, the beats a MIDI clock or Link counts in a cycle (4 unless
    /// told).
    #[arg(long, value_name = "N", value_parser = beats)]
    beats_per_cycle: Option<f64>,
    /// Send MIDI clock on a JACK MIDI port, `midi_clock`: 24 pulses a beat on their frames,
    /// Start, Stop, Continue and Song Position following the transport.
    #[arg(long)]
    midi_clock: bool,
    /// Register a JACK MIDI input port, `midi_in`: its Control Changes are what `cc N` reads,
    /// its notes what `keys` plays.
    #[arg(long)]
    midi_in: bool,
    /// Register a JACK MIDI output port, `midi_out`: the patch's `midi:` statements play there,
    /// and with --dirt the events of the sounds --midi-target names.
    #[arg(long)]
    midi_out: bool,
    /// With --midi-out: a sound whose events (`s "midi"`) play on the MIDI port, as SuperDirt's
    /// MIDI targets; `midi` unless given (repeat for more).
    #[arg(long, value_name = "SOUND", requires = "midi_out")]
    midi_target: Vec<String>,
    /// No status line or periodic figures; errors, reloads and the summary still print.
    #[arg(short, long)]
    quiet: bool,
    /// Do not time each node (the status line then leaves out the heaviest nodes).
    #[arg(long)]
    no_meter: bool,
    /// Also play what Tidal and Strudel send, as `phonon dirt` does: orbits beside the patch,
    /// each an output with ports of its own (orbit0_L, orbit0_R, …).
    #[arg(long)]
    dirt: bool,
    /// With --dirt: the UDP port Tidal and Strudel send to.
    #[arg(long, default_value_t = 57120, requires = "dirt")]
    port: u16,
    /// With --dirt: the address to listen on (0.0.0.0 for other machines too).
    #[arg(long, default_value = "127.0.0.1", requires = "dirt")]
    listen: std::net::IpAddr,
    /// With --dirt: orbits.
    #[arg(long, default_value_t = 12, requires = "dirt", value_parser = clap::value_parser!(u16).range(1..=64))]
    orbits: u16,
    /// With --dirt: voices each orbit plays at once (past them the oldest fades out).
    #[arg(long, default_value_t = dirt::VOICES as u16, requires = "dirt", value_parser = clap::value_parser!(u16).range(1..=4096))]
    voices: u16,
    /// An OSC control port for controllers and panels: `PORT` (on loopback) or `ADDR:PORT`
    /// (docs/live.md lists its commands: /hush, /tempo, /mute, /load, /status…).
    #[arg(long, value_name = "[ADDR:]PORT", value_parser = control_address)]
    control: Option<std::net::SocketAddr>,
    /// Record what plays into this folder: the main mix and each named output (or orbit) as a
    /// stereo 32-bit float WAV file, named by start time and port.
    #[arg(long, value_name = "DIR")]
    record: Option<PathBuf>,
    /// A terminal view instead of the status line: meters per output, load, the next cycles
    /// of each output's patterns, the last error (`q` quits, `h` hushes).
    #[arg(long)]
    view: bool,
}

/// Says that a patch's `midi:` statements go nowhere without `--midi-out`.
fn warn_unsent_midi(args: &LiveArgs, graph: &Graph) {
    if let (false, Some(part)) = (args.midi_out, graph.midi.first()) {
        let line = graph.lines.get(&part.name).copied().unwrap_or(0);
        tracing::warn!(
            "line {line}: `{}:` sends MIDI, but phonon has no MIDI port: start it with --midi-out",
            part.name
        );
    }
}

/// The sounds Tidal's events play on the MIDI port: none without one, `midi` unless named.
fn midi_targets(args: &LiveArgs) -> Vec<String> {
    match (args.midi_out, args.midi_target.is_empty()) {
        (false, _) => Vec::new(),
        (true, true) => vec!["midi".into()],
        (true, false) => args.midi_target.clone(),
    }
}

/// `--control`'s address: a port alone listens on loopback.
pub fn control_address(s: &str) -> Result<std::net::SocketAddr, String> {
    if let Ok(port) = s.parse::<u16>() {
        return Ok(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    }
    s.parse().map_err(|_| {
        format!("`{s}` is not a port or an address:port (e.g. 57130 or 0.0.0.0:57130)")
    })
}

/// What `phonon dirt` asks of the live host: no patch, Tidal's events, the transport ignored
/// (Tidal keeps its own time).
pub struct DirtOnly {
    /// The UDP port.
    pub port: u16,
    /// The address to listen on.
    pub listen: std::net::IpAddr,
    /// Orbits.
    pub orbits: u16,
    /// Voices each orbit plays at once.
    pub voices: u16,
    /// A folder of samples.
    pub samples: Option<PathBuf>,
    /// Worker threads.
    pub threads: u32,
    /// The CPUs to run on.
    pub cpus: Option<CpuList>,
    /// The JACK client name.
    pub name: String,
    /// Connect the main outputs to the system's playback ports.
    pub connect: bool,
    /// No status line.
    pub quiet: bool,
    /// The OSC control port, if any.
    pub control: Option<std::net::SocketAddr>,
    /// The folder to record into, if any.
    pub record: Option<PathBuf>,
    /// The terminal view instead of the status line.
    pub view: bool,
    /// Register the MIDI output port.
    pub midi_out: bool,
    /// The sounds played on it.
    pub midi_target: Vec<String>,
}

impl LiveArgs {
    /// `phonon dirt`'s arguments as the live host takes them.
    pub fn dirt_only(d: DirtOnly) -> LiveArgs {
        LiveArgs {
            patch: None,
            name: d.name,
            connect: d.connect,
            connect_to: None,
            multi_out: false,
            inputs: 0,
            threads: d.threads,
            cpus: d.cpus,
            samples: d.samples,
            free_run: true,
            sync: None,
            beats_per_cycle: None,
            midi_clock: false,
            midi_in: false,
            midi_out: d.midi_out,
            midi_target: d.midi_target,
            quiet: d.quiet,
            no_meter: false,
            dirt: true,
            port: d.port,
            listen: d.listen,
            orbits: d.orbits,
            voices: d.voices,
            control: d.control,
            record: d.record,
            view: d.view,
        }
    }

    /// How this host calls itself in messages.
    fn command(&self) -> &'static str {
        if self.patch.is_none() {
            "phonon dirt"
        } else {
            "phonon"
        }
    }
}

/// Where `--sync` takes the tempo and position from.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum SyncSource {
    /// JACK's timebase master (its BBT: bar, beat, tick, beats per minute).
    Jack,
    /// A MIDI clock on the `midi_in` port: its tempo, Start, Stop, Continue and Song Position.
    Midi,
    /// An Ableton Link session (a build with the `link` feature): its tempo and phase, and
    /// phonon's tempo changes to its peers.
    Link,
}

fn beats(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0625..=1024.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a number of beats from 1/16 to 1024")),
    }
}

/// A list of CPUs given with `--cpus`.
#[derive(Clone, Debug)]
pub struct CpuList(pub Vec<usize>);

/// Reads `--cpus`, checked against the CPUs this process may use.
pub fn cpu_list(text: &str) -> Result<CpuList, String> {
    scheduler::placement::parse_cpu_list(text, &scheduler::placement::allowed_cpus()).map(CpuList)
}

fn default_threads() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

fn parse_regex(s: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(s).map_err(|e| format!("not a valid pattern: {e}"))
}

/// How long Ctrl-C or SIGTERM fades out over.
const FADE_OUT: Duration = Duration::from_millis(50);
/// How often the control loop wakes while the terminal view is open (keys, redraws) or an edit
/// of the patch is settling.
const TICK: Duration = Duration::from_millis(10);
/// How often it wakes otherwise. An edit and a control-port request wake it at once; the rest
/// (the status line, telemetry, a vanished server) waits this long at most. Each wake costs
/// the process a little CPU, which an idle appliance pays 20 times a second, not 100.
const QUIET_TICK: Duration = Duration::from_millis(50);
/// How often a recording that drops says so.
const RECORD_WARN_EVERY: Duration = Duration::from_secs(5);
/// How often systemd hears the status line.
const SYSTEMD_STATUS_EVERY: Duration = Duration::from_secs(2);

/// Connections the user asked for, restored whenever the ports come (back).
struct Connections {
    wanted: Option<Wanted>,
    made: Vec<(String, String)>,
}

enum Wanted {
    System,
    Matching(regex::Regex),
}

impl Connections {
    /// The connections `--connect` or `--connect-to` ask for, none made yet.
    fn asked(args: &LiveArgs) -> Connections {
        Connections {
            wanted: match (&args.connect, &args.connect_to) {
                (true, _) => Some(Wanted::System),
                (false, Some(p)) => Some(Wanted::Matching(p.clone())),
                _ => None,
            },
            made: Vec::new(),
        }
    }

    /// Connects our main pair to what was asked for, where not connected yet.
    fn apply(&mut self, session: &Session) {
        let targets = match &self.wanted {
            None => return,
            Some(Wanted::System) => session.playback_ports(),
            Some(Wanted::Matching(pattern)) => session.inputs_matching(pattern),
        };
        let ours = &session.output_ports[..2];
        let pairs: Vec<(String, String)> = match targets.len() {
            0 => Vec::new(),
            1 => ours
                .iter()
                .map(|o| (o.clone(), targets[0].clone()))
                .collect(),
            _ => ours.iter().cloned().zip(targets).collect(),
        };
        for (from, to) in pairs {
            if self.made.contains(&(from.clone(), to.clone())) && session_has(session, &from, &to) {
                continue;
            }
            if session.connect(&from, &to) {
                tracing::info!("connected {from} -> {to}");
                if !self.made.contains(&(from.clone(), to.clone())) {
                    self.made.push((from, to));
                }
            }
        }
    }

    /// Restores every connection made before, then applies the wish again.
    fn restore(&mut self, session: &Session) {
        for (from, to) in &self.made {
            session.connect(from, to);
        }
        self.apply(session);
    }
}

fn session_has(session: &Session, from: &str, to: &str) -> bool {
    session
        .client()
        .port_by_name(from)
        .is_some_and(|p| p.is_connected_to(to).unwrap_or(false))
}

/// Plays a patch until Ctrl-C or SIGTERM.
pub fn live(args: LiveArgs) -> ExitCode {
    let terminal = std::io::stderr().is_terminal();
    // In the view, log lines are shown inside it: no colours.
    logging::init_logging(terminal && !args.view);
    let mut control = match Control::start(args, terminal) {
        Ok(control) => control,
        Err(code) => return code,
    };
    while !control.stopping() {
        std::thread::park_timeout(control.tick());
        control = match control.follow_server() {
            Ok(control) => control,
            Err(code) => return code,
        };
        control.follow_view();
        control.reload_if_edited();
        control.take_loaded_samples();
        control.reconnect_ports();
        control.session.retire_ports();
        control.report_swaps();
        control.report_sync();
        control.collect_telemetry();
        control.show_status();
        control.tell_systemd();
        control.answer_requests();
        control.report_recording();
    }
    control.shut_down()
}

/// The control thread's state while playing, one method per step of its loop.
struct Control {
    args: LiveArgs,
    terminal: bool,
    registry: Registry,
    /// The patch playing (the last version that compiled).
    graph: Graph,
    /// The sounds it plays.
    sounds: Vec<String>,
    /// Every sound name the folders and the kit hold, for warnings.
    known: Vec<String>,
    config: SessionConfig,
    session: Session,
    /// The samples loaded so far (the kit, then the sounds patches have played).
    bank: Arc<SampleBank>,
    loader: SampleLoader,
    watcher: Option<PatchWatcher>,
    stop: Arc<AtomicBool>,
    reload: Arc<AtomicBool>,
    connections: Connections,
    telemetry: Telemetry,
    /// Xruns of sessions before a reconnect.
    xruns_before: u64,
    last_status: Instant,
    reported_generation: u64,
    /// The generation last sent and the JACK frame it was compiled at.
    compiled: Option<(u64, u32)>,
    /// Arena growths reported so far.
    arena_growths: u64,
    /// systemd's notification socket and watchdog.
    notifier: Notifier,
    /// `READY=1` has been sent.
    ready: bool,
    last_notified: Instant,
    /// Busy and audio seconds at the last `STATUS=`, for the load since.
    load_mark: (f64, f64),
    /// The node meters read at the last status line (which program's, and their readings),
    /// for the means since.
    node_mark: (Option<Arc<runtime::NodeMeters>>, Vec<runtime::NodeTiming>),
    /// The OSC control port, and what it has set: kept across reloads and reconnects.
    control_port: Option<control_port::ControlPort>,
    controls: commands::Controls,
    /// The timebase master's tempo last reported (f64 bits; 0: none).
    followed_bpm: u64,
    /// With `--sync link`: the peers last reported.
    link_peers: u64,
    /// With `--dirt`: Tidal's events coming in.
    dirt: Option<DirtInput>,
    /// With `--record`: the recording, kept across reconnects.
    recorder: Option<recorder::Recorder>,
    /// Frames the recording had dropped when last reported.
    record_dropped: u64,
    last_record_warning: Option<Instant>,
    /// With `--view`: the terminal view, what it last read of the levels, and the patterns it
    /// draws.
    view: Option<view::View>,
    level_marks: levels::LevelMarks,
    rolls: view::roll::Rolls,
    /// The program generation the rolls were drawn from.
    rolls_generation: u64,
    /// The first error of the last edit that did not compile, until one does.
    last_error: Option<String>,
}

/// The thread that receives Tidal's and Strudel's OSC on `listening`.
fn start_dirt_input(
    args: &LiveArgs,
    listening: dirt_input::Listening,
    client: &jack::Client,
    index: &Arc<SampleIndex>,
    stop: &Arc<AtomicBool>,
) -> Result<DirtInput, ExitCode> {
    let shift = dirt_input::clock_shift(client);
    let (orbits, voices) = (usize::from(args.orbits), usize::from(args.voices));
    DirtInput::start(
        listening,
        orbits,
        voices,
        index.clone(),
        shift,
        stop.clone(),
        midi_targets(args),
    )
    .map_err(|e| {
        eprintln!("error: cannot start the receive thread: {e}");
        ExitCode::from(2)
    })
}

/// With `--sync link`: the Link session, joined at the patch's tempo.
fn start_link(args: &LiveArgs, graph: &Graph) -> Result<Option<Arc<link::Link>>, ExitCode> {
    matches!(args.sync, Some(SyncSource::Link))
        .then(|| link::Link::start(graph.cps, args.beats_per_cycle.unwrap_or(4.0)))
        .transpose()
        .map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        })
}

/// With `--record`: the recorder, writing under its folder.
fn start_recorder(args: &LiveArgs) -> Result<Option<recorder::Recorder>, ExitCode> {
    args.record
        .as_deref()
        .map(|dir| recorder::Recorder::start(dir, &args.name, "out"))
        .transpose()
        .map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(2)
        })
}

/// The sample loader, asked at once for the `sounds` the patch plays that `bank` lacks: the
/// kit plays at once; the folders' sounds follow when the loader has read them.
fn start_loader(
    index: Arc<SampleIndex>,
    bank: &Arc<SampleBank>,
    sounds: &[String],
) -> Result<SampleLoader, ExitCode> {
    let mut loader = SampleLoader::new(index).map_err(|e| {
        eprintln!("error: cannot start the sample loader: {e}");
        ExitCode::from(2)
    })?;
    let missing = loader.missing(bank, sounds);
    if !missing.is_empty() {
        loader.request(bank.clone(), missing);
    }
    Ok(loader)
}

impl Control {
    /// Arguments: compiles the patch, installs the signal handlers and the watcher, opens the
    /// JACK client and starts the session. An error is printed; its exit code is returned.
    fn start(args: LiveArgs, terminal: bool) -> Result<Control, ExitCode> {
        let registry = Registry::standard();
        let Opening {
            index,
            known,
            graph,
            sounds,
            listening,
            control_port,
        } = Opening::read(&args, &registry)?;
        let link = start_link(&args, &graph)?;
        let (stop, reload) = signals();
        let watcher = args.patch.as_deref().and_then(watch);
        let client = open_client(&args.name).map_err(|e| {
            eprintln!("error: {}", e.message(args.command()));
            ExitCode::from(2)
        })?;
        let dirt = listening
            .map(|listening| start_dirt_input(&args, listening, &client, &index, &stop))
            .transpose()?;
        let mut recorder = start_recorder(&args)?;
        let mut config = session_config(&args, &graph, dirt.as_ref());
        config.link = link;
        let started = Session::start(
            client,
            &config,
            &graph,
            &mut Provisions {
                bank: &|rate| bank_for(dirt.as_ref(), rate, None),
                hosting: hosting(dirt.as_ref()).as_ref().map(|h| h as _),
                recorder: recorder.as_mut(),
            },
        );
        let (session, bank) = match started {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {}", e.message(args.command()));
                return Err(ExitCode::from(2));
            }
        };
        let loader = start_loader(index, &bank, &sounds)?;
        let mut connections = Connections::asked(&args);
        connections.apply(&session);
        log_start(&args, &session, dirt.as_ref());
        warn_unsent_midi(&args, &graph);
        let notifier = Notifier::from_env();
        let mut control = Control {
            args,
            terminal,
            registry,
            graph,
            sounds,
            known,
            config,
            session,
            bank,
            loader,
            watcher,
            stop,
            reload,
            connections,
            telemetry: Telemetry::default(),
            xruns_before: 0,
            last_status: Instant::now(),
            reported_generation: 0,
            compiled: None,
            arena_growths: 0,
            notifier,
            ready: false,
            last_notified: Instant::now(),
            load_mark: (0.0, 0.0),
            node_mark: (None, Vec::new()),
            followed_bpm: 0,
            link_peers: 0,
            dirt,
            control_port,
            controls: commands::Controls::default(),
            recorder,
            record_dropped: 0,
            last_record_warning: None,
            view: None,
            level_marks: levels::LevelMarks::default(),
            rolls: view::roll::Rolls::default(),
            rolls_generation: 0,
            last_error: None,
        };
        if control.args.view {
            control.rolls = view::roll::Rolls::of(&control.graph);
            control.view = Some(view::View::start().map_err(|e| {
                eprintln!("error: {e}");
                ExitCode::from(2)
            })?);
        }
        control.tell_systemd();
        Ok(control)
    }

    /// True once Ctrl-C or SIGTERM has come.
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Reconnect: when the server went away or changed its sample rate, closes the session and
    /// opens a new one (waiting for the server). Asked to stop meanwhile, ends with the summary.
    fn follow_server(mut self) -> Result<Control, ExitCode> {
        let shared = &self.session.shared;
        let new_rate = shared.new_sample_rate.swap(0, Ordering::SeqCst);
        let rate_changed = new_rate != 0 && new_rate != self.session.sample_rate;
        if !rate_changed && !shared.server_gone.load(Ordering::SeqCst) {
            return Ok(self);
        }
        if rate_changed {
            tracing::info!("JACK's sample rate changed to {new_rate} Hz; restarting the engine");
        } else {
            tracing::error!("the JACK server went away; phonon keeps running and retries");
        }
        self.xruns_before += self.session.shared.xruns.load(Ordering::Relaxed);
        drain(&mut self.session, &mut self.telemetry);
        self.session.close();
        self.notifier
            .status("the JACK server went away; reconnecting");
        let reconnected = {
            let loaded = self.bank.clone();
            let dirt = self.dirt.as_ref();
            let bank = move |rate: u32| bank_for(dirt, rate, Some(&loaded));
            let hosting = hosting(dirt);
            reconnect(
                &self.args,
                &self.config,
                &self.graph,
                &self.stop,
                &mut self.notifier,
                &mut Provisions {
                    bank: &bank,
                    hosting: hosting.as_ref().map(|h| h as _),
                    recorder: self.recorder.as_mut(),
                },
            )
        };
        let Some((session, bank)) = reconnected else {
            if let Some(view) = self.view.take() {
                view.finish();
            }
            let code = summary(
                &self.telemetry,
                self.args.threads - 1,
                self.xruns_before,
                self.dirt.as_mut(),
                "",
            );
            finish_recording(self.recorder.take());
            return Err(code);
        };
        self.session = session;
        self.bank = bank;
        self.arena_growths = 0;
        let missing = self.loader.missing(&self.bank, &self.sounds);
        if !missing.is_empty() {
            self.loader.request(self.bank.clone(), missing);
        }
        self.connections.restore(&self.session);
        log_placement(&self.session);
        self.reapply_controls();
        self.reported_generation = 0;
        tracing::info!(
            "the JACK server is back: playing again as `{}`",
            self.session.client().name()
        );
        Ok(self)
    }

    /// With `--sync`: says when a timebase master or a MIDI clock is found, changes tempo or
    /// goes.
    fn report_sync(&mut self) {
        if let Some(link) = &self.config.link {
            let bits = self.session.shared.followed_bpm.load(Ordering::Relaxed);
            let peers = link.peers();
            if bits != self.followed_bpm || peers != self.link_peers {
                tracing::info!(
                    "following Ableton Link at {} BPM with {peers} peer{}",
                    f64::from_bits(bits),
                    if peers == 1 { "" } else { "s" }
                );
                (self.followed_bpm, self.link_peers) = (bits, peers);
            }
            return;
        }
        if self.config.midi_sync.is_some() {
            let bits = self.session.shared.followed_bpm.load(Ordering::Relaxed);
            if bits != self.followed_bpm {
                match bits {
                    0 => tracing::info!("the MIDI clock stopped: holding the position"),
                    _ => tracing::info!("following a MIDI clock at {} BPM", f64::from_bits(bits)),
                }
                self.followed_bpm = bits;
            }
            return;
        }
        if self.config.sync.is_none() {
            return;
        }
        let bits = self.session.shared.followed_bpm.load(Ordering::Relaxed);
        if bits == self.followed_bpm {
            return;
        }
        match (self.followed_bpm, bits) {
            (_, 0) => tracing::info!(
                "no JACK timebase master publishes a tempo: playing the patch's own tempo"
            ),
            (0, _) => tracing::info!(
                "following JACK's timebase master at {} BPM",
                f64::from_bits(bits)
            ),
            _ => tracing::info!(
                "the timebase master's tempo is now {} BPM",
                f64::from_bits(bits)
            ),
        }
        self.followed_bpm = bits;
    }

    /// Reload: when the patch was saved (or SIGHUP came), compiles it and sends it; a broken
    /// edit is reported and the previous patch keeps playing.
    fn reload_if_edited(&mut self) {
        let changed = self.watcher.as_mut().is_some_and(PatchWatcher::changed);
        let hangup = self.reload.swap(false, Ordering::SeqCst);
        if !changed && !hangup {
            return;
        }
        if hangup {
            self.notifier.reloading();
        }
        self.reload();
        if hangup && self.ready {
            self.notifier.ready(&self.status_for_systemd(0.0));
        }
    }

    /// Compiles the patch again and sends it to the engine.
    fn reload(&mut self) {
        let Some(patch) = &self.args.patch.clone() else {
            return;
        };
        let (loaded, error) = patch::load_noting_error(patch, &self.registry, Some(&self.known));
        self.last_error = error;
        match loaded {
            Some(patch::Patch { graph: g, sounds }) => match self.load_with_ports(&g) {
                Ok(generation) => {
                    self.graph = g;
                    self.compiled = Some((generation, self.session.client().frame_time()));
                    self.patch_loaded();
                    let missing = self.loader.missing(&self.bank, &sounds);
                    if !missing.is_empty() {
                        self.loader.request(self.bank.clone(), missing);
                    }
                    self.sounds = sounds;
                }
                Err(e) => {
                    tracing::error!("{}: {e}; the previous patch keeps playing", patch.display());
                    self.last_error = Some(format!("{}: {e}", patch.display()));
                }
            },
            None => tracing::error!(
                "{}: not reloaded; the previous patch keeps playing",
                patch.display()
            ),
        }
    }

    /// Loads `graph`, first giving its named outputs their ports in multi-out mode.
    fn load_with_ports(&mut self, graph: &Graph) -> Result<u64, runtime::LoadError> {
        if self.config.pairs() {
            let names = output_names(&self.args, graph, self.dirt.as_ref());
            if names != self.config.output_names {
                let slots = self.session.set_outputs(&names);
                self.session.controller.set_output_names(slots.clone());
                // A reconnect registers the same ports in the same order.
                self.config.output_names = slots.into_iter().filter(|n| !n.is_empty()).collect();
            }
        }
        warn_unsent_midi(&self.args, graph);
        if let Some(link) = self
            .config
            .link
            .as_ref()
            .filter(|_| graph.cps != self.graph.cps)
        {
            // An edit's tempo is the session's: every peer follows it.
            link.publish(graph.cps);
        }
        self.session.load(graph, self.recorder.as_mut())
    }

    /// Samples: when the loader has read the sounds asked for, later programs play from the
    /// bigger bank and the patch is built again with it (its voices carry on).
    fn take_loaded_samples(&mut self) {
        let Some(loaded) = self.loader.poll() else {
            return;
        };
        for w in &loaded.warnings {
            tracing::warn!("{}: {}", w.path.display(), w.message);
        }
        if loaded.bank.sample_rate() != self.session.sample_rate {
            return;
        }
        tracing::info!(
            "samples: {} sound{} loaded in {:.0} ms",
            loaded.sounds,
            if loaded.sounds == 1 { "" } else { "s" },
            loaded.spent.as_secs_f64() * 1000.0
        );
        self.bank = loaded.bank;
        self.session.controller.set_bank(self.bank.clone());
        if let Err(e) = self.session.load(&self.graph, self.recorder.as_mut()) {
            tracing::error!("{e}");
        }
    }

    /// Ports: when JACK's ports changed, makes the connections asked for again.
    fn reconnect_ports(&mut self) {
        if self
            .session
            .shared
            .ports_changed
            .swap(false, Ordering::SeqCst)
        {
            self.connections.apply(&self.session);
        }
    }

    /// Logs the JACK frame each new program started playing at.
    fn report_swaps(&mut self) {
        let swapped = self
            .session
            .shared
            .swapped_generation
            .load(Ordering::Acquire);
        if swapped == self.reported_generation || swapped == 0 {
            return;
        }
        let frame = self.session.shared.swapped_frame.load(Ordering::Relaxed);
        match self.compiled.take() {
            Some((generation, at)) if generation == swapped => tracing::info!(
                "reloaded {}: generation {swapped} compiled at JACK frame {at}, playing from frame {frame}",
                self.patch_name(),
            ),
            _ if self.args.patch.is_none() => {}
            _ => tracing::info!("cycle 0 of generation {swapped} is JACK frame {frame}"),
        }
        self.reported_generation = swapped;
    }

    /// Telemetry: takes the audio thread's block reports and drops retired programs, and says
    /// when a worker's arena had to grow while playing (the audio path allocated).
    fn collect_telemetry(&mut self) {
        drain(&mut self.session, &mut self.telemetry);
        let growths = self.telemetry.last.arena_growths;
        if growths > self.arena_growths {
            tracing::warn!(
                "a worker's arena grew during a block ({growths} so far): a pattern made more events in one block than the arenas were sized for"
            );
            self.arena_growths = growths;
        }
    }

    fn xruns(&self) -> u64 {
        self.xruns_before + self.session.shared.xruns.load(Ordering::Relaxed)
    }

    /// The status line: twice a second on a terminal, every ten seconds in a log.
    fn show_status(&mut self) {
        let period = if self.terminal {
            Duration::from_millis(500)
        } else {
            Duration::from_secs(10)
        };
        if self.args.quiet || self.view.is_some() || self.last_status.elapsed() < period {
            return;
        }
        self.last_status = Instant::now();
        let w = self.telemetry.take_window();
        let state = if self.session.shared.rolling.load(Ordering::Relaxed) {
            "playing"
        } else {
            "stopped"
        };
        let dropped = match self.telemetry.last.cut_queries {
            0 => String::new(),
            n => format!(" · patterns cut {n} (too dense to play)"),
        };
        let heaviest = match self.heaviest_nodes() {
            top if top.is_empty() => String::new(),
            top => format!(" · heaviest {top}"),
        };
        let events = self
            .dirt
            .as_mut()
            .map(DirtInput::status)
            .unwrap_or_default();
        let recording = self.recording_label();
        let helpers = match self.args.threads - 1 {
            0 => String::new(),
            n => format!(" · helpers {}/{n}", self.telemetry.last.helpers),
        };
        let line = format!(
            "{state} · load {:.1}% · block p50 {:.0} µs p99 {:.0} µs max {:.0} µs{helpers} · voices {} · steals {} · xruns {} · clamps {}{recording}{events}{dropped}{heaviest}",
            w.load,
            micros(w.p50),
            micros(w.p99),
            micros(w.max),
            self.telemetry.last.voices,
            self.telemetry.steals(),
            self.xruns(),
            self.telemetry.last.clamps,
        );
        if self.terminal {
            eprint!("\r\x1b[2K{line}");
            let _ = std::io::stderr().flush();
        } else {
            tracing::info!("{line}");
        }
    }

    /// The five nodes that took longest per block since the last status line.
    fn heaviest_nodes(&mut self) -> String {
        let Some(meters) = self.session.controller.meters() else {
            return String::new();
        };
        if !meters.enabled() {
            return String::new();
        }
        let now = meters.timings();
        let graph = self.session.hosted_graph(&self.graph);
        if now.len() != graph.nodes.len() {
            // The program sent last is not playing yet.
            return String::new();
        }
        let same = self
            .node_mark
            .0
            .as_ref()
            .is_some_and(|m| Arc::ptr_eq(m, &meters));
        if !same {
            // A new program: its meters count from zero.
            self.node_mark = (
                Some(meters.clone()),
                vec![runtime::NodeTiming::default(); now.len()],
            );
        }
        let means: Vec<Duration> = now
            .iter()
            .zip(&self.node_mark.1)
            .map(|(t, before)| t.mean_since(before))
            .collect();
        self.node_mark.1 = now;
        crate::meter::top(&graph, &means, 5)
    }

    /// The three nodes that took longest per block over the whole run, for the summary.
    fn heaviest_overall(&self) -> String {
        let Some(meters) = self.session.controller.meters().filter(|m| m.enabled()) else {
            return String::new();
        };
        let timings = meters.timings();
        let graph = self.session.hosted_graph(&self.graph);
        if timings.len() != graph.nodes.len() {
            return String::new();
        }
        let means: Vec<Duration> = timings.iter().map(runtime::NodeTiming::mean).collect();
        match crate::meter::top(&graph, &means, 3) {
            top if top.is_empty() => String::new(),
            top => format!(" · heaviest {top}"),
        }
    }

    /// systemd: a `STATUS=` line every few seconds, and a watchdog ping while the audio thread
    /// makes progress.
    fn tell_systemd(&mut self) {
        let callbacks = self.session.shared.guard.blocks();
        if !self.ready {
            // Ready once a whole block has run: the client is active and its ports exist.
            if callbacks == 0 {
                return;
            }
            self.ready = true;
            self.notifier.ready(&self.status_for_systemd(0.0));
        }
        self.notifier.watchdog(Progress::Blocks(callbacks));
        if self.last_notified.elapsed() >= SYSTEMD_STATUS_EVERY {
            self.last_notified = Instant::now();
            let load = self.telemetry.load_since(&mut self.load_mark);
            self.notifier.status(&self.status_for_systemd(load));
        }
    }

    /// `playing house.ph · load 3.2% · xruns 0` (`stopped` when the transport is).
    fn status_for_systemd(&self, load: f64) -> String {
        let state = if self.session.shared.rolling.load(Ordering::Relaxed) {
            "playing"
        } else {
            "stopped (JACK transport)"
        };
        let name = match &self.args.patch {
            Some(path) => format!(
                " {}",
                path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            ),
            None => String::new(),
        };
        let events = self.dirt.as_ref().map(DirtInput::brief).unwrap_or_default();
        format!(
            "{state}{name}{events} · voices {} · load {load:.1}% · xruns {}",
            self.telemetry.last.voices,
            self.xruns()
        )
    }

    /// The patch's path as messages show it (`Tidal's events` without one).
    fn patch_name(&self) -> String {
        self.args
            .patch
            .as_ref()
            .map_or_else(|| "Tidal's events".into(), |p| p.display().to_string())
    }

    /// Fades out, closes the client and prints the summary.
    fn shut_down(mut self) -> ExitCode {
        self.notifier.stopping();
        if let Some(view) = self.view.take() {
            view.finish();
        }
        self.session.controller.fade_out(FADE_OUT);
        std::thread::sleep(FADE_OUT + Duration::from_millis(30));
        drain(&mut self.session, &mut self.telemetry);
        let xruns = self.xruns();
        if self.terminal && !self.args.quiet {
            eprintln!();
        }
        // Before closing: a server that hangs may hold the close until the exit guard ends
        // the process, and the summary must be out by then.
        let heaviest = self.heaviest_overall();
        let code = summary(
            &self.telemetry,
            self.args.threads - 1,
            xruns,
            self.dirt.as_mut(),
            &heaviest,
        );
        let _ = std::io::stderr().flush();
        if !self.session.close_within(Duration::from_millis(500)) {
            tracing::warn!(
                "the audio thread is stuck in a block (the patch is too heavy for this machine); stopped without waiting for it"
            );
            finish_recording(self.recorder.take());
            let _ = std::io::stderr().flush();
            // Not `exit`: libjack's exit handlers would close the client under the stuck thread.
            // SAFETY: ends the process at once; nothing is left to flush.
            unsafe { libc::_exit(0) };
        }
        finish_recording(self.recorder.take());
        code
    }

    /// How long the loop may sleep before its next look.
    fn tick(&self) -> Duration {
        let settling = self.watcher.as_ref().is_some_and(PatchWatcher::settling);
        if self.view.is_some() || settling {
            TICK
        } else {
            QUIET_TICK
        }
    }

    /// With `--view`: carries out the keys pressed and redraws when due.
    fn follow_view(&mut self) {
        let Some(view) = self.view.as_mut() else {
            return;
        };
        for key in view.keys() {
            match key {
                view::Key::Quit => self.stop.store(true, Ordering::SeqCst),
                view::Key::Hush => self.toggle_hush(),
            }
        }
        if !self.view.as_ref().is_some_and(view::View::due) {
            return;
        }
        let generation = self.session.controller.generation();
        if generation != self.rolls_generation {
            self.rolls = view::roll::Rolls::of(&self.graph);
            self.rolls_generation = generation;
        }
        let screen = self.screen();
        if let Some(view) = self.view.as_mut() {
            view.draw(&screen);
        }
    }

    /// What the view shows now.
    fn screen(&mut self) -> view::Screen {
        let w = self.telemetry.take_window();
        let last = self.telemetry.last;
        let state = if self.session.shared.rolling.load(Ordering::Relaxed) {
            "playing"
        } else {
            "stopped (JACK transport)"
        };
        // What plays: a followed master's tempo or one set with /tempo, else the patch's.
        let cps = if last.cps > 0.0 {
            last.cps
        } else {
            self.graph.cps
        };
        let recording = self.recording_label();
        // Tidal keeps its own tempo: without a patch there is none to show.
        let tempo = match self.args.patch {
            Some(_) => format!(
                " · {:.1} BPM ({cps:.4} cps) · cycle {:.2}",
                cps * 240.0,
                last.cycle
            ),
            None => String::new(),
        };
        let headline = format!("phonon · {} · {state}{tempo}{recording}", self.patch_name());
        let events = self
            .dirt
            .as_mut()
            .map(DirtInput::status)
            .unwrap_or_default();
        let figures = format!(
            "load {:.1}% · block p50 {:.0} µs p99 {:.0} µs · voices {} · steals {} · xruns {} · clamps {}{events}",
            w.load,
            micros(w.p50),
            micros(w.p99),
            last.voices,
            self.telemetry.steals(),
            self.xruns(),
            last.clamps,
        );
        let mut meters = Vec::new();
        if let Some(levels) = self.session.levels.clone() {
            let marks = &mut self.level_marks;
            let names = std::iter::once("out".to_string()).chain(self.session.pair_names());
            for (slot, name) in names.enumerate() {
                let read = [
                    levels.read(2 * slot, marks),
                    levels.read(2 * slot + 1, marks),
                ];
                if !name.is_empty() {
                    meters.push(view::Meter { name, levels: read });
                }
            }
        }
        let from = last.cycle.floor() as i64;
        view::Screen {
            headline,
            figures,
            meters,
            rolls: (from, self.rolls.draw(from, view::ROLL_CYCLES)),
            heaviest: self.heaviest_nodes(),
            error: self.last_error.clone(),
            hushed: self.controls.hushed(),
        }
    }

    /// ` · recording 12:03` with `--record`, for the status line and the view.
    fn recording_label(&self) -> String {
        match &self.recorder {
            Some(r) => {
                let seconds = r.status().frames / u64::from(self.session.sample_rate.max(1));
                format!(" · recording {}:{:02}", seconds / 60, seconds % 60)
            }
            None => String::new(),
        }
    }

    /// With `--record`: warns when the disk falls behind (what it missed is recorded as
    /// silence), at most every few seconds.
    fn report_recording(&mut self) {
        let Some(recorder) = &self.recorder else {
            return;
        };
        let dropped = recorder.status().dropped;
        let due = self
            .last_record_warning
            .is_none_or(|t| t.elapsed() >= RECORD_WARN_EVERY);
        if dropped > self.record_dropped && due {
            tracing::warn!(
                "recording: the disk fell behind; {:.2} s recorded as silence so far",
                dropped as f64 / f64::from(self.session.sample_rate)
            );
            self.record_dropped = dropped;
            self.last_record_warning = Some(Instant::now());
        }
    }
}

/// What playing starts from: the samples' index and the sound names it holds, the patch (an
/// empty one for `phonon dirt`) with the sounds it plays, and the UDP ports.
struct Opening {
    index: Arc<dsp::samples::bank::SampleIndex>,
    known: Vec<String>,
    graph: Graph,
    sounds: Vec<String>,
    /// Tidal's UDP port and the control port, bound before anything else starts, so a port
    /// in use is the first error.
    listening: Option<dirt_input::Listening>,
    control_port: Option<control_port::ControlPort>,
}

impl Opening {
    /// Indexes the samples, compiles the patch and binds the ports; an error is reported and is
    /// the exit code.
    fn read(args: &LiveArgs, registry: &Registry) -> Result<Opening, ExitCode> {
        let index = match patch::index(args.samples.as_deref()) {
            Ok(index) => Arc::new(index),
            Err(e) => {
                eprintln!("error: {e}");
                return Err(ExitCode::from(2));
            }
        };
        let known = patch::known_sounds(&index);
        let (graph, sounds) = match &args.patch {
            Some(path) => match patch::load(path, registry, Some(&known)) {
                Some(patch::Patch { graph, sounds }) => (graph, sounds),
                None => return Err(ExitCode::FAILURE),
            },
            None => (Graph::empty(0.5625), Vec::new()),
        };
        let listening = match args.dirt {
            true => Some(dirt_input::listen(args.listen, args.port).map_err(|e| {
                eprintln!("error: {e}");
                ExitCode::from(2)
            })?),
            false => None,
        };
        let control_port = args
            .control
            .map(|address| control_port::open(address, std::thread::current()))
            .transpose()
            .map_err(|e| {
                eprintln!("error: {e}");
                ExitCode::from(2)
            })?;
        Ok(Opening {
            index,
            known,
            graph,
            sounds,
            listening,
            control_port,
        })
    }
}

/// A watcher of `path` for saves, or `None` with a warning that SIGHUP still reloads.
fn watch(path: &std::path::Path) -> Option<PatchWatcher> {
    match PatchWatcher::new(path, std::thread::current()) {
        Ok(w) => Some(w),
        Err(e) => {
            tracing::warn!(
                "cannot watch {} for changes ({e}); reload with SIGHUP",
                path.display()
            );
            None
        }
    }
}

/// The flags Ctrl-C and SIGTERM (stop) and SIGHUP (reload) set, with the exit guard armed.
fn signals() -> (Arc<AtomicBool>, Arc<AtomicBool>) {
    let stop = Arc::new(AtomicBool::new(false));
    let reload = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, stop.clone());
    }
    let _ = signal_hook::flag::register(signal_hook::consts::SIGHUP, reload.clone());
    exit_guard::arm(exit_guard::STOP_LIMIT);
    (stop, reload)
}

/// How the arguments and the first patch set the session up.
fn session_config(args: &LiveArgs, graph: &Graph, dirt: Option<&DirtInput>) -> SessionConfig {
    SessionConfig {
        multi_out: args.multi_out,
        hosted_outputs: dirt.map_or_else(Vec::new, |d| d.output_names().collect()),
        record: args.record.is_some(),
        view: args.view,
        output_names: output_names(args, graph, dirt),
        inputs: usize::from(args.inputs),
        threads: args.threads as usize,
        cpus: args.cpus.as_ref().map(|c| c.0.clone()),
        // Link runs whatever JACK's transport does.
        free_run: args.free_run || matches!(args.sync, Some(SyncSource::Link)),
        meter_nodes: !args.no_meter,
        sync: matches!(args.sync, Some(SyncSource::Jack)).then_some(args.beats_per_cycle),
        midi_sync: matches!(args.sync, Some(SyncSource::Midi))
            .then(|| args.beats_per_cycle.unwrap_or(4.0)),
        midi_clock: args.midi_clock.then(|| args.beats_per_cycle.unwrap_or(4.0)),
        midi_in: args.midi_in,
        midi_out: args.midi_out,
        link: None,
    }
}

/// Says what plays where, where the threads run, and why nothing is heard if the transport
/// is stopped.
fn log_start(args: &LiveArgs, session: &Session, dirt: Option<&DirtInput>) {
    if let Some(dirt) = dirt {
        tracing::info!(
            "listening for Tidal and Strudel on UDP {}; playing as JACK client `{}` ({} Hz, {} frames, {} orbits of {} voices, {} workers)",
            dirt.address,
            session.client().name(),
            session.sample_rate,
            session.client().buffer_size(),
            dirt.orbits,
            dirt.voices,
            args.threads
        );
        let kib = dirt.receive_buffer / 1024;
        if dirt.receive_buffer < dirt_input::RECEIVE_BUFFER {
            tracing::warn!(
                "UDP receive buffer {kib} KiB (asked {} KiB): above about 8,000 events a second some may be lost; raise it with `sysctl net.core.rmem_max={}`",
                dirt_input::RECEIVE_BUFFER / 1024,
                dirt_input::RECEIVE_BUFFER
            );
        } else {
            tracing::info!("UDP receive buffer {kib} KiB");
        }
    }
    if let Some(patch) = &args.patch {
        tracing::info!(
            "playing {} as JACK client `{}` ({} Hz, {} frames, {} workers)",
            patch.display(),
            session.client().name(),
            session.sample_rate,
            session.client().buffer_size(),
            args.threads
        );
    }
    log_placement(session);
    if matches!(args.sync, Some(SyncSource::Midi)) {
        tracing::info!(
            "following a MIDI clock on `{}:midi_in`: phonon plays while it runs",
            session.client().name()
        );
    } else if !args.free_run && !session.shared.rolling.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50));
        if !session.shared.rolling.load(Ordering::Relaxed) {
            if crate::host::served_by_pipewire() {
                tracing::warn!(
                    "the JACK transport is stopped: phonon plays when it rolls, and PipeWire's stays stopped until a client starts it; on PipeWire run with --free-run (or start it with `pw-jack jack_transport play`)"
                );
            } else {
                tracing::info!(
                    "the JACK transport is stopped: phonon plays when it rolls (start it in qjackctl or with `jack_transport play`, or run with --free-run)"
                );
            }
        }
    }
}

/// The outputs that get a pair of their own: the patch's named outputs in multi-out mode, when
/// recording or in the view, then the orbits with `--dirt`.
fn output_names(args: &LiveArgs, graph: &Graph, dirt: Option<&DirtInput>) -> Vec<String> {
    let mut names = if args.multi_out || args.record.is_some() || args.view {
        multi_out_names(graph)
    } else {
        Vec::new()
    };
    if let Some(dirt) = dirt {
        names.retain(|n| !n.starts_with("orbit"));
        names.extend(dirt.output_names());
    }
    names.truncate(session::MAX_OUTPUT_PAIRS);
    names
}

/// The samples a session plays at `rate`: with `--dirt`, every sound (loaded once per rate);
/// otherwise the kit, or `loaded` (the bank of the session before) at the same rate.
fn bank_for(
    dirt: Option<&DirtInput>,
    rate: u32,
    loaded: Option<&Arc<SampleBank>>,
) -> Arc<SampleBank> {
    if let Some(dirt) = dirt {
        return dirt.bank(rate);
    }
    match loaded {
        Some(bank) if bank.sample_rate() == rate => {
            tracing::info!("same sample rate: reusing the samples loaded before");
            bank.clone()
        }
        _ => Arc::new(SampleBank::builtin(rate)),
    }
}

/// With `--dirt`: what makes a session's orbits and router for its bank.
fn hosting(dirt: Option<&DirtInput>) -> Option<impl Fn(&Arc<SampleBank>) -> Hosting + '_> {
    dirt.map(|dirt| move |bank: &Arc<SampleBank>| dirt.hosting(bank))
}

/// The named outputs that get ports of their own, at most `MAX_OUTPUT_PAIRS`; past that a
/// warning names the first left out (it still plays in the main pair).
fn multi_out_names(graph: &Graph) -> Vec<String> {
    let names: Vec<String> = graph.outputs.iter().map(|o| o.name.clone()).collect();
    if names.len() > session::MAX_OUTPUT_PAIRS {
        tracing::warn!(
            "--multi-out: {} outputs, but ports go to the first {} only; `{}` and the {} after it play in the main pair alone",
            names.len(),
            session::MAX_OUTPUT_PAIRS,
            names[session::MAX_OUTPUT_PAIRS],
            names.len() - session::MAX_OUTPUT_PAIRS - 1
        );
    }
    names.into_iter().take(session::MAX_OUTPUT_PAIRS).collect()
}

/// Logs where the workers run, once per session, and what the system refused.
fn log_placement(session: &Session) {
    let (line, warnings) = session.placement();
    tracing::info!("threads: {line}");
    for warning in warnings {
        tracing::warn!("{warning}");
    }
}

fn drain(session: &mut Session, telemetry: &mut Telemetry) {
    let rate = session.sample_rate;
    for report in session.controller.reports() {
        telemetry.add(report, rate);
    }
    session.controller.collect();
}

/// Waits for the server and starts a session on it, until one starts or we are asked to stop;
/// `provisions` gives the samples for the server's rate, the orbits and the recording.
fn reconnect(
    args: &LiveArgs,
    config: &SessionConfig,
    graph: &Graph,
    stop: &AtomicBool,
    notifier: &mut Notifier,
    provisions: &mut Provisions<'_>,
) -> Option<(Session, Arc<SampleBank>)> {
    loop {
        let client = wait_for_server(&args.name, stop, notifier)?;
        match Session::start(client, config, graph, provisions) {
            Ok(s) => return Some(s),
            Err(e) => tracing::warn!("cannot play yet: {}", e.message(args.command())),
        }
    }
}

/// Writes what is left of a recording and closes its files, saying what was recorded.
fn finish_recording(recorder: Option<recorder::Recorder>) {
    let Some(recorder) = recorder else {
        return;
    };
    let status = recorder.status();
    let files = recorder.finish();
    let dropped = match status.dropped {
        0 => String::new(),
        n => format!("; {n} frames dropped (recorded as silence)"),
    };
    let failed = match status.failed_files {
        0 => String::new(),
        n => format!("; {n} stopped early on write errors"),
    };
    tracing::info!(
        "recorded {} file{}{dropped}{failed}",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
}

fn summary(
    telemetry: &Telemetry,
    helper_threads: u32,
    xruns: u64,
    dirt: Option<&mut DirtInput>,
    heaviest: &str,
) -> ExitCode {
    let t = telemetry.total();
    let joins = match telemetry.joins() {
        Some((p50, p99)) => format!(
            " · helper join p50 {:.0} µs p99 {:.0} µs · helper wakes {}",
            micros(p50),
            micros(p99),
            telemetry.helper_wakes()
        ),
        None => String::new(),
    };
    let helpers = match helper_threads {
        0 => String::new(),
        _ => format!(
            " · helpers in {:.0}% of blocks{joins}",
            telemetry.helped_percent()
        ),
    };
    let stalls = match telemetry.stalls() {
        (0, 0) => String::new(),
        (taken, stalled) => format!(" · jobs taken back {taken} · stalled blocks {stalled}"),
    };
    let dropped = match telemetry.last.cut_queries {
        0 => String::new(),
        n => format!(" · patterns cut {n}"),
    };
    let events = match dirt {
        Some(dirt) => {
            dirt.join();
            dirt.summary()
        }
        None => String::new(),
    };
    eprintln!(
        "summary: {} blocks · load {:.1}% · block p50 {:.0} µs p99 {:.0} µs max {:.0} µs · over budget {} · voices max {} · steals {} · xruns {xruns} · clamps {}{helpers}{stalls}{dropped}{heaviest}{events}",
        telemetry.blocks(),
        t.load,
        micros(t.p50),
        micros(t.p99),
        micros(t.max),
        telemetry.over_budget,
        telemetry.max_voices,
        telemetry.steals(),
        telemetry.last.clamps,
    );
    ExitCode::SUCCESS
}
