//! The DSP of Phonon's nodes, knowing nothing of the compiler: one [`Node`] interface, each
//! node [`declared`](declaration) once beside its code (the name a patch calls it by, its ports,
//! its width, a doc line and an example) and listed in the [`catalog`], and a [`Kind`] for the
//! nodes the compiler shapes from more. Nodes are arranged by what they do: [`oscillators`],
//! [`filters`], [`delays`], [`reverbs`], [`dynamics`], [`modulation`], [`envelopes`],
//! [`levels`], the [`live`] input, the stepped [`patterns`] signal, pitched [`instruments`], the
//! [`samples`] (bank and sampler), and the [`voice`] layer every sound event plays through (one
//! pool, one sample voice, one envelope stage, one pan and level law, SuperDirt's orbits). What
//! several nodes share — the delay line, the LFO, the biquad — is in [`blocks`].
//!
//! Every node processes a whole block from its input buffers to its output buffers, owns its
//! state, and never allocates, locks or does I/O while processing: state is allocated when the
//! node is made, on the control thread. Patterns are queried once per block, into the worker's
//! arena carried by the [`Context`].

#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod blocks;
pub mod catalog;
pub mod declaration;
pub mod delays;
pub mod dynamics;
pub mod envelopes;
pub mod filters;
pub mod instruments;
pub mod kind;
pub mod levels;
pub mod live;
#[cfg(test)]
mod measure;
pub mod midi_in;
pub mod midi_keys;
pub mod midi_out;
pub mod modulation;
pub mod named;
pub mod oscillators;
pub mod patterns;
pub mod reverbs;
pub mod samples;
pub mod voice;

pub use kind::{Hosted, Kind, KindKey, Setup, Width};
pub use levels::MathOp;

use bumpalo::Bump;
use pattern::Span;
use std::any::Any;

/// What a node knows of the block it is processing.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Samples per second.
    pub sample_rate: f32,
    /// Frames in this block.
    pub frames: usize,
    /// The cycles the block covers.
    pub span: Span,
    /// The worker's arena, for pattern queries and other scratch lists of this block.
    pub arena: &'a Bump,
}

impl<'a> Context<'a> {
    /// A block of `frames` frames covering `span`.
    pub fn new(sample_rate: f32, frames: usize, span: Span, arena: &'a Bump) -> Context<'a> {
        Context {
            sample_rate,
            frames,
            span,
            arena,
        }
    }
}

/// One input of a node for one block: a constant, or a buffer of `frames` samples per channel.
#[derive(Clone, Copy, Debug)]
pub enum In<'a> {
    /// The same value every frame.
    Const(f32),
    /// One channel.
    Mono(&'a [f32]),
    /// Two channels.
    Stereo(&'a [f32], &'a [f32]),
}

impl In<'_> {
    /// The value at frame `i`, mixed to mono.
    #[inline]
    pub fn at(&self, i: usize) -> f32 {
        match self {
            In::Const(x) => *x,
            In::Mono(b) => b[i],
            In::Stereo(l, r) => 0.5 * (l[i] + r[i]),
        }
    }

    /// Channel `channel` (0 or 1) at frame `i`; mono and constants feed both channels.
    #[inline]
    pub fn channel(&self, channel: usize, i: usize) -> f32 {
        match self {
            In::Const(x) => *x,
            In::Mono(b) => b[i],
            In::Stereo(l, r) => {
                if channel == 0 {
                    l[i]
                } else {
                    r[i]
                }
            }
        }
    }

    /// The number of channels it carries (constants count as mono).
    pub fn channels(&self) -> usize {
        match self {
            In::Stereo(..) => 2,
            _ => 1,
        }
    }
}

/// What [`Node::carry_from`] did with the older node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carry {
    /// Nothing: everything the node holds is state, so the caller keeps the older node itself in
    /// the newer one's place (it is of the same kind, made the same way).
    Whole,
    /// The node took the state it keeps (voices, a held value) and keeps its own pattern.
    Taken,
}

/// Voices sounding now and voices stolen so far, for nodes that play voices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VoiceCount {
    /// Voices sounding at the end of the last block.
    pub sounding: usize,
    /// Voices taken from a sounding event because the pool was full, so far.
    pub stolen: u64,
}

/// A node of the graph: processes one block at a time.
pub trait Node: Any + Send {
    /// Reads `inputs` (its parameters in [`Kind::ports`] order, the input first for
    /// processors) and writes every channel of `out`, each `ctx.frames` long.
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]);

    /// Takes over what `old` (the same node in the previous version of the patch) was doing,
    /// so an edit does not restart it. By default the whole older node is kept.
    fn carry_from(&mut self, _old: &mut dyn Node) -> Carry {
        Carry::Whole
    }

    /// True when the last block this node processed wrote only zeros (`+0.0`) to every
    /// channel. A hint the engine skips mixing and mastering by; false is always right.
    fn is_silent(&self) -> bool {
        false
    }

    /// Voices, for nodes that play them.
    fn voices(&self) -> Option<VoiceCount> {
        None
    }

    /// Blocks so far in which this node's pattern made more than [`QUERY_BUDGET`] events and
    /// was cut there: a runaway pattern plays what fits, and says so.
    fn queries_cut(&self) -> u64 {
        0
    }
}

/// The most events and cycle pieces one node's pattern query may make in one block (see
/// `pattern::budget`). Far above any playable pattern (the stress example makes a few hundred a
/// block), far below what exhausts a block or an arena.
pub const QUERY_BUDGET: u64 = 4_096;

/// `pattern` queried over `span` within [`QUERY_BUDGET`]; counts the query in `cut` if it
/// had to stop there.
pub fn query_within_budget<'a, T: pattern::Item>(
    pattern: &pattern::Pattern<T>,
    span: Span,
    arena: &'a Bump,
    cut: &mut u64,
) -> pattern::Events<'a, T> {
    let (events, refused) = pattern::budget::limited(QUERY_BUDGET, || pattern.query(span, arena));
    *cut += u64::from(refused > 0);
    events
}

/// `old` as the concrete node type `T`, when it is one.
pub fn downcast<T: Node>(old: &mut dyn Node) -> Option<&mut T> {
    (old as &mut dyn Any).downcast_mut::<T>()
}

/// Makes a node for a sample rate, with the channel count it will write. Allocates; call on the
/// control thread.
pub type Make = fn(sample_rate: f32, channels: usize) -> Box<dyn Node>;

/// Values below this are flushed to zero in recursive state, so decaying filters and feedback
/// never reach denormal numbers (which cost far more CPU than normal ones).
pub const DENORMAL: f32 = 1e-20;

/// The next value of a 32-bit xorshift generator, in [-1, 1): cheap noise that is the same on
/// every run. `state` must not be 0.
#[inline]
pub(crate) fn xorshift_noise(state: &mut u32) -> f32 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    x as f32 / u32::MAX as f32 * 2.0 - 1.0
}

/// `x`, or zero when it is tiny or not finite: for state that feeds back into itself.
#[inline]
pub fn sanitize(x: f32) -> f32 {
    if x.is_finite() && x.abs() > DENORMAL {
        x
    } else {
        0.0
    }
}

/// Sets flush-to-zero and denormals-are-zero for the calling thread, so denormal numbers anywhere
/// in the DSP cost nothing; call it on every worker before processing. A no-op off x86-64.
pub fn flush_denormals() {
    #[cfg(target_arch = "x86_64")]
    {
        let mut csr: u32 = 0;
        // SAFETY: reads and writes only the SSE control/status register of this thread; setting
        // FTZ (bit 15) and DAZ (bit 6) changes no other state.
        unsafe {
            std::arch::asm!("stmxcsr [{0}]", in(reg) &mut csr as *mut u32, options(nostack));
            csr |= 0x8040;
            std::arch::asm!("ldmxcsr [{0}]", in(reg) &csr as *const u32, options(nostack, readonly));
        }
    }
}

/// The largest magnitude an output may carry; anything beyond (an unstable patch) is clamped.
pub const OUTPUT_LIMIT: f32 = 16.0;

/// Makes a buffer safe to send to the outputs: NaN and infinities become silence, magnitudes
/// beyond [`OUTPUT_LIMIT`] are clamped and denormals flushed. Returns how many samples it had to
/// change, for the engine's count of clamps.
pub fn clamp_output(buffer: &mut [f32]) -> usize {
    let mut clamped = 0;
    for x in buffer.iter_mut() {
        if !x.is_finite() {
            *x = 0.0;
            clamped += 1;
        } else if x.abs() > OUTPUT_LIMIT {
            *x = x.signum() * OUTPUT_LIMIT;
            clamped += 1;
        } else if x.abs() < DENORMAL {
            *x = 0.0;
        }
    }
    clamped
}
