//! What the audio thread reports, gathered into the figures a musician watches: block times,
//! DSP load, voices, steals, clamps and xruns.

use runtime::BlockReport;
use std::time::Duration;

/// Block times in whole microseconds up to this; longer ones share the last bin.
const HISTOGRAM_MICROS: usize = 100_000;

/// Block times and counters over a window, and totals since start.
#[derive(Default)]
pub struct Telemetry {
    window: Vec<Duration>,
    window_audio: f64,
    /// Blocks since start by time in µs: bounded memory however long phonon runs.
    histogram: Vec<u64>,
    blocks: u64,
    audio_seconds: f64,
    busy_seconds: f64,
    /// The most recent report.
    pub last: BlockReport,
    /// The most voices seen at once.
    pub max_voices: u32,
    /// Steals, summed over program generations.
    steals_before: u64,
    generation: u64,
    /// Blocks that took longer than their own duration.
    pub over_budget: u64,
    /// How soon a helper joined each block, by µs (bounded like `histogram`).
    joins: Vec<u64>,
    /// Blocks no helper joined.
    pub unjoined: u64,
    /// Blocks run with at least one helper taking part.
    pub helped: u64,
}

/// Percentile `p` (0..=100) of sorted times.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// Figures over a set of blocks.
pub struct Figures {
    /// Median block time.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Longest block.
    pub max: Duration,
    /// Time spent over the audio's duration, in percent.
    pub load: f64,
}

impl Telemetry {
    /// Takes in one block's report.
    pub fn add(&mut self, report: BlockReport, sample_rate: u32) {
        let seconds = f64::from(report.frames) / f64::from(sample_rate.max(1));
        if report.elapsed.as_secs_f64() > seconds {
            self.over_budget += 1;
        }
        self.window.push(report.elapsed);
        self.window_audio += seconds;
        if self.histogram.is_empty() {
            self.histogram = vec![0; HISTOGRAM_MICROS + 1];
        }
        let bin = (report.elapsed.as_micros() as usize).min(HISTOGRAM_MICROS);
        self.histogram[bin] += 1;
        match report.helper_join {
            Some(join) => {
                if self.joins.is_empty() {
                    self.joins = vec![0; HISTOGRAM_MICROS + 1];
                }
                self.joins[(join.as_micros() as usize).min(HISTOGRAM_MICROS)] += 1;
            }
            None => self.unjoined += 1,
        }
        self.blocks += 1;
        self.helped += u64::from(report.helpers > 0);
        self.audio_seconds += seconds;
        self.busy_seconds += report.elapsed.as_secs_f64();
        self.max_voices = self.max_voices.max(report.voices);
        if report.generation != self.generation {
            self.steals_before += self.last.steals;
            self.generation = report.generation;
        }
        self.last = report;
    }

    /// Voices stolen since start.
    pub fn steals(&self) -> u64 {
        self.steals_before + self.last.steals
    }

    fn figures(times: &mut [Duration], audio: f64) -> Figures {
        times.sort_unstable();
        let busy: f64 = times.iter().map(Duration::as_secs_f64).sum();
        Figures {
            p50: percentile(times, 50),
            p99: percentile(times, 99),
            max: times.last().copied().unwrap_or_default(),
            load: if audio > 0.0 {
                100.0 * busy / audio
            } else {
                0.0
            },
        }
    }

    /// Figures over the window since the last call, then starts a new window.
    pub fn take_window(&mut self) -> Figures {
        let figures = Self::figures(&mut self.window, self.window_audio);
        self.window.clear();
        self.window_audio = 0.0;
        figures
    }

    /// Figures over everything so far (times to the microsecond).
    pub fn total(&self) -> Figures {
        let at = |p: u64| quantile(&self.histogram, p);
        let max = self
            .histogram
            .iter()
            .rposition(|&n| n > 0)
            .map_or(Duration::ZERO, |m| Duration::from_micros(m as u64));
        Figures {
            p50: at(50),
            p99: at(99),
            max,
            load: if self.audio_seconds > 0.0 {
                100.0 * self.busy_seconds / self.audio_seconds
            } else {
                0.0
            },
        }
    }

    /// The load in percent since `mark` (busy and audio seconds then), and moves the mark.
    pub fn load_since(&self, mark: &mut (f64, f64)) -> f64 {
        let busy = self.busy_seconds - mark.0;
        let audio = self.audio_seconds - mark.1;
        *mark = (self.busy_seconds, self.audio_seconds);
        if audio > 0.0 {
            100.0 * busy / audio
        } else {
            0.0
        }
    }

    /// Blocks reported so far.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// The median and 99th percentile of how soon a helper joined a block, over the blocks a
    /// helper joined.
    pub fn joins(&self) -> Option<(Duration, Duration)> {
        if self.joins.is_empty() {
            return None;
        }
        Some((quantile(&self.joins, 50), quantile(&self.joins, 99)))
    }

    /// The share of blocks helpers took part in, in percent.
    pub fn helped_percent(&self) -> f64 {
        100.0 * self.helped as f64 / self.blocks.max(1) as f64
    }

    /// Times the audio thread had to wake a parked helper.
    pub fn helper_wakes(&self) -> u64 {
        self.last.helper_wakes
    }

    /// Jobs the audio thread took back from stalled helpers, and blocks in which it had to
    /// give its CPU to one.
    pub fn stalls(&self) -> (u64, u64) {
        (self.last.taken_back, self.last.stalled_blocks)
    }
}

/// The `p`th percentile of a histogram of whole microseconds.
fn quantile(histogram: &[u64], p: u64) -> Duration {
    let count: u64 = histogram.iter().sum();
    let rank = (count * p / 100).min(count.saturating_sub(1));
    let mut seen = 0;
    for (micros, &n) in histogram.iter().enumerate() {
        seen += n;
        if seen > rank {
            return Duration::from_micros(micros as u64);
        }
    }
    Duration::ZERO
}

/// Microseconds, for display.
pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
