//! The Phonon engine: the block clock, programs built from compiled graphs (each node made by its
//! `dsp::Kind`, so any registry's graphs run), the audio thread's
//! `Engine` and the control thread's `Controller` with the mailboxes between them, program swaps
//! that keep the beat and carry node state over, the master section, per-node timing, and offline rendering.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod block_times;
pub mod clock;
pub mod engine;
pub mod meter;
pub mod mix;
pub mod program;
pub mod render;

pub use block_times::BlockTimes;
pub use clock::BlockClock;
pub use engine::{engine, BlockReport, Controller, Engine, EngineConfig, LoadError};
pub use meter::{critical_path, NodeMeters, NodeTiming};
pub use program::{BuildError, Program, ProgramConfig, Signature};
pub use render::{render, Length, RenderError, RenderSettings, RenderSummary, SampleFormat};
