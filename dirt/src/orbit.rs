//! An orbit of `phonon dirt`: the events due in the coming block, in time order, played by
//! `dsp`'s [`Orbit`](dsp::voice::Orbit) — the same voices, laws and effects as a patch's
//! sampler. One orbit is one job of the scheduler per block.

use crate::event::DirtEvent;
use crate::sounds::SoundTable;
use bumpalo::Bump;
use dsp::voice::laws::DIRT_AMP;
use dsp::voice::{Orbit, MAX_BLOCK};
use dsp::Context;
use pattern::{Span, Time};

/// Voices an orbit plays at once; past that the oldest is stolen.
pub const VOICES: usize = 64;
/// Events an orbit can start in one block.
pub const STARTS: usize = 256;

/// One orbit with its queue of starts.
pub(crate) struct DirtOrbit {
    sample_rate: f32,
    orbit: Orbit,
    starts: Box<[(usize, DirtEvent)]>,
    starting: usize,
    /// What the orbit plays this block.
    pub out: [Box<[f32]>; 2],
}

impl DirtOrbit {
    /// An orbit for blocks of up to `max_block` frames. Allocates.
    pub fn new(sample_rate: u32, max_block: usize) -> DirtOrbit {
        let sr = sample_rate as f32;
        let empty = DirtEvent {
            at: None,
            sample: 0,
            orbit: 0,
            values: Default::default(),
        };
        DirtOrbit {
            sample_rate: sr,
            orbit: Orbit::new(sr, VOICES, DIRT_AMP),
            starts: vec![(0, empty); STARTS].into_boxed_slice(),
            starting: 0,
            out: std::array::from_fn(|_| vec![0.0; max_block].into_boxed_slice()),
        }
    }

    /// Queues `event` to start at frame `offset` of the coming block; false if the block's
    /// queue is full.
    pub fn queue(&mut self, offset: usize, event: DirtEvent) -> bool {
        if self.starting == self.starts.len() {
            return false;
        }
        self.starts[self.starting] = (offset, event);
        self.starting += 1;
        true
    }

    /// Voices sounding after the last block, and stolen so far.
    pub fn voices(&self) -> dsp::VoiceCount {
        self.orbit.voices()
    }

    /// Starts the queued events on their frames and renders `frames` frames into `out`, in
    /// pieces of at most [`MAX_BLOCK`].
    pub fn render(&mut self, sounds: &SoundTable, frames: usize, arena: &Bump) {
        let frames = frames.min(self.out[0].len());
        // In time order, so that a later event cuts an earlier one of the same block: an
        // insertion sort, stable and in place (a block holds few starts).
        let starts = &mut self.starts[..self.starting];
        for k in 1..starts.len() {
            let mut j = k;
            while j > 0 && starts[j - 1].0 > starts[j].0 {
                starts.swap(j - 1, j);
                j -= 1;
            }
        }
        let mut next = 0;
        let mut piece_start = 0;
        while piece_start < frames {
            let n = (frames - piece_start).min(MAX_BLOCK);
            while next < self.starting && self.starts[next].0 < piece_start + n {
                let (offset, event) = &self.starts[next];
                next += 1;
                if let Some(sample) = sounds.shared(event.sample) {
                    let at = offset.saturating_sub(piece_start);
                    self.orbit.start(at, sample, &event.values);
                }
            }
            let ctx = Context::new(
                self.sample_rate,
                n,
                Span::new(Time::ZERO, Time::ZERO),
                arena,
            );
            let [left, right] = &mut self.out;
            let to = piece_start..piece_start + n;
            self.orbit
                .render(&ctx, [&mut left[to.clone()], &mut right[to]]);
            piece_start += n;
        }
        self.starting = 0;
    }
}
