//! Each orbit's level, for SuperDirt's `/rms` replies (editors' meters): the audio thread adds
//! every block to its orbit's [`OrbitMeter`] with a few atomic operations and no lock; the
//! sending thread reads the peak since it last looked and the sums of squares since then.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// One orbit's level since it was last read, per channel.
#[derive(Debug, Default)]
pub struct OrbitMeter {
    /// The largest |sample| of each channel since the last [`OrbitMeter::take`], as f32 bits:
    /// non-negative floats order as their bits do, so `fetch_max` keeps the largest.
    peak: [AtomicU32; 2],
    /// Running sums of squares of each channel, as f64 bits (one writer: the orbit).
    squares: [AtomicU64; 2],
    /// Frames added so far.
    frames: AtomicU64,
}

/// What an [`OrbitMeter`] held at one reading.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Reading {
    /// The peak of each channel since the reading before.
    pub peak: [f32; 2],
    /// The running sums of squares of each channel.
    pub squares: [f64; 2],
    /// The running count of frames.
    pub frames: u64,
}

impl Reading {
    /// The RMS of each channel between `earlier` and this reading (0 with no frames between).
    pub fn rms_since(&self, earlier: &Reading) -> [f32; 2] {
        let frames = self.frames.saturating_sub(earlier.frames);
        if frames == 0 {
            return [0.0; 2];
        }
        [0, 1].map(|c| {
            let sum = (self.squares[c] - earlier.squares[c]).max(0.0);
            (sum / frames as f64).sqrt() as f32
        })
    }
}

impl OrbitMeter {
    /// Adds a block of the orbit's output. Audio thread; lock-free.
    pub fn add(&self, left: &[f32], right: &[f32]) {
        for (c, channel) in [left, right].into_iter().enumerate() {
            let (peak, sum) = peak_and_squares(channel);
            if peak.is_finite() {
                self.peak[c].fetch_max(peak.to_bits(), Ordering::Relaxed);
            }
            if sum.is_finite() {
                let total = f64::from_bits(self.squares[c].load(Ordering::Relaxed)) + sum;
                self.squares[c].store(total.to_bits(), Ordering::Relaxed);
            }
        }
        self.frames
            .fetch_add(left.len().min(right.len()) as u64, Ordering::Release);
    }

    /// Adds `frames` frames of silence: what [`OrbitMeter::add`] of zeros does, without
    /// reading them. Audio thread; lock-free.
    pub fn add_silence(&self, frames: usize) {
        self.frames.fetch_add(frames as u64, Ordering::Release);
    }

    /// The peaks since the last call (which starts them again) and the running sums.
    pub fn take(&self) -> Reading {
        let frames = self.frames.load(Ordering::Acquire);
        Reading {
            peak: [0, 1].map(|c| f32::from_bits(self.peak[c].swap(0, Ordering::Relaxed))),
            squares: [0, 1].map(|c| f64::from_bits(self.squares[c].load(Ordering::Relaxed))),
            frames,
        }
    }
}

/// Lanes the meter sums in: independent sums the compiler can keep in vector registers (one
/// running sum would have to be added in order, a sample at a time).
const LANES: usize = 8;

/// A channel's peak (NaN left out) and sum of squares (NaN or infinite if a sample is, which
/// the meter then leaves out). A block's sum is short enough for single precision; the running
/// total is kept in double.
fn peak_and_squares(channel: &[f32]) -> (f32, f64) {
    let mut peaks = [0.0f32; LANES];
    let mut sums = [0.0f32; LANES];
    let chunks = channel.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for k in 0..LANES {
            peaks[k] = peaks[k].max(chunk[k].abs());
            sums[k] += chunk[k] * chunk[k];
        }
    }
    for (k, &x) in rest.iter().enumerate() {
        peaks[k] = peaks[k].max(x.abs());
        sums[k] += x * x;
    }
    let peak = peaks.into_iter().fold(0.0f32, f32::max);
    (peak, sums.into_iter().map(f64::from).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_gives_the_peak_and_rms_since_the_last() {
        let meter = OrbitMeter::default();
        let first = meter.take();
        meter.add(&[0.5, -0.5, 0.5, -0.5], &[0.0, 0.25, 0.0, -1.0]);
        let second = meter.take();
        assert_eq!(second.peak, [0.5, 1.0]);
        let rms = second.rms_since(&first);
        assert!((rms[0] - 0.5).abs() < 1e-6, "{rms:?}");
        assert!((rms[1] - (1.0625f32 / 4.0).sqrt()).abs() < 1e-6, "{rms:?}");
        // Nothing since: no peak, no frames.
        let third = meter.take();
        assert_eq!(third.peak, [0.0, 0.0]);
        assert_eq!(third.rms_since(&second), [0.0, 0.0]);
    }

    #[test]
    fn silence_reads_as_zeros_do() {
        let (zeros, silence) = (OrbitMeter::default(), OrbitMeter::default());
        for meter in [&zeros, &silence] {
            meter.add(&[0.5, -0.25], &[0.125, 0.0]);
        }
        zeros.add(&[0.0; 128], &[0.0; 128]);
        silence.add_silence(128);
        assert_eq!(zeros.take(), silence.take());
    }

    #[test]
    fn the_lanes_give_the_sums_of_one_running_sum() {
        let channel: Vec<f32> = (0..131)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 64.0)
            .collect();
        let (peak, sum) = peak_and_squares(&channel);
        let naive: f64 = channel.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
        assert_eq!(peak, 50.0 / 64.0);
        assert!((sum - naive).abs() < 1e-6 * naive, "{sum} vs {naive}");
        let mut broken = channel.clone();
        broken[100] = f32::NAN;
        let (peak, sum) = peak_and_squares(&broken);
        assert_eq!(peak, 50.0 / 64.0, "a NaN is not a peak");
        assert!(sum.is_nan(), "nor a sum the meter keeps");
    }
}
