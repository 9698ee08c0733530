//! `squiz`, SuperDirt's "weird mixture of filter, ring-modulator and pitch-shifter": the
//! `Squiz` UGen (sc3-plugins, Dan Stowell) as SuperDirt runs it, with its defaults of one
//! rise through zero per chunk and a tenth of a second of memory. Each chunk of the sound, from
//! one rise through zero to the next, is recorded, and played back from its start `squiz`
//! times as fast while the next one is recorded: past the recorded chunk it reads what the one
//! before left, and past the memory's end silence.

/// How much of the sound a chunk may hold, in seconds (SuperDirt leaves `memlen` at 0.1).
pub(crate) const MEMORY_SECONDS: f32 = 0.1;

/// One channel's memory and play-back head.
struct Channel {
    memory: Box<[f32]>,
    /// Where the next frame is recorded.
    write: usize,
    /// Where the play-back head is, in frames (read without interpolation, as the UGen).
    read: f32,
    before: f32,
}

/// The memory `squiz` needs for a stereo voice; an orbit lends it to the voices that ask.
pub(crate) struct Squiz {
    channels: [Channel; 2],
}

impl Squiz {
    /// Room for [`MEMORY_SECONDS`] at `sample_rate`. Allocates.
    pub(crate) fn new(sample_rate: f32) -> Squiz {
        let len = ((MEMORY_SECONDS * sample_rate) as usize).max(2);
        let channel = || Channel {
            memory: vec![0.0; len].into_boxed_slice(),
            write: 0,
            read: 0.0,
            before: 0.0,
        };
        Squiz {
            channels: [channel(), channel()],
        }
    }

    /// Forgets what an earlier event left, as a new UGen starts from silence.
    pub(crate) fn clear(&mut self) {
        for c in &mut self.channels {
            c.memory.fill(0.0);
            c.write = 0;
            c.read = 0.0;
            c.before = 0.0;
        }
    }

    /// One frame of channel `c` at pitch ratio `ratio` (held to 1 at least, as the UGen).
    pub(crate) fn tick(&mut self, c: usize, x: f32, ratio: f32) -> f32 {
        let ch = &mut self.channels[c];
        let len = ch.memory.len();
        let ratio = ratio.clamp(1.0, len as f32);
        let head = ch.read as usize;
        let y = if head < len {
            ch.read += ratio;
            ch.memory[head]
        } else {
            0.0
        };
        ch.write += 1;
        // A rise through zero, or a full memory, begins the next chunk: both heads go back.
        if ch.write == len || (ch.before < 0.0 && x >= 0.0) {
            ch.write = 0;
            ch.read = 0.0;
        }
        ch.memory[ch.write] = x;
        ch.before = x;
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::level_at;
    use std::f32::consts::TAU;

    #[test]
    fn ratio_one_plays_the_sound_a_frame_late() {
        let sr = 48_000.0;
        let mut squiz = Squiz::new(sr);
        let x: Vec<f32> = (0..4_800)
            .map(|i| (TAU * 220.0 * i as f32 / sr).sin())
            .collect();
        let y: Vec<f32> = x.iter().map(|&x| squiz.tick(0, x, 1.0)).collect();
        // The first chunk is read before the first rise through zero restarts the heads; from
        // there on each sample comes back one frame later.
        for i in 500..4_800 {
            assert!((y[i] - x[i - 1]).abs() < 1e-6, "{i}: {} {}", y[i], x[i - 1]);
        }
    }

    #[test]
    fn each_chunk_plays_ratio_times_as_fast_then_falls_silent() {
        let sr = 48_000.0;
        let mut squiz = Squiz::new(sr);
        let x: Vec<f32> = (0..48_000)
            .map(|i| (TAU * 100.0 * i as f32 / sr).sin())
            .collect();
        let y: Vec<f32> = x.iter().map(|&x| squiz.tick(0, x, 2.0)).collect();
        // A 100 Hz sine read twice as fast: each 10 ms chunk plays a cycle (the one before's)
        // in 5 ms, then reads past where anything was recorded: 200 Hz, gated at 100 Hz.
        let steady = &y[4_800..];
        let silent = steady.iter().filter(|&&v| v == 0.0).count() as f32 / steady.len() as f32;
        assert!((silent - 0.5).abs() < 0.01, "{silent}");
        let at = |f: f32| level_at(steady, f);
        // A 200 Hz sine gated by a 100 Hz square wave in step with it: the sine at half its
        // level, sidebands at 100 Hz (4/3π) and 300 Hz (4/5π).
        use std::f32::consts::PI;
        for (freq, expected) in [(200.0, 0.5), (100.0, 4.0 / (3.0 * PI)), (300.0, 0.8 / PI)] {
            assert!((at(freq) - expected).abs() < 0.01, "{freq}: {}", at(freq));
        }
    }

    #[test]
    fn past_its_memory_it_is_silent() {
        let sr = 48_000.0;
        let mut squiz = Squiz::new(sr);
        // A constant never rises through zero: each chunk fills the memory. The second reads
        // the first's at ratio 4, and runs past the memory's end a quarter of the way through.
        let len = 4_800;
        let y: Vec<f32> = (0..3 * len).map(|_| squiz.tick(1, 0.5, 4.0)).collect();
        assert!(y[len..len + len / 4].iter().all(|&v| v == 0.5));
        assert!(y[len + len / 4..2 * len].iter().all(|&v| v == 0.0));
    }
}
