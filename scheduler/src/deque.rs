//! A fixed-capacity Chase–Lev work-stealing deque of packed job ranges.
//!
//! Why not `crossbeam_deque`: its buffer grows and shrinks by allocating, and its stealers pin an
//! epoch whose collector may run deferred frees (including the registrations of threads that have
//! exited) on whichever thread steals. Either is an allocator call on the audio thread. Because
//! the pool pushes ranges and halves them (see [`Task`]), a worker's deque never holds more than
//! about log2(jobs) + 1 entries, so a fixed ring with no reclamation at all is enough, and loom
//! checks this very code.
//!
//! The algorithm and its orderings follow Lê, Pop, Cohen and Zappa Nardelli, "Correct and
//! efficient work-stealing for weak memory models" (PPoPP 2013), minus the resizing.

use crate::sync::{fence, Arc, AtomicIsize, AtomicU64, Ordering};
use crossbeam_utils::CachePadded;
use std::marker::PhantomData;

/// Slots per deque. Range halving bounds the depth by log2(2^24) + 1 = 25.
pub const CAPACITY: usize = 64;

/// A run of consecutive positions `lo..hi` in one stage of a [`crate::Stages`] job order.
///
/// Packed in 64 bits (stage: 16, lo: 24, hi: 24) so a slot is one atomic word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    /// The stage the positions belong to.
    pub stage: u32,
    /// The first position.
    pub lo: u32,
    /// One past the last position.
    pub hi: u32,
}

impl Task {
    fn pack(self) -> u64 {
        (u64::from(self.stage) << 48) | (u64::from(self.lo) << 24) | u64::from(self.hi)
    }

    fn unpack(word: u64) -> Self {
        Task {
            stage: (word >> 48) as u32,
            lo: ((word >> 24) & 0xff_ffff) as u32,
            hi: (word & 0xff_ffff) as u32,
        }
    }
}

struct Inner {
    top: CachePadded<AtomicIsize>,
    bottom: CachePadded<AtomicIsize>,
    slots: Box<[AtomicU64]>,
}

/// The owner's end of a deque: push and pop at the bottom. Only one thread holds it.
pub struct Local {
    inner: Arc<Inner>,
    _not_sync: PhantomData<std::cell::Cell<()>>,
}

/// A thief's end of a deque: take from the top. Any number of threads may share it.
#[derive(Clone)]
pub struct Stealer {
    inner: Arc<Inner>,
}

/// The outcome of one steal attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Steal {
    /// Nothing to take.
    Empty,
    /// Took this task.
    Success(Task),
    /// Lost a race with another thief or the owner; the deque may still hold work.
    Retry,
}

/// Makes an empty deque and its two ends. Allocates; call off the audio path.
pub fn new() -> (Local, Stealer) {
    let inner = Arc::new(Inner {
        top: CachePadded::new(AtomicIsize::new(0)),
        bottom: CachePadded::new(AtomicIsize::new(0)),
        slots: (0..CAPACITY).map(|_| AtomicU64::new(0)).collect(),
    });
    (
        Local {
            inner: inner.clone(),
            _not_sync: PhantomData,
        },
        Stealer { inner },
    )
}

const MASK: isize = CAPACITY as isize - 1;

impl Local {
    /// Pushes at the bottom, or hands the task back if the deque is full.
    pub fn push(&self, task: Task) -> Result<(), Task> {
        let inner = &*self.inner;
        let b = inner.bottom.load(Ordering::Relaxed);
        let t = inner.top.load(Ordering::Acquire);
        if b - t >= CAPACITY as isize {
            return Err(task);
        }
        inner.slots[(b & MASK) as usize].store(task.pack(), Ordering::Relaxed);
        // Publishes the slot to a thief that acquires `bottom`.
        inner.bottom.store(b + 1, Ordering::Release);
        Ok(())
    }

    /// Pops the most recently pushed task.
    pub fn pop(&self) -> Option<Task> {
        let inner = &*self.inner;
        let b = inner.bottom.load(Ordering::Relaxed) - 1;
        inner.bottom.store(b, Ordering::Relaxed);
        // Orders the claim on `b` against thieves reading `bottom` after claiming `top`.
        fence(Ordering::SeqCst);
        let t = inner.top.load(Ordering::Relaxed);
        if t > b {
            inner.bottom.store(b + 1, Ordering::Relaxed);
            return None;
        }
        let word = inner.slots[(b & MASK) as usize].load(Ordering::Relaxed);
        if t == b {
            // The last entry: race the thieves for it through `top`.
            let won = inner
                .top
                .compare_exchange(t, t + 1, Ordering::SeqCst, Ordering::Relaxed)
                .is_ok();
            inner.bottom.store(b + 1, Ordering::Relaxed);
            return won.then(|| Task::unpack(word));
        }
        Some(Task::unpack(word))
    }
}

impl Stealer {
    /// Tries to take the oldest task.
    pub fn steal(&self) -> Steal {
        let inner = &*self.inner;
        let t = inner.top.load(Ordering::Acquire);
        fence(Ordering::SeqCst);
        let b = inner.bottom.load(Ordering::Acquire);
        if t >= b {
            return Steal::Empty;
        }
        // A stale read here is harmless: the slot can only have been reused if `top` moved,
        // and then the exchange below fails and the value is discarded.
        let word = inner.slots[(t & MASK) as usize].load(Ordering::Relaxed);
        match inner
            .top
            .compare_exchange(t, t + 1, Ordering::SeqCst, Ordering::Relaxed)
        {
            Ok(_) => Steal::Success(Task::unpack(word)),
            Err(_) => Steal::Retry,
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn task(i: u32) -> Task {
        Task {
            stage: i % 7,
            lo: i,
            hi: i + 1,
        }
    }

    #[test]
    fn packing_round_trips_the_extremes() {
        for t in [
            Task {
                stage: 0,
                lo: 0,
                hi: 0,
            },
            Task {
                stage: 0xffff,
                lo: 0xff_ffff,
                hi: 0xff_ffff,
            },
            Task {
                stage: 3,
                lo: 12_345,
                hi: 1_000_000,
            },
        ] {
            assert_eq!(Task::unpack(t.pack()), t);
        }
    }

    #[test]
    fn owner_pops_lifo_and_thief_steals_fifo() {
        let (local, stealer) = new();
        for i in 0..5 {
            local.push(task(i)).unwrap();
        }
        assert_eq!(local.pop(), Some(task(4)));
        assert_eq!(stealer.steal(), Steal::Success(task(0)));
        assert_eq!(local.pop(), Some(task(3)));
        assert_eq!(stealer.steal(), Steal::Success(task(1)));
        assert_eq!(local.pop(), Some(task(2)));
        assert_eq!(local.pop(), None);
        assert_eq!(stealer.steal(), Steal::Empty);
    }

    #[test]
    fn a_full_deque_hands_the_task_back_and_wraps_around() {
        let (local, stealer) = new();
        for round in 0..3u32 {
            for i in 0..CAPACITY as u32 {
                local.push(task(round * 100 + i)).unwrap();
            }
            assert_eq!(local.push(task(999)), Err(task(999)));
            for i in 0..CAPACITY as u32 {
                assert_eq!(stealer.steal(), Steal::Success(task(round * 100 + i)));
            }
            assert_eq!(local.pop(), None);
        }
    }

    #[test]
    fn every_task_is_taken_exactly_once_under_contention() {
        const N: u32 = 200_000;
        let (local, stealer) = new();
        let taken: Vec<std::sync::atomic::AtomicU32> = (0..N)
            .map(|_| std::sync::atomic::AtomicU32::new(0))
            .collect();
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            for _ in 0..2 {
                let stealer = stealer.clone();
                let (taken, done) = (&taken, &done);
                s.spawn(move || loop {
                    match stealer.steal() {
                        Steal::Success(t) => {
                            taken[t.lo as usize].fetch_add(1, Ordering::Relaxed);
                        }
                        Steal::Retry => {}
                        Steal::Empty if done.load(Ordering::Acquire) => break,
                        Steal::Empty => std::hint::spin_loop(),
                    }
                });
            }
            let mut next = 0;
            while next < N {
                while next < N && local.push(task(next)).is_ok() {
                    next += 1;
                }
                if let Some(t) = local.pop() {
                    taken[t.lo as usize].fetch_add(1, Ordering::Relaxed);
                }
            }
            while let Some(t) = local.pop() {
                taken[t.lo as usize].fetch_add(1, Ordering::Relaxed);
            }
            done.store(true, Ordering::Release);
        });
        assert!(taken.iter().all(|c| c.load(Ordering::Relaxed) == 1));
    }
}
