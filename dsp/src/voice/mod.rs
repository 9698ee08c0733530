//! The voice layer every sound event plays through, in a patch and in `phonon dirt` alike: one
//! [`pool::VoicePool`] (one steal policy, with a declick), one [`sample::SampleVoice`] following
//! the envelope stage and the pan and level laws of [`crate::blocks`], the [`orbit::Orbit`] that
//! sends voices to a global delay and reverb as SuperDirt's orbits do, and the
//! [`sampler::Sampler`] node that plays a patch's sound patterns through one. The control
//! vocabulary is [`pattern::Control`]. `docs/engine.md` writes the laws down.

pub mod orbit;
pub mod pool;
pub mod sample;
pub mod sampler;

pub use orbit::Orbit;
pub use pool::VoicePool;
pub use sample::SampleVoice;

use crate::Context;

/// The most frames a pool, a voice or an orbit renders at once; longer blocks are rendered in
/// pieces by their callers, starting each piece's events before rendering it.
pub const MAX_BLOCK: usize = 1024;

/// A voice a [`VoicePool`] plays.
pub trait Voice {
    /// Renders the next `ctx.frames` frames into every channel of `out` (overwriting them) and
    /// returns how many it produced: fewer means it has ended.
    fn render(&mut self, ctx: &Context<'_>, out: &mut [&mut [f32]]) -> usize;
}
