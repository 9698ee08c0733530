//! The audio side of `phonon dirt`'s events: they come from the receive thread through a
//! `ringbuf` queue, wait in a fixed table until their block, and are handed, each with its exact
//! frame, to the inbox of the orbit that plays it (an [`OrbitNode`](crate::orbit::OrbitNode) of
//! the program). After start-up it allocates nothing, takes no lock and makes no blocking call.

use crate::event::{DirtEvent, MIDI_TARGET, PANIC};
use dsp::midi_out::{MidiOut, NoteLength};
use pattern::Control;
use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Events the queue from the receive thread holds.
pub const QUEUE: usize = 16_384;
/// Events waiting for their frame (up to the longest lead a client gives).
pub const PENDING: usize = 16_384;
/// Events one orbit can be handed for one block.
pub const INBOX: usize = 512;
/// Events later than this are dropped rather than played (µs).
const TOO_LATE: f64 = 2_000_000.0;
/// Events further ahead than this are dropped (µs).
const TOO_EARLY: f64 = 60_000_000.0;
/// Events later than this count as late (µs): less is the jitter of JACK's period estimates.
const LATE: f64 = 1_000.0;
/// Events due further ahead than this are far (µs): clients send 0.1–0.5 s ahead.
const FAR_AHEAD: f64 = 2_000_000.0;
/// The most far events the pending table holds, so events due soon always find room there
/// however many far ones a client sends.
pub const FAR_ROOM: usize = PENDING / 4;

/// An event handed to an orbit: the frame of the coming `process` call it starts on.
pub type Start = (u32, DirtEvent);

/// What the audio thread counts, read by the control thread.
#[derive(Default)]
pub struct DirtStats {
    /// Events started.
    pub played: AtomicU64,
    /// Events that arrived after their time and were played at once.
    pub late: AtomicU64,
    /// Events dropped: the queue or a block was full, or far too late or early.
    pub dropped: AtomicU64,
    /// Of `dropped`, events due more than two seconds ahead refused while [`FAR_ROOM`] of
    /// them were already waiting.
    pub refused_far: AtomicU64,
    /// Each orbit's level, for `/rms` (none unless made [`DirtStats::metering`]).
    pub meters: Box<[crate::meter::OrbitMeter]>,
}

impl DirtStats {
    /// Counters with a meter for each of `orbits` orbits.
    pub fn metering(orbits: usize) -> DirtStats {
        DirtStats {
            meters: (0..orbits).map(|_| Default::default()).collect(),
            ..DirtStats::default()
        }
    }

    fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// The receive thread's end of the event queue.
pub struct EventSender {
    queue: HeapProd<DirtEvent>,
    stats: Arc<DirtStats>,
}

impl EventSender {
    /// Queues `event`; when the queue is full it is counted as dropped and false is returned.
    pub fn send(&mut self, event: DirtEvent) -> bool {
        if self.queue.try_push(event).is_err() {
            DirtStats::count(&self.stats.dropped);
            return false;
        }
        true
    }
}

/// The audio thread's end: call [`EventRouter::route`] before each `process` of the engine.
pub struct EventRouter {
    queue: HeapCons<DirtEvent>,
    pending: Box<[DirtEvent]>,
    waiting: usize,
    /// Waiting events that were far at the last count (they only come nearer).
    far: usize,
    inboxes: Box<[HeapProd<Start>]>,
    stats: Arc<DirtStats>,
}

/// The queue between the receive thread and the router, and the orbits' inboxes: the sender,
/// the router and each orbit's inbox, counting into `stats`.
pub fn channel(
    orbits: usize,
    stats: Arc<DirtStats>,
) -> (EventSender, EventRouter, Vec<HeapCons<Start>>) {
    let (producer, consumer) = HeapRb::new(QUEUE).split();
    let blank = DirtEvent {
        at: None,
        sample: 0,
        orbit: 0,
        values: Default::default(),
    };
    let (inboxes, outlets): (Vec<_>, Vec<_>) = (0..orbits.max(1))
        .map(|_| HeapRb::<Start>::new(INBOX).split())
        .unzip();
    let router = EventRouter {
        queue: consumer,
        pending: vec![blank; PENDING].into_boxed_slice(),
        waiting: 0,
        far: 0,
        inboxes: inboxes.into_boxed_slice(),
        stats: stats.clone(),
    };
    let sender = EventSender {
        queue: producer,
        stats: stats.clone(),
    };
    (sender, router, outlets)
}

impl EventRouter {
    /// Hands every event due in the `frames` frames whose first is at monotonic time `start`
    /// (µs), each frame `micros_per_frame` long, to its orbit's inbox at its frame, or to `midi`
    /// if it is for the MIDI port ([`MIDI_TARGET`]; dropped without one); later events wait,
    /// hopeless ones are dropped and counted.
    pub fn route(
        &mut self,
        start: f64,
        micros_per_frame: f64,
        frames: usize,
        midi: Option<&mut MidiOut>,
    ) {
        self.take_queued(start);
        if self.waiting == self.pending.len() && !self.queue.is_empty() {
            // Nowhere to wait: the oldest of the queue go.
            let dropped = self.queue.clear();
            self.stats
                .dropped
                .fetch_add(dropped as u64, Ordering::Relaxed);
        }
        if frames > 0 {
            self.assign(start, micros_per_frame, frames, midi);
        }
    }

    /// Moves queued events into the pending table; far ones only while fewer than
    /// [`FAR_ROOM`] wait, the rest are refused and counted.
    fn take_queued(&mut self, now: f64) {
        while self.waiting < self.pending.len() {
            let Some(event) = self.queue.try_pop() else {
                break;
            };
            if event.at.is_some_and(|t| t as f64 - now > FAR_AHEAD) {
                if self.far >= FAR_ROOM {
                    DirtStats::count(&self.stats.dropped);
                    DirtStats::count(&self.stats.refused_far);
                    continue;
                }
                self.far += 1;
            }
            self.pending[self.waiting] = event;
            self.waiting += 1;
        }
    }

    /// Hands each waiting event due in this block to its orbit, at its frame, and counts the
    /// far ones left waiting.
    fn assign(
        &mut self,
        block_start: f64,
        micros_per_frame: f64,
        n: usize,
        mut midi: Option<&mut MidiOut>,
    ) {
        self.far = 0;
        let mut k = 0;
        while k < self.waiting {
            let event = self.pending[k];
            let ahead = event.at.map_or(0.0, |t| t as f64 - block_start);
            let offset = ahead / micros_per_frame;
            let due = offset < n as f64;
            let hopeless = !(-TOO_LATE..=TOO_EARLY).contains(&ahead);
            if !(due || hopeless) {
                self.far += usize::from(ahead > FAR_AHEAD);
                k += 1;
                continue;
            }
            self.waiting -= 1;
            self.pending[k] = self.pending[self.waiting];
            if hopeless {
                DirtStats::count(&self.stats.dropped);
                continue;
            }
            if ahead < -LATE {
                DirtStats::count(&self.stats.late);
            }
            let frame = offset.round().clamp(0.0, (n - 1) as f64) as u32;
            if event.sample == MIDI_TARGET {
                match midi.as_deref_mut() {
                    Some(midi) => {
                        // SuperDirt's event length: `delta` seconds, 1 when unsent.
                        let seconds = event.values.or(Control::Delta, 1.0);
                        midi.play(frame, &event.values, seconds, NoteLength::SuperDirt);
                        DirtStats::count(&self.stats.played);
                    }
                    None => DirtStats::count(&self.stats.dropped),
                }
                continue;
            }
            if event.sample == PANIC {
                // `superpanic` stops every orbit.
                let mut reached = true;
                for inbox in self.inboxes.iter_mut() {
                    reached &= inbox.try_push((frame, event)).is_ok();
                }
                DirtStats::count(if reached {
                    &self.stats.played
                } else {
                    &self.stats.dropped
                });
                continue;
            }
            let orbit = usize::from(event.orbit) % self.inboxes.len();
            if self.inboxes[orbit].try_push((frame, event)).is_ok() {
                DirtStats::count(&self.stats.played);
            } else {
                DirtStats::count(&self.stats.dropped);
            }
        }
    }
}
