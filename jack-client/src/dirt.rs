//! `phonon dirt`: a SuperDirt stand-in for Tidal and Strudel. It is `phonon live` without a
//! patch and with `--dirt`: one engine and one JACK host, a stereo pair per orbit beside the
//! main mix, the transport ignored (Tidal keeps its own time).

use crate::live::{self, DirtOnly, LiveArgs};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Voices each orbit plays at once; past them the oldest fades out over 5 ms (counted as
    /// stolen).
    #[arg(long, default_value_t = dirt::VOICES as u16, value_parser = clap::value_parser!(u16).range(1..=4096))]
    voices: u16,
    /// A folder of samples in the Dirt-Samples layout (bd/*.wav, …), searched before
    /// PHONON_SAMPLES and the data folder; every sample is loaded at start, as SuperDirt does.
    #[arg(short, long)]
    samples: Option<PathBuf>,
    /// Worker threads, including JACK's process thread.
    #[arg(short, long, default_value_t = default_threads(), value_parser = clap::value_parser!(u32).range(1..=64))]
    threads: u32,
    /// The CPUs to run on, JACK's process thread on the first (e.g. `2,3` or `2-3`).
    #[arg(long, value_name = "LIST", value_parser = live::cpu_list)]
    cpus: Option<live::CpuList>,
    /// The JACK client name.
    #[arg(short, long, default_value = "phonon")]
    name: String,
    /// Connect the main outputs to the system's playback ports.
    #[arg(short, long)]
    connect: bool,
    /// No status line; errors and the summary still print.
    #[arg(short, long)]
    quiet: bool,
    /// An OSC control port for controllers and panels: `PORT` (on loopback) or `ADDR:PORT`
    /// (docs/live.md lists its commands).
    #[arg(long, value_name = "[ADDR:]PORT", value_parser = live::control_address)]
    control: Option<std::net::SocketAddr>,
    /// Record what plays into this folder: the main mix and each orbit that sounds as a
    /// stereo 32-bit float WAV file, named by start time and port.
    #[arg(long, value_name = "DIR")]
    record: Option<PathBuf>,
    /// A terminal view instead of the status line: meters per orbit, load and events, the
    /// log (`q` quits, `h` hushes).
    #[arg(long)]
    view: bool,
    /// Register a JACK MIDI output port, `midi_out`, for the events of the sounds
    /// --midi-target names (`s "midi"`), as SuperDirt's MIDI targets.
    #[arg(long)]
    midi_out: bool,
    /// With --midi-out: a sound whose events play on the MIDI port; `midi` unless given
    /// (repeat for more).
    #[arg(long, value_name = "SOUND", requires = "midi_out")]
    midi_target: Vec<String>,
}

fn default_threads() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// Runs `phonon dirt` until Ctrl-C or SIGTERM.
pub fn dirt(args: DirtArgs) -> ExitCode {
    live::live(LiveArgs::dirt_only(DirtOnly {
        port: args.port,
        listen: args.listen,
        orbits: args.orbits,
        voices: args.voices,
        samples: args.samples,
        threads: args.threads,
        cpus: args.cpus,
        name: args.name,
        connect: args.connect,
        quiet: args.quiet,
        control: args.control,
        record: args.record,
        view: args.view,
        midi_out: args.midi_out,
        midi_target: args.midi_target,
    }))
}
