//! The voice layer every sound event plays through, in a patch and in `phonon dirt` alike: one
//! [`VoicePool`](crate::blocks::pool::VoicePool) (one steal policy, with a declick), one
//! [`sample::SampleVoice`] following
//! the envelope stage and the pan and level laws of [`crate::blocks`], the [`orbit::Orbit`] that
//! sends voices to a global delay and reverb as SuperDirt's orbits do, and the
//! [`sampler::Sampler`] node that plays a patch's sound patterns through one. The control
//! vocabulary is [`pattern::Control`]. `docs/engine.md` writes the laws down.

pub mod orbit;
pub mod sample;
pub mod sampler;

pub use orbit::Orbit;
pub use sample::SampleVoice;
