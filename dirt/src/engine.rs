//! The audio side: events from the receive thread through a `ringbuf` queue, each started on
//! its exact frame, every orbit rendered as one job of the scheduler's pool, the orbits mixed
//! into the main pair. After start-up it allocates nothing, takes no lock and makes no
//! blocking call.

use crate::event::DirtEvent;
use crate::orbit::DirtOrbit;
use crate::sounds::SoundTable;
use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use scheduler::{Pool, PoolConfig, Stages, ThreadStart};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

/// Events the queue from the receive thread holds.
pub const QUEUE: usize = 16_384;
/// Events waiting for their frame (up to the longest lead a client gives).
pub const PENDING: usize = 16_384;
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

/// How to build the engine.
#[derive(Clone)]
pub struct DirtConfig {
    /// Samples per second.
    pub sample_rate: u32,
    /// The longest block `process` is asked for at once (longer ones are split).
    pub max_block: usize,
    /// Orbits, each with its own ports.
    pub orbits: usize,
    /// Workers including the calling thread.
    pub workers: usize,
    /// Pin helpers to CPUs of their own.
    pub pin_cores: bool,
    /// Runs on each helper as it starts (real-time priority).
    pub on_thread_start: Option<ThreadStart>,
}

impl Default for DirtConfig {
    fn default() -> Self {
        DirtConfig {
            sample_rate: 48_000,
            max_block: 1024,
            orbits: 12,
            workers: 1,
            pin_cores: false,
            on_thread_start: None,
        }
    }
}

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
    /// Voices sounding after the last block.
    pub voices: AtomicU32,
    /// Voices stolen.
    pub steals: AtomicU64,
    /// Blocks rendered.
    pub blocks: AtomicU64,
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
            self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    }
}

/// The engine the audio thread runs.
pub struct DirtEngine {
    pool: Pool,
    stages: Stages,
    orbits: Box<[DirtOrbit]>,
    sounds: Arc<SoundTable>,
    queue: HeapCons<DirtEvent>,
    pending: Box<[DirtEvent]>,
    waiting: usize,
    /// Waiting events that were far at the last count (they only come nearer).
    far: usize,
    max_block: usize,
    stats: Arc<DirtStats>,
}

impl DirtEngine {
    /// The engine, its queue's sending end, and its counters. Allocates and starts the
    /// helper threads.
    pub fn new(
        config: DirtConfig,
        sounds: Arc<SoundTable>,
    ) -> std::io::Result<(DirtEngine, EventSender, Arc<DirtStats>)> {
        let orbits = config.orbits.max(1);
        let max_block = config.max_block.clamp(1, 1 << 16);
        let hook = config.on_thread_start.clone();
        let pool = Pool::new(PoolConfig {
            workers: config.workers.max(1),
            pin_cores: config.pin_cores,
            thread_name: "phonon-dirt".into(),
            on_thread_start: Some(Arc::new(move |worker| {
                dsp::flush_denormals();
                if let Some(hook) = &hook {
                    hook(worker);
                }
            })),
            ..PoolConfig::default()
        })?;
        let stages =
            Stages::from_widths(&[orbits]).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        let (producer, consumer) = HeapRb::new(QUEUE).split();
        let stats = Arc::new(DirtStats::default());
        let blank = DirtEvent {
            at: None,
            sample: 0,
            orbit: 0,
            values: Default::default(),
        };
        let engine = DirtEngine {
            pool,
            stages,
            orbits: (0..orbits)
                .map(|_| DirtOrbit::new(config.sample_rate, max_block))
                .collect(),
            sounds,
            queue: consumer,
            pending: vec![blank; PENDING].into_boxed_slice(),
            waiting: 0,
            far: 0,
            max_block,
            stats: stats.clone(),
        };
        let sender = EventSender {
            queue: producer,
            stats: stats.clone(),
        };
        Ok((engine, sender, stats))
    }

    /// Orbits.
    pub fn orbits(&self) -> usize {
        self.orbits.len()
    }

    /// The CPU kept for the calling thread when helpers are pinned.
    pub fn caller_cpu(&self) -> Option<usize> {
        self.pool.caller_cpu()
    }

    /// The helper threads as they started: where they run.
    pub fn helpers(&self) -> Vec<scheduler::HelperThread> {
        self.pool.helpers()
    }

    /// Renders `frames` frames whose first is at monotonic time `start` (µs), each frame
    /// `micros_per_frame` long: outputs are the main pair, then each orbit's pair (fewer
    /// slices leave the rest out).
    pub fn process(
        &mut self,
        start: f64,
        micros_per_frame: f64,
        frames: usize,
        outputs: &mut [&mut [f32]],
    ) {
        dsp::flush_denormals();
        self.take_queued(start);
        if self.waiting == self.pending.len() && !self.queue.is_empty() {
            // Nowhere to wait: the oldest of the queue go.
            let dropped = self.queue.clear();
            self.stats
                .dropped
                .fetch_add(dropped as u64, Ordering::Relaxed);
        }
        let mut done = 0;
        while done < frames {
            let n = (frames - done).min(self.max_block);
            let block_start = start + done as f64 * micros_per_frame;
            self.assign(block_start, micros_per_frame, n);
            self.render(n);
            for out in outputs.iter_mut() {
                let end = (done + n).min(out.len());
                if done < end {
                    out[done..end].fill(0.0);
                }
            }
            for orbit in self.orbits.iter() {
                for c in 0..2 {
                    let source = &orbit.out[c][..n];
                    if let Some(main) = outputs.get_mut(c) {
                        for (y, &x) in main[done..done + n].iter_mut().zip(source) {
                            *y += x;
                        }
                    }
                }
            }
            for (k, orbit) in self.orbits.iter().enumerate() {
                for c in 0..2 {
                    if let Some(port) = outputs.get_mut(2 + 2 * k + c) {
                        port[done..done + n].copy_from_slice(&orbit.out[c][..n]);
                    }
                }
            }
            done += n;
        }
        // The same output guard as a patch's: NaN silenced, runaways clamped, denormals flushed.
        for out in outputs.iter_mut() {
            let end = frames.min(out.len());
            dsp::clamp_output(&mut out[..end]);
        }
        let (mut voices, mut steals) = (0, 0);
        for orbit in self.orbits.iter() {
            let count = orbit.voices();
            voices += count.sounding as u32;
            steals += count.stolen;
        }
        self.stats.voices.store(voices, Ordering::Relaxed);
        self.stats.steals.store(steals, Ordering::Relaxed);
        self.stats.blocks.fetch_add(1, Ordering::Relaxed);
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
                    self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                    self.stats.refused_far.fetch_add(1, Ordering::Relaxed);
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
    fn assign(&mut self, block_start: f64, micros_per_frame: f64, n: usize) {
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
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if ahead < -LATE {
                self.stats.late.fetch_add(1, Ordering::Relaxed);
            }
            let frame = offset.round().clamp(0.0, (n - 1) as f64) as usize;
            let orbit = usize::from(event.orbit) % self.orbits.len();
            if self.orbits[orbit].queue(frame, event) {
                self.stats.played.fetch_add(1, Ordering::Relaxed);
            } else {
                self.stats.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn render(&mut self, n: usize) {
        let sounds = &*self.sounds;
        // Orbit k is job k. A panicking orbit is counted by the pool; the others still play.
        let _ = self
            .pool
            .run_each(&mut self.stages, &mut self.orbits, |orbit, ctx| {
                orbit.render(sounds, n, ctx.arena());
            });
    }
}
