//! Peak and RMS levels of what each output pair plays, measured on the audio thread and read
//! by the view: atomics only, so measuring takes no lock and allocates nothing.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// One channel's running figures: written by the audio thread alone.
#[derive(Default)]
struct ChannelLevel {
    /// The highest |sample| since the reader last took it (f32 bits: for non-negative floats
    /// the bits order as the values do, so `fetch_max` works on them).
    peak: AtomicU32,
    /// The sum of squares so far (f64 bits).
    energy: AtomicU64,
    /// Frames measured so far.
    frames: AtomicU64,
}

/// The levels of every channel the engine writes: the main pair, then each output's pair.
pub struct OutputLevels {
    channels: Box<[ChannelLevel]>,
}

/// A channel's level over the time since it was last read.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Level {
    /// The highest |sample|.
    pub peak: f32,
    /// The root mean square.
    pub rms: f32,
}

/// Where the reader left each channel's running sums.
#[derive(Default)]
pub struct LevelMarks(Vec<(f64, u64)>);

impl OutputLevels {
    /// Levels for `channels` channels.
    pub fn new(channels: usize) -> OutputLevels {
        OutputLevels {
            channels: (0..channels).map(|_| ChannelLevel::default()).collect(),
        }
    }

    /// Measures one period of each channel (audio thread).
    pub fn measure<C: AsRef<[f32]>>(&self, channels: &[C]) {
        for (level, samples) in self.channels.iter().zip(channels) {
            let samples = samples.as_ref();
            let (mut peak, mut energy) = (0.0f32, 0.0f64);
            for &x in samples {
                peak = peak.max(x.abs());
                energy += f64::from(x) * f64::from(x);
            }
            if !peak.is_finite() {
                continue;
            }
            level.peak.fetch_max(peak.to_bits(), Ordering::Relaxed);
            let sum = f64::from_bits(level.energy.load(Ordering::Relaxed)) + energy;
            level.energy.store(sum.to_bits(), Ordering::Relaxed);
            level
                .frames
                .fetch_add(samples.len() as u64, Ordering::Relaxed);
        }
    }

    /// Channel `k`'s level since the last reading with `marks` (control thread).
    pub fn read(&self, k: usize, marks: &mut LevelMarks) -> Level {
        let Some(level) = self.channels.get(k) else {
            return Level::default();
        };
        if marks.0.len() <= k {
            marks.0.resize(k + 1, (0.0, 0));
        }
        let peak = f32::from_bits(level.peak.swap(0, Ordering::Relaxed));
        let frames = level.frames.load(Ordering::Relaxed);
        let energy = f64::from_bits(level.energy.load(Ordering::Relaxed));
        let (energy_before, frames_before) = std::mem::replace(&mut marks.0[k], (energy, frames));
        let rms = match frames.saturating_sub(frames_before) {
            0 => 0.0,
            n => ((energy - energy_before).max(0.0) / n as f64).sqrt() as f32,
        };
        Level { peak, rms }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_gives_the_peak_and_rms_since_the_last() {
        let levels = OutputLevels::new(2);
        let mut marks = LevelMarks::default();
        levels.measure(&[vec![0.5, -1.0], vec![0.25; 2]]);
        levels.measure(&[vec![0.0, 0.0], vec![0.25; 2]]);
        let left = levels.read(0, &mut marks);
        assert_eq!(left.peak, 1.0);
        assert!((left.rms - (1.25f32 / 4.0).sqrt()).abs() < 1e-6);
        assert_eq!(levels.read(1, &mut marks).rms, 0.25);
        levels.measure(&[vec![0.1; 4], vec![0.0; 4]]);
        let left = levels.read(0, &mut marks);
        assert!((left.peak - 0.1).abs() < 1e-7 && (left.rms - 0.1).abs() < 1e-6);
        assert_eq!(levels.read(1, &mut marks), Level::default());
        assert_eq!(
            levels.read(7, &mut marks),
            Level::default(),
            "no such channel"
        );
    }
}
