//! The audio thread's end of a recording: hands each period's channels to the disk thread
//! through two lock-free rings, or counts the period as dropped when they are full.

use ringbuf::traits::{Observer, Producer};
use ringbuf::{HeapCons, HeapProd};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What the disk thread learns of one period before reading its samples.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BlockHeader {
    /// The engine's program generation that played it (which names the pairs have).
    pub generation: u64,
    /// Its length.
    pub frames: u32,
    /// Frames dropped since the period before (the rings were full): silence in the files.
    pub dropped_before: u64,
    /// The pairs whose samples follow the main pair's (bit `k`: pair `k`).
    pub pairs: u64,
}

/// Counters the audio and disk threads keep for the control thread.
#[derive(Default)]
pub(crate) struct Counters {
    /// Frames the audio thread could not hand over.
    pub dropped: AtomicU64,
    /// Frames of the main mix on disk (holes included).
    pub written: AtomicU64,
    /// Files that stopped on a write error.
    pub failed_files: AtomicU64,
}

/// The audio thread's end of a recording. [`Tap::push`] allocates nothing, takes no lock and
/// makes no system call.
pub struct Tap {
    headers: HeapProd<BlockHeader>,
    samples: HeapProd<f32>,
    /// The pairs to record, set by the control thread.
    pairs: Arc<AtomicU64>,
    counters: Arc<Counters>,
    /// Frames dropped since the last period handed over.
    dropped: u64,
}

/// The disk thread's end of a [`Tap`].
pub(crate) struct TapReader {
    pub headers: HeapCons<BlockHeader>,
    pub samples: HeapCons<f32>,
}

impl Tap {
    pub(crate) fn new(
        headers: HeapProd<BlockHeader>,
        samples: HeapProd<f32>,
        pairs: Arc<AtomicU64>,
        counters: Arc<Counters>,
    ) -> Tap {
        Tap {
            headers,
            samples,
            pairs,
            counters,
            dropped: 0,
        }
    }

    /// The highest pair recorded, plus one: the caller hands over at least `2 + 2 * this`
    /// channels.
    pub fn pairs_in_use(&self) -> usize {
        64 - self.pairs.load(Ordering::Relaxed).leading_zeros() as usize
    }

    /// Hands over one period of `frames` frames: `channels[0]` and `[1]` the main mix, then
    /// each pair's two (a channel missing or shorter than `frames` is recorded as silence).
    /// `generation` is the program that played it.
    pub fn push<C: AsRef<[f32]>>(&mut self, generation: u64, frames: usize, channels: &[C]) {
        let pairs = self.pairs.load(Ordering::Relaxed);
        let count = 2 + 2 * pairs.count_ones() as usize;
        if self.headers.is_full() || self.samples.vacant_len() < count * frames {
            self.dropped += frames as u64;
            self.counters
                .dropped
                .fetch_add(frames as u64, Ordering::Relaxed);
            return;
        }
        let wanted = (0..2).chain(
            (0..64)
                .filter(|k| pairs & (1 << k) != 0)
                .flat_map(|k| [2 + 2 * k, 3 + 2 * k]),
        );
        for c in wanted {
            let samples = channels.get(c).map_or(&[][..], |s| s.as_ref());
            let have = samples.len().min(frames);
            self.samples.push_slice(&samples[..have]);
            self.samples
                .push_iter(std::iter::repeat_n(0.0, frames - have));
        }
        let header = BlockHeader {
            generation,
            frames: frames as u32,
            dropped_before: std::mem::take(&mut self.dropped),
            pairs,
        };
        let _ = self.headers.try_push(header);
    }
}
