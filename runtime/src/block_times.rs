//! Block times gathered in bounded memory: a count, a total, the longest, and a log-scale
//! histogram for percentiles, however many blocks are recorded (an hour of 16-frame blocks is
//! 10.8 million of them).

use std::time::Duration;

/// Histogram bins per doubling of the time: percentiles come out within 0.6%.
const BINS_PER_OCTAVE: f64 = 128.0;
/// Octaves of nanoseconds covered: up to 2^38 ns (about 275 s); longer blocks share the top.
const OCTAVES: usize = 38;

/// Statistics of a stream of block times.
#[derive(Clone, Debug, Default)]
pub struct BlockTimes {
    /// Blocks by ⌊log2(ns) × [`BINS_PER_OCTAVE`]⌋; empty until the first block.
    bins: Vec<u64>,
    count: u64,
    total: Duration,
    max: Duration,
}

impl BlockTimes {
    /// Adds one block's time.
    pub fn record(&mut self, time: Duration) {
        if self.bins.is_empty() {
            self.bins = vec![0; OCTAVES * BINS_PER_OCTAVE as usize + 1];
        }
        let ns = time.as_nanos().max(1) as f64;
        let bin = ((ns.log2() * BINS_PER_OCTAVE) as usize).min(self.bins.len() - 1);
        self.bins[bin] += 1;
        self.count += 1;
        self.total += time;
        self.max = self.max.max(time);
    }

    /// Blocks recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Their summed time.
    pub fn total(&self) -> Duration {
        self.total
    }

    /// The longest.
    pub fn max(&self) -> Duration {
        self.max
    }

    /// The mean, or zero without blocks.
    pub fn mean(&self) -> Duration {
        match self.count {
            0 => Duration::ZERO,
            n => Duration::from_secs_f64(self.total.as_secs_f64() / n as f64),
        }
    }

    /// The time below which a fraction `q` (0..=1) of the blocks fall: the lower edge of the
    /// bin holding that block, never above the longest. Zero without blocks.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        // The same rank as indexing the sorted times at ⌊count × q⌋.
        let rank = ((self.count as f64 * q.clamp(0.0, 1.0)) as u64).min(self.count - 1);
        let mut seen = 0;
        for (bin, &n) in self.bins.iter().enumerate() {
            seen += n;
            if seen > rank {
                let ns = (bin as f64 / BINS_PER_OCTAVE).exp2();
                return Duration::from_nanos(ns as u64).min(self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_a_bin_of_the_sorted_times() {
        let mut times = BlockTimes::default();
        assert_eq!(times.quantile(0.99), Duration::ZERO);
        let all: Vec<Duration> = (1..=10_000u64)
            .map(|k| Duration::from_nanos(1_000 + (k * 7_919) % 250_000))
            .collect();
        for &t in &all {
            times.record(t);
        }
        let mut sorted = all.clone();
        sorted.sort();
        for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
            let exact = sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)];
            let got = times.quantile(q);
            let ratio = got.as_secs_f64() / exact.as_secs_f64();
            assert!(
                (0.994..=1.0).contains(&ratio),
                "q {q}: {got:?} vs {exact:?}"
            );
        }
        assert_eq!(times.count(), 10_000);
        assert_eq!(times.max(), *sorted.last().unwrap());
        assert_eq!(times.total(), all.iter().sum::<Duration>());
    }

    #[test]
    fn memory_does_not_grow_with_the_blocks() {
        let mut times = BlockTimes::default();
        times.record(Duration::from_micros(10));
        let bins = times.bins.capacity();
        let mut longest = Duration::from_micros(10);
        for k in 0..1_000_000u64 {
            let t = Duration::from_nanos(k * 1_000_003 % 900_000_000_000);
            longest = longest.max(t);
            times.record(t);
        }
        assert_eq!(times.bins.capacity(), bins);
        assert_eq!(times.max(), longest);
        assert!(times.quantile(1.0) <= longest);
    }
}
