//! A pool of pinned worker threads that runs one *block* of numbered jobs, grouped in ordered
//! stages, as fast as possible from a real-time thread that must never block.
//!
//! ```
//! use scheduler::{Pool, PoolConfig, Stages};
//! use std::sync::atomic::{AtomicU32, Ordering};
//!
//! let mut pool = Pool::new(PoolConfig { workers: 2, ..PoolConfig::default() }).unwrap();
//! // Jobs 0 and 1 run in parallel, then job 2.
//! let mut stages = Stages::new(&[vec![0, 1], vec![2]]).unwrap();
//! let runs: Vec<AtomicU32> = (0..3).map(|_| AtomicU32::new(0)).collect();
//! pool.run(&mut stages, |job, _ctx| {
//!     runs[job].fetch_add(1, Ordering::Relaxed);
//! })
//! .unwrap();
//! assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1));
//! ```
//!
//! How it works: each worker owns a fixed-capacity work-stealing deque of job ranges and a bump
//! arena. The caller publishes the block with one atomic store, wakes only helpers that are
//! actually parked, and starts on stage 0 itself. A worker takes a range, pushes its upper half
//! for thieves until one job is left, runs it, and subtracts what it ran from the stage's
//! cache-padded counter; whoever brings a counter to zero starts the next stage. Idle helpers
//! spin for a while and then park; a caller driven by a clock (an audio period) forecasts its
//! next block ([`Pool::expect_next_block`]) and helpers sleep until just before it instead, so
//! they are spinning when it opens. Only the helpers that make blocks shorter take part
//! ([`Staffing`] measures which); the rest park until they would. [`placement`] keeps the
//! caller's CPU free of helpers.

#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

// Public only for the loom models, which check the deque on its own too.
#[cfg(loom)]
#[doc(hidden)]
pub mod deque;
#[cfg(not(loom))]
mod deque;
pub mod placement;
mod pool;
mod staffing;
mod stages;
// Private to the crate; exported, hidden, only for the loom models built with `--cfg loom`.
#[cfg(loom)]
#[doc(hidden)]
pub mod sync;
#[cfg(not(loom))]
mod sync;

pub use pool::{
    HelperThread, JobContext, JobPanicked, Pool, PoolConfig, PoolStats, Slots, ThreadStart,
};
pub use staffing::Staffing;
pub use stages::{Stages, StagesError, MAX_JOBS, MAX_STAGES};

/// The bump arena type handed to jobs.
pub use bumpalo::Bump;
