//! Offline rendering: the engine run as fast as it goes, its output written to a WAV file.

use crate::engine::{engine, EngineConfig, LoadError};
use dsp::samples::bank::SampleBank;
use graph::Graph;
use std::fmt;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// The WAV sample format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SampleFormat {
    /// 32-bit float.
    #[default]
    F32,
    /// 16-bit integer.
    S16,
    /// 24-bit integer.
    S24,
}

/// How much to render.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Length {
    /// Seconds.
    Seconds(f64),
    /// Cycles at the patch's tempo.
    Cycles(f64),
}

/// How to render.
#[derive(Clone, Debug)]
pub struct RenderSettings {
    /// Samples per second.
    pub sample_rate: u32,
    /// Frames per block.
    pub block_size: usize,
    /// Workers, including the rendering thread.
    pub threads: usize,
    /// Master gain.
    pub gain: f32,
    /// The WAV sample format.
    pub format: SampleFormat,
    /// How much to render.
    pub length: Length,
    /// Write one stereo pair per named output, in the patch's order, instead of the main mix.
    pub multi_out: bool,
    /// Time each node (see [`crate::meter`]); the summary's `nodes` says how long each took.
    pub meter_nodes: bool,
    /// Frames rendered before block times are recorded (a warm-up), still written.
    pub untimed_frames: u64,
}

impl Default for RenderSettings {
    fn default() -> Self {
        RenderSettings {
            sample_rate: 44_100,
            block_size: 512,
            threads: 1,
            gain: 1.0,
            format: SampleFormat::F32,
            length: Length::Cycles(4.0),
            multi_out: false,
            meter_nodes: false,
            untimed_frames: 0,
        }
    }
}

/// What a render produced.
#[derive(Clone, Debug, Default)]
pub struct RenderSummary {
    /// Frames written.
    pub frames: u64,
    /// Channels written.
    pub channels: u16,
    /// The largest magnitude written.
    pub peak: f32,
    /// Output samples the master had to clamp (NaN, infinite or runaway).
    pub clamps: u64,
    /// Voices stolen because a pool was full.
    pub steals: u64,
    /// Node blocks whose pattern was cut at the per-block query budget (a runaway pattern).
    pub cut_queries: u64,
    /// Times a worker's arena grew during a block (the audio path allocating).
    pub arena_growths: u64,
    /// Wall-clock time spent in the engine per block, past `untimed_frames`.
    pub block_times: crate::BlockTimes,
    /// Each node's times, by graph node, when `meter_nodes` was set.
    pub nodes: Vec<crate::NodeTiming>,
}

/// Why a render failed.
#[derive(Debug)]
pub enum RenderError {
    /// The output file could not be created or written.
    Io(String),
    /// The graph cannot be run.
    Load(LoadError),
    /// The audio would not fit in a WAV file (whose sizes are 32-bit).
    TooLong {
        /// Bytes of audio asked for.
        bytes: u64,
        /// The longest length, in seconds, that fits with these channels and format.
        max_seconds: f64,
    },
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Io(e) => f.write_str(e),
            RenderError::Load(e) => write!(f, "{e}"),
            RenderError::TooLong { bytes, max_seconds } => write!(
                f,
                "{:.1} GiB of audio does not fit in a WAV file (4 GiB at most): render at most \
                 {max_seconds:.0} s, or use --format s16, or fewer outputs",
                *bytes as f64 / (1u64 << 30) as f64
            ),
        }
    }
}

impl std::error::Error for RenderError {}

/// Bytes a WAV file's RIFF size leaves for headers (hound's extensible header is under 80).
const WAV_HEADER_ROOM: u64 = 1024;

/// Frames `length` covers at `sample_rate` and the patch's tempo.
pub fn frames_for(length: Length, sample_rate: u32, cps: f64) -> u64 {
    let seconds = match length {
        Length::Seconds(s) => s,
        Length::Cycles(c) => c / crate::clock::tempo(cps).to_f64(),
    };
    (seconds.max(0.0) * f64::from(sample_rate)).round() as u64
}

/// Renders `graph` into the WAV file at `path`. `progress` is called after each block with the
/// frames done and the frames in all.
pub fn render(
    graph: &Graph,
    bank: Arc<SampleBank>,
    settings: &RenderSettings,
    path: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RenderSummary, RenderError> {
    let output_names: Vec<String> = if settings.multi_out {
        graph.outputs.iter().map(|o| o.name.clone()).collect()
    } else {
        Vec::new()
    };
    let channels = if settings.multi_out {
        2 * output_names.len().max(1)
    } else {
        2
    };
    let bytes_per_frame = channels as u64
        * match settings.format {
            SampleFormat::F32 => 4,
            SampleFormat::S16 => 2,
            SampleFormat::S24 => 3,
        };
    // Checked before the file exists: past 4 GiB a WAV header's sizes wrap and it lies.
    let frames = frames_for(settings.length, settings.sample_rate, graph.cps);
    let room = u64::from(u32::MAX) - WAV_HEADER_ROOM;
    if frames.saturating_mul(bytes_per_frame) > room {
        return Err(RenderError::TooLong {
            bytes: frames.saturating_mul(bytes_per_frame),
            max_seconds: (room / bytes_per_frame) as f64 / f64::from(settings.sample_rate),
        });
    }
    let file = std::fs::File::create(path)
        .map_err(|e| RenderError::Io(format!("cannot create {}: {e}", path.display())))?;
    let spec = hound::WavSpec {
        channels: channels as u16,
        sample_rate: settings.sample_rate,
        bits_per_sample: match settings.format {
            SampleFormat::F32 => 32,
            SampleFormat::S16 => 16,
            SampleFormat::S24 => 24,
        },
        sample_format: match settings.format {
            SampleFormat::F32 => hound::SampleFormat::Float,
            _ => hound::SampleFormat::Int,
        },
    };
    let io_error =
        |e: hound::Error| RenderError::Io(format!("cannot write {}: {e}", path.display()));
    let mut writer = hound::WavWriter::new(BufWriter::new(file), spec).map_err(io_error)?;
    let rendered = run_offline(
        graph,
        bank,
        settings,
        output_names,
        |block, frames| -> Result<(), hound::Error> {
            for i in 0..frames {
                // Multi-out skips the main pair.
                let first = if settings.multi_out { 2 } else { 0 };
                for channel in &block[first..first + channels] {
                    write_sample(&mut writer, settings.format, channel[i])?;
                }
            }
            Ok(())
        },
        progress,
    )
    .and_then(|summary| writer.finalize().map(|()| summary).map_err(io_error));
    match rendered {
        Ok(mut summary) => {
            summary.channels = channels as u16;
            Ok(summary)
        }
        Err(e) => {
            // A full disk fails the write and the header update behind it, leaving sizes of 0:
            // give the file the sizes of what reached it, so it plays up to there.
            if let Err(repair) = repair_wav_sizes(path) {
                return Err(RenderError::Io(format!(
                    "{e} (and the file's header could not be fixed: {repair})"
                )));
            }
            match e {
                RenderError::Io(e) => Err(RenderError::Io(format!(
                    "{e}; {} plays what was written before",
                    path.display()
                ))),
                e => Err(e),
            }
        }
    }
}

/// Sets a WAV file's RIFF and data sizes from its length, after cutting it to whole frames.
/// Writes only inside the header, so it works on a disk with no room left.
pub fn repair_wav_sizes(path: &Path) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)?;
    let mut head = [0u8; 256];
    let read = file.read(&mut head)?;
    let head = &head[..read];
    let bad = || std::io::Error::other("not a WAV file this renderer wrote");
    if !head.starts_with(b"RIFF") || head.get(8..12) != Some(b"WAVE") {
        return Err(bad());
    }
    let u16_at = |k: usize| head.get(k..k + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let fmt = head.windows(4).position(|w| w == b"fmt ").ok_or_else(bad)?;
    // The fmt chunk's block align: bytes per frame.
    let frame = u64::from(u16_at(fmt + 20).ok_or_else(bad)?.max(1));
    let data = head.windows(4).position(|w| w == b"data").ok_or_else(bad)?;
    let start = data as u64 + 8;
    let length = file.metadata()?.len().max(start);
    let bytes = (length - start) / frame * frame;
    file.set_len(start + bytes)?;
    let riff = u32::try_from(start + bytes - 8).map_err(|_| bad())?;
    file.seek(SeekFrom::Start(4))?;
    file.write_all(&riff.to_le_bytes())?;
    file.seek(SeekFrom::Start(data as u64 + 4))?;
    file.write_all(&(bytes as u32).to_le_bytes())?;
    file.sync_data()
}

fn write_sample<W: Write + std::io::Seek>(
    writer: &mut hound::WavWriter<W>,
    format: SampleFormat,
    x: f32,
) -> Result<(), hound::Error> {
    match format {
        SampleFormat::F32 => writer.write_sample(x),
        SampleFormat::S16 => writer.write_sample((x * 32_767.0).round() as i16),
        SampleFormat::S24 => writer.write_sample((x * 8_388_607.0).round() as i32),
    }
}

/// Runs the engine offline over `settings.length`, handing each block's channels (main pair,
/// then a pair per entry of `output_names`) to `sink`, and times every block.
pub fn run_offline<E>(
    graph: &Graph,
    bank: Arc<SampleBank>,
    settings: &RenderSettings,
    output_names: Vec<String>,
    mut sink: impl FnMut(&[Vec<f32>], usize) -> Result<(), E>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<RenderSummary, RenderError>
where
    RenderError: From<E>,
{
    let block_size = settings.block_size.max(1);
    let pairs = output_names.len();
    let (mut engine, mut controller) = engine(
        EngineConfig {
            sample_rate: settings.sample_rate,
            max_block: block_size,
            workers: settings.threads.max(1),
            pin_cores: settings.threads > 1,
            gain: settings.gain,
            output_names,
            meter_nodes: settings.meter_nodes,
            ..EngineConfig::default()
        },
        bank,
    )
    .map_err(|e| RenderError::Io(format!("cannot start the worker threads: {e}")))?;
    controller.load(graph).map_err(RenderError::Load)?;
    let total = frames_for(settings.length, settings.sample_rate, graph.cps);
    let mut block: Vec<Vec<f32>> = (0..2 + 2 * pairs).map(|_| vec![0.0; block_size]).collect();
    let mut summary = RenderSummary::default();
    let mut done = 0u64;
    while done < total {
        let frames = (total - done).min(block_size as u64) as usize;
        let started = Instant::now();
        {
            let mut outputs: Vec<&mut [f32]> = block.iter_mut().map(|b| &mut b[..]).collect();
            engine.process(frames, &[], &mut outputs);
        }
        if done >= settings.untimed_frames {
            summary.block_times.record(started.elapsed());
        }
        for channel in &block {
            for &x in &channel[..frames] {
                summary.peak = summary.peak.max(x.abs());
            }
        }
        sink(&block, frames)?;
        done += frames as u64;
        progress(done, total);
        for report in controller.reports() {
            summary.steals = report.steals;
            summary.clamps = report.clamps;
            summary.cut_queries = report.cut_queries;
            summary.arena_growths = report.arena_growths;
        }
        controller.collect();
    }
    summary.frames = total;
    if settings.meter_nodes {
        summary.nodes = controller.meters().map(|m| m.timings()).unwrap_or_default();
    }
    Ok(summary)
}

impl From<hound::Error> for RenderError {
    fn from(e: hound::Error) -> RenderError {
        RenderError::Io(format!("cannot write the WAV file: {e}"))
    }
}

impl From<std::convert::Infallible> for RenderError {
    fn from(e: std::convert::Infallible) -> RenderError {
        match e {}
    }
}
