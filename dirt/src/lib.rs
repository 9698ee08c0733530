//! A SuperDirt-compatible engine: what Tidal and Strudel send to SuperDirt on UDP 57120,
//! played by Phonon's voices and effects, each orbit a node of the engine's program.
//!
//! The receive thread decodes packets ([`wire::Decoder`]) into fixed-size [`DirtEvent`]s —
//! sample indices, `pattern::Controls` (SuperDirt's vocabulary, shared with the patch
//! language), a monotonic start time mapped from the OSC time tag ([`clock::WallClock`]) — and
//! sends them through a `ringbuf` queue ([`EventSender`]). On the audio thread, before each
//! block, the [`EventRouter`] hands each event due to its orbit's inbox at its frame; the
//! orbits ([`orbit::OrbitNode`]) are nodes of a `runtime` program, beside a patch's or alone
//! ([`add_orbits`]), rendered in parallel and mixed by the engine, allocating nothing.

#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod clock;
pub mod engine;
pub mod event;
pub mod meter;
pub mod orbit;
pub mod router;
pub mod sounds;
pub mod wire;

pub use engine::{DirtConfig, DirtEngine};
pub use event::DirtEvent;
pub use orbit::{OrbitNode, STARTS, VOICES};
pub use pattern::{Control, Controls};
pub use router::{DirtStats, EventRouter, EventSender};
pub use sounds::SoundTable;

use std::sync::Arc;

/// The name of orbit `k`'s output (and its ports, `orbit0_L`…).
pub fn orbit_name(k: usize) -> String {
    format!("orbit{k}")
}

/// What a host needs to play Tidal's events: the receive thread's sender, the audio thread's
/// router, the counters, and the orbits to add to every program it loads.
pub struct Dirt {
    /// The receive thread's end of the queue.
    pub sender: EventSender,
    /// Call [`EventRouter::route`] before each `process` of the engine.
    pub router: EventRouter,
    /// What the router and the orbits count.
    pub stats: Arc<DirtStats>,
    /// The orbits, for [`add_orbits`].
    pub orbits: Vec<dsp::Hosted>,
}

impl Dirt {
    /// `orbits` orbits of [`VOICES`] voices playing `sounds`. Allocates.
    pub fn new(orbits: usize, sounds: &Arc<SoundTable>) -> Dirt {
        Dirt::counting(orbits, VOICES, sounds, Arc::default())
    }

    /// `orbits` orbits of `voices` voices each, counting into `stats` (a host's counters that
    /// outlive a reconnect).
    pub fn counting(
        orbits: usize,
        voices: usize,
        sounds: &Arc<SoundTable>,
        stats: Arc<DirtStats>,
    ) -> Dirt {
        let (sender, router, inboxes) = router::channel(orbits.clamp(1, 256), stats.clone());
        let orbits = orbit::hosted(voices, sounds, &stats, inboxes);
        Dirt {
            sender,
            router,
            stats,
            orbits,
        }
    }
}

/// `graph` with the orbits added as the outputs `orbit0`, `orbit1`…: they play in the main
/// pair, and on their own ports in multi-out mode.
pub fn add_orbits(graph: &mut graph::Graph, orbits: &[dsp::Hosted]) {
    for (k, orbit) in orbits.iter().enumerate() {
        graph.add_hosted(orbit.clone(), &orbit_name(k));
    }
}
