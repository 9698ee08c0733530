//! `phonon render` and `phonon bench`: the engine offline.

use crate::patch;
use clap::{Args, ValueEnum};
use graph::Registry;
use indicatif::{ProgressBar, ProgressStyle};
use runtime::render::{frames_for, run_offline};
use runtime::{Length, RenderSettings, SampleFormat};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The WAV sample format, as the command line spells it.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// 32-bit float.
    F32,
    /// 16-bit integer.
    S16,
    /// 24-bit integer.
    S24,
}

/// `phonon render`'s arguments.
#[derive(Args, Debug)]
pub struct RenderArgs {
    /// The patch file (.ph).
    input: PathBuf,
    /// The WAV file to write.
    output: PathBuf,
    /// Seconds to render.
    #[arg(short, long, conflicts_with = "cycles", value_parser = positive)]
    duration: Option<f64>,
    /// Cycles to render, at the patch's tempo (default 4 when no duration is given).
    #[arg(short, long, value_parser = positive)]
    cycles: Option<f64>,
    /// Samples per second.
    #[arg(short = 'r', long, default_value_t = 44_100, value_parser = clap::value_parser!(u32).range(8_000..=384_000))]
    sample_rate: u32,
    /// Frames per block.
    #[arg(short, long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(16..=4096))]
    block_size: u32,
    /// Worker threads, including the rendering thread (the output does not depend on it).
    #[arg(short, long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    threads: u32,
    /// Master gain.
    #[arg(short, long, default_value_t = 1.0, value_parser = non_negative)]
    gain: f32,
    /// WAV sample format.
    #[arg(short, long, value_enum, default_value_t = Format::F32)]
    format: Format,
    /// A folder of samples (bd/*.wav, …), searched before PHONON_SAMPLES and the data folder.
    #[arg(short, long)]
    samples: Option<PathBuf>,
    /// Write one stereo pair per named output, in the patch's order, instead of the main mix.
    #[arg(short, long)]
    multi_out: bool,
}

/// `phonon bench`'s arguments.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The patch file (.ph).
    patch: PathBuf,
    /// Block sizes to measure, comma-separated.
    #[arg(short, long, value_delimiter = ',', default_values_t = [64, 128, 512])]
    block_size: Vec<u32>,
    /// Worker counts to measure, comma-separated.
    #[arg(short, long, value_delimiter = ',', default_values_t = [1, 2])]
    threads: Vec<u32>,
    /// Seconds of audio measured per row, after a one-second warm-up.
    #[arg(long, default_value_t = 10.0, value_parser = positive)]
    seconds: f64,
    /// Samples per second.
    #[arg(short = 'r', long, default_value_t = 44_100)]
    sample_rate: u32,
    /// A folder of samples.
    #[arg(short, long)]
    samples: Option<PathBuf>,
    /// Also time every node: a table of the heaviest (patch line, mean and p99 µs per block,
    /// share of the block) and the critical path, for the first block size and worker count.
    #[arg(long, conflicts_with = "no_meter")]
    nodes: bool,
    /// Do not time nodes at all (to measure what the meter costs).
    #[arg(long)]
    no_meter: bool,
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a positive number")),
    }
}

fn non_negative(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!("`{s}` is not a number ≥ 0")),
    }
}

/// Lists the samples, compiles the patch against their names, then loads the sounds it plays;
/// on failure, the exit code (2 for a bad `--samples`, 1 for patch errors) after the messages
/// are printed.
fn patch_and_bank(
    path: &std::path::Path,
    samples: Option<&std::path::Path>,
    sample_rate: u32,
) -> Result<(graph::Graph, std::sync::Arc<dsp::samples::bank::SampleBank>), ExitCode> {
    let index = patch::index(samples).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    let known = patch::known_sounds(&index);
    let loaded = patch::load(path, &Registry::standard(), Some(&known)).ok_or(ExitCode::FAILURE)?;
    let bank = patch::bank_with(&index, sample_rate, &loaded.sounds);
    Ok((loaded.graph, bank))
}

/// True when `a` and `b` name the same existing file (through links, `..` or a second name).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Renders a patch to a WAV file.
pub fn render(args: RenderArgs) -> ExitCode {
    if same_file(&args.input, &args.output) {
        eprintln!(
            "error: the output {} is the patch itself; give the WAV file another name",
            args.output.display()
        );
        return ExitCode::from(2);
    }
    let (graph, bank) = match patch_and_bank(&args.input, args.samples.as_deref(), args.sample_rate)
    {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if let Some(part) = graph.midi.first() {
        eprintln!(
            "warning: `{}:` sends MIDI, which a render leaves out: play it with `phonon live --midi-out`",
            part.name
        );
    }
    let settings = RenderSettings {
        sample_rate: args.sample_rate,
        block_size: args.block_size as usize,
        threads: args.threads as usize,
        gain: args.gain,
        format: match args.format {
            Format::F32 => SampleFormat::F32,
            Format::S16 => SampleFormat::S16,
            Format::S24 => SampleFormat::S24,
        },
        length: match (args.duration, args.cycles) {
            (Some(s), _) => Length::Seconds(s),
            (None, Some(c)) => Length::Cycles(c),
            (None, None) => Length::Cycles(4.0),
        },
        multi_out: args.multi_out,
        meter_nodes: false,
        untimed_frames: 0,
    };
    let bar = if std::io::stderr().is_terminal() {
        let total = frames_for(settings.length, settings.sample_rate, graph.cps);
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{wide_bar} {percent:>3}% {elapsed} (eta {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let result = runtime::render(&graph, bank, &settings, &args.output, &mut |done, _| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(summary) => {
            let seconds = summary.frames as f64 / f64::from(settings.sample_rate);
            let spent = summary.block_times.total();
            eprintln!(
                "{}: {seconds:.2} s, {} channels, peak {:.1} dBFS, rendered {}× real time",
                args.output.display(),
                summary.channels,
                20.0 * summary.peak.max(1e-10).log10(),
                speed(seconds / spent.as_secs_f64().max(1e-9)),
            );
            if summary.clamps > 0 {
                eprintln!(
                    "warning: {} output samples were NaN, infinite or beyond ±16 and were clamped",
                    summary.clamps
                );
            }
            if summary.cut_queries > 0 {
                eprintln!(
                    "warning: a pattern was cut in {} blocks: it makes more than {} events in a block and only those play (something like `fast 1e9`)",
                    summary.cut_queries,
                    dsp::QUERY_BUDGET
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Block-time statistics of one configuration.
struct Row {
    block: u32,
    threads: u32,
    mean: Duration,
    p99: Duration,
    max: Duration,
}

impl Row {
    /// The row of the table: times, the longest over the mean, the load of a `period`, and
    /// the speed-up over one worker's mean, `single`.
    fn line(&self, period: Duration, single: Option<Duration>) -> String {
        let mean = self.mean.as_secs_f64();
        format!(
            "{:>6} {:>7} {:>10.1} {:>10.1} {:>10.1} {:>8.2} {:>7.1} {:>8}",
            self.block,
            self.threads,
            micros(self.mean),
            micros(self.p99),
            micros(self.max),
            self.max.as_secs_f64() / mean,
            100.0 * mean / period.as_secs_f64(),
            single.map_or("".into(), |s| format!("{:.2}×", s.as_secs_f64() / mean)),
        )
    }
}

/// Times a patch's blocks at several block sizes and worker counts and prints a table.
pub fn bench(args: BenchArgs) -> ExitCode {
    let (graph, bank) = match patch_and_bank(&args.patch, args.samples.as_deref(), args.sample_rate)
    {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "{}: {} nodes, {} outputs; {:.0} s per row after 1 s warm-up, {} Hz, {cores} cores",
        args.patch.display(),
        graph.nodes.len(),
        graph.outputs.len(),
        args.seconds,
        args.sample_rate
    );
    println!(
        "{:>6} {:>7} {:>10} {:>10} {:>10} {:>8} {:>7} {:>8}",
        "block", "threads", "mean µs", "p99 µs", "max µs", "max/mean", "load %", "speed-up"
    );
    let mut rows: Vec<Row> = Vec::new();
    let mut node_table = None;
    for &block in &args.block_size {
        for &threads in &args.threads {
            let settings = RenderSettings {
                sample_rate: args.sample_rate,
                block_size: block.clamp(16, 4096) as usize,
                threads: threads.max(1) as usize,
                length: Length::Seconds(args.seconds + 1.0),
                meter_nodes: !args.no_meter,
                untimed_frames: u64::from(args.sample_rate),
                ..RenderSettings::default()
            };
            let summary = match run_offline(
                &graph,
                bank.clone(),
                &settings,
                Vec::new(),
                |_, _| Ok::<(), std::convert::Infallible>(()),
                &mut |_, _| {},
            ) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            let times = &summary.block_times;
            if times.count() == 0 {
                continue;
            }
            let period = Duration::from_secs_f64(f64::from(block) / f64::from(args.sample_rate));
            let row = Row {
                block,
                threads,
                mean: times.mean(),
                p99: times.quantile(0.99),
                max: times.max(),
            };
            let single = rows
                .iter()
                .find(|r| r.block == block && r.threads == 1)
                .map(|r| r.mean);
            println!("{}", row.line(period, single));
            if args.nodes && node_table.is_none() {
                node_table = Some((block, threads, summary.nodes, period));
            }
            rows.push(row);
        }
    }
    let worst = rows
        .iter()
        .map(|r| r.p99.max(r.max))
        .max()
        .unwrap_or_default();
    println!(
        "peak memory {} (VmHWM); worst block {:.1} µs",
        peak_memory().unwrap_or_else(|| "unknown".into()),
        micros(worst)
    );
    if let Some((block, threads, timings, period)) = node_table {
        println!(
            "\nnodes at {block} frames, {threads} worker(s), over one block in {}:",
            runtime::meter::SAMPLE_EVERY
        );
        print!("{}", crate::meter::table(&graph, &timings, period));
    }
    ExitCode::SUCCESS
}

/// A speed ratio with the digits that matter: `640`, `3.2`, `0.16`.
fn speed(ratio: f64) -> String {
    match ratio {
        r if r >= 10.0 => format!("{r:.0}"),
        r if r >= 1.0 => format!("{r:.1}"),
        r => format!("{r:.2}"),
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// The process's peak resident memory, from /proc.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}
