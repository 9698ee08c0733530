//! `phonon dirt` without a patch: a `runtime` engine whose program is the orbits alone, with the
//! router that feeds them. A host playing a patch too adds the orbits to each program it loads
//! instead ([`crate::add_orbits`]).

use crate::router::{DirtStats, EventRouter, EventSender};
use crate::sounds::SoundTable;
use crate::{add_orbits, orbit_name, Dirt};
use dsp::samples::bank::SampleBank;
use runtime::{Controller, Engine, EngineConfig};
use scheduler::ThreadStart;
use std::sync::Arc;

/// How to build the engine.
#[derive(Clone)]
pub struct DirtConfig {
    /// Samples per second.
    pub sample_rate: u32,
    /// The longest block `process` renders at once (longer ones are split).
    pub max_block: usize,
    /// Orbits, each with its own pair of outputs.
    pub orbits: usize,
    /// Voices each orbit plays at once.
    pub voices: usize,
    /// Workers including the calling thread.
    pub workers: usize,
    /// Pin helpers to CPUs of their own.
    pub pin_cores: bool,
    /// Time each orbit's blocks (the engine's node meters).
    pub meter_nodes: bool,
    /// Runs on each helper as it starts (real-time priority).
    pub on_thread_start: Option<ThreadStart>,
}

impl Default for DirtConfig {
    fn default() -> Self {
        DirtConfig {
            sample_rate: 48_000,
            max_block: 1024,
            orbits: 12,
            voices: crate::VOICES,
            workers: 1,
            pin_cores: false,
            meter_nodes: false,
            on_thread_start: None,
        }
    }
}

/// The engine the audio thread runs: the router, then the orbits' program.
pub struct DirtEngine {
    engine: Engine,
    router: EventRouter,
    orbits: usize,
}

impl DirtEngine {
    /// The engine, the control thread's end of it, the queue's sending end and the counters.
    /// Allocates and starts the helper threads; the orbits play from the first block.
    pub fn new(
        config: DirtConfig,
        sounds: Arc<SoundTable>,
    ) -> std::io::Result<(DirtEngine, Controller, EventSender, Arc<DirtStats>)> {
        let orbits = config.orbits.clamp(1, 256);
        let dirt = Dirt::counting(orbits, config.voices, &sounds, Arc::default());
        let mut graph = graph::Graph::empty(0.5625);
        add_orbits(&mut graph, &dirt.orbits);
        let names: Vec<String> = (0..orbits).map(orbit_name).collect();
        let (mut engine, mut controller) = runtime::engine(
            EngineConfig {
                sample_rate: config.sample_rate,
                max_block: config.max_block,
                workers: config.workers,
                pin_cores: config.pin_cores,
                output_pairs: names.len(),
                output_names: names,
                meter_nodes: config.meter_nodes,
                on_thread_start: config.on_thread_start,
                ..EngineConfig::default()
            },
            Arc::new(SampleBank::new(config.sample_rate)),
        )?;
        controller
            .load(&graph)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        // The program is taken in at the first block: take it now, before any event.
        engine.process(0, &[], &mut []);
        let engine = DirtEngine {
            engine,
            router: dirt.router,
            orbits,
        };
        Ok((engine, controller, dirt.sender, dirt.stats))
    }

    /// Orbits.
    pub fn orbits(&self) -> usize {
        self.orbits
    }

    /// The engine, for what it tells of its threads.
    pub fn engine(&self) -> &Engine {
        &self.engine
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
        let midi = self.engine.midi_out();
        self.router.route(start, micros_per_frame, frames, midi);
        self.engine.process(frames, &[], outputs);
    }
}
