//! The voice layer every sound event plays through, in a patch and in `phonon dirt` alike: one
//! [`VoicePool`](crate::blocks::pool::VoicePool) (one steal policy, with a declick), one
//! [`sample::SampleVoice`] following the envelope stage and the pan and level laws of
//! [`crate::blocks`] with SuperDirt's per-event effects (its filters and shaping, and the later
//! modules in `extras`), the [`orbit::Orbit`] that mixes voices into a global delay, reverb and
//! limiter as SuperDirt's orbits do, and the [`sampler::Sampler`] node that plays a patch's
//! sound patterns through one. The control
//! vocabulary is [`pattern::Control`]. `docs/engine.md` writes the laws down.

mod band_delay;
mod extras;
mod grains;
pub mod leslie;
pub mod memory;
pub mod orbit;
pub mod sample;
pub mod sampler;
mod spectral;
mod squiz;

pub use orbit::Orbit;
pub use sample::SampleVoice;
