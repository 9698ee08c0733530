//! An orbit of `phonon dirt` as a node of the engine's program: each block it takes the events
//! its inbox was handed (each with its frame) and plays them through `dsp`'s
//! [`Orbit`] — the same voices, laws and effects as a patch's sampler. One
//! orbit is one job of the scheduler; orbits render in parallel.

use crate::router::{DirtStats, Start};
use crate::sounds::{SoundTable, TableSound};
use dsp::blocks::laws::DIRT_AMP;
use dsp::blocks::pool::MAX_BLOCK;
use dsp::voice::Orbit;
use dsp::{downcast, Carry, Context, In, Node, VoiceCount};
use ringbuf::traits::Consumer;
use ringbuf::HeapCons;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// Voices an orbit plays at once unless told otherwise; past them the oldest is stolen (faded
/// out over 5 ms and counted). 256 hold 50 ms sounds at 5,000 events a second on one orbit:
/// Tidal's densest sets at 16,000 a second over four orbits.
pub const VOICES: usize = 256;
/// Events an orbit can start in one block (the rest are dropped and counted).
pub const STARTS: usize = 256;

/// One orbit.
pub struct OrbitNode {
    sample_rate: f32,
    orbit: Orbit,
    sounds: Arc<SoundTable>,
    stats: Arc<DirtStats>,
    /// Where the router hands this orbit its events (taken over across program swaps).
    inbox: Option<HeapCons<Start>>,
    /// Events of the coming blocks: frames counted from the start of the next block.
    starts: Box<[Start]>,
    starting: usize,
    /// Its place among the orbits: its meter in `stats`.
    index: usize,
    /// The last block was the silence of an orbit at rest.
    silent: bool,
}

impl OrbitNode {
    /// An orbit of `voices` voices playing `sounds`, reading `inbox` (none: it takes its
    /// predecessor's). Allocates.
    pub fn new(
        sample_rate: f32,
        voices: usize,
        sounds: Arc<SoundTable>,
        stats: Arc<DirtStats>,
        inbox: Option<HeapCons<Start>>,
        index: usize,
    ) -> OrbitNode {
        let blank = crate::DirtEvent {
            at: None,
            sample: 0,
            orbit: 0,
            values: Default::default(),
        };
        OrbitNode {
            sample_rate,
            orbit: Orbit::new(sample_rate, voices.max(1), DIRT_AMP),
            sounds,
            stats,
            inbox,
            starts: vec![(0, blank); STARTS].into_boxed_slice(),
            starting: 0,
            index,
            silent: false,
        }
    }

    /// Takes what the inbox holds into the list of starts, in time order, so a later event
    /// cuts an earlier one of the same block.
    fn take_inbox(&mut self) {
        if let Some(inbox) = self.inbox.as_mut() {
            while let Some(start) = inbox.try_pop() {
                if self.starting == self.starts.len() {
                    self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                    self.stats.played.fetch_sub(1, Ordering::Relaxed);
                    continue;
                }
                self.starts[self.starting] = start;
                self.starting += 1;
            }
        }
        // An insertion sort: stable, in place, and a block holds few starts.
        let starts = &mut self.starts[..self.starting];
        for k in 1..starts.len() {
            let mut j = k;
            while j > 0 && starts[j - 1].0 > starts[j].0 {
                starts.swap(j - 1, j);
                j -= 1;
            }
        }
    }
}

impl Node for OrbitNode {
    fn process(&mut self, ctx: &Context<'_>, _: &[In<'_>], out: &mut [&mut [f32]]) {
        self.take_inbox();
        let frames = ctx.frames;
        let [left, right, ..] = out else { return };
        let meter = self.stats.meters.get(self.index);
        self.silent = self.starting == 0 && self.orbit.is_at_rest();
        if self.silent {
            left[..frames].fill(0.0);
            right[..frames].fill(0.0);
            if let Some(meter) = meter {
                meter.add_silence(frames);
            }
            return;
        }
        let mut next = 0;
        let mut piece_start = 0;
        while piece_start < frames {
            let n = (frames - piece_start).min(MAX_BLOCK);
            while next < self.starting && (self.starts[next].0 as usize) < piece_start + n {
                let (frame, event) = self.starts[next];
                next += 1;
                let at = (frame as usize).saturating_sub(piece_start);
                if event.sample == crate::event::PANIC {
                    self.orbit.hush(at);
                    continue;
                }
                match self.sounds.sound(event.sample) {
                    Some(TableSound::Sample(sample)) => self.orbit.start(at, sample, &event.values),
                    Some(TableSound::Synth(instrument)) => {
                        self.orbit.start_instrument(at, instrument, &event.values)
                    }
                    None => {}
                }
            }
            let piece = Context::new(self.sample_rate, n, ctx.span, ctx.arena);
            let to = piece_start..piece_start + n;
            self.orbit
                .render(&piece, [&mut left[to.clone()], &mut right[to]]);
            piece_start += n;
        }
        if let Some(meter) = meter {
            meter.add(&left[..frames], &right[..frames]);
        }
        // Events for a later block (the engine split a long call into blocks) wait for it.
        let mut kept = 0;
        for k in next..self.starting {
            let (frame, event) = self.starts[k];
            self.starts[kept] = (frame - frames as u32, event);
            kept += 1;
        }
        self.starting = kept;
    }

    /// Takes over the older orbit's voices, effect tails, inbox and waiting starts, so an edit
    /// of the patch beside it neither cuts a sound nor loses an event.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<OrbitNode>(old) {
            self.orbit.take_over(&mut old.orbit);
            if self.inbox.is_none() {
                self.inbox = old.inbox.take();
            }
            std::mem::swap(&mut self.starts, &mut old.starts);
            self.starting = std::mem::take(&mut old.starting);
        }
        Carry::Taken
    }

    fn is_silent(&self) -> bool {
        self.silent
    }

    fn voices(&self) -> Option<VoiceCount> {
        Some(self.orbit.voices())
    }
}

/// The hosted nodes of `orbits` orbits playing `sounds`, each reading its inbox of `inboxes`
/// (in orbit order), to add to a program with [`crate::add_orbits`].
pub fn hosted(
    voices: usize,
    sounds: &Arc<SoundTable>,
    stats: &Arc<DirtStats>,
    inboxes: Vec<HeapCons<Start>>,
) -> Vec<dsp::Hosted> {
    inboxes
        .into_iter()
        .enumerate()
        .map(|(k, inbox)| {
            let (sounds, stats) = (sounds.clone(), stats.clone());
            // The first node made takes the inbox; later ones take it from the node they
            // replace.
            let inbox = Mutex::new(Some(inbox));
            dsp::Hosted {
                label: "orbit",
                index: k as u8,
                make: Arc::new(move |setup: &dsp::Setup| {
                    let inbox = inbox.lock().ok().and_then(|mut slot| slot.take());
                    Box::new(OrbitNode::new(
                        setup.sample_rate,
                        voices,
                        sounds.clone(),
                        stats.clone(),
                        inbox,
                        k,
                    )) as Box<dyn Node>
                }),
            }
        })
        .collect()
}
