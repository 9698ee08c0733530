//! A SuperDirt-compatible engine: what Tidal and Strudel send to SuperDirt on UDP 57120,
//! played by Phonon's voices and effects, with each orbit a job on the work-stealing
//! scheduler.
//!
//! The receive thread decodes packets ([`wire::Decoder`]) into fixed-size [`DirtEvent`]s —
//! sample indices, `pattern::Controls` (SuperDirt's vocabulary, shared with the patch
//! language), a monotonic start time mapped from the OSC time
//! tag ([`clock::WallClock`]) — and sends them through a `ringbuf` queue
//! ([`engine::EventSender`]). The audio thread's [`DirtEngine`] starts each on its frame in its
//! orbit, renders the orbits in parallel and mixes them, allocating nothing.

#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod clock;
pub mod engine;
pub mod event;
mod orbit;
pub mod sounds;
pub mod wire;

pub use engine::{DirtConfig, DirtEngine, DirtStats, EventSender};
pub use event::DirtEvent;
pub use orbit::{STARTS, VOICES};
pub use pattern::{Control, Controls};
pub use sounds::SoundTable;
