//! Helpers shared by the runtime's tests: compiling patches and rendering them in memory.
#![allow(dead_code)]

use dsp::samples::bank::SampleBank;
use graph::{diagnostic::Source, Graph, Registry};
use runtime::render::run_offline;
use runtime::{Controller, Engine, EngineConfig, Length, RenderSettings};
use std::path::PathBuf;
use std::sync::Arc;

pub const RATE: u32 = 44_100;

/// The repository's `examples/` folder.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

/// Compiles patch text, panicking with the rendered diagnostics if it has errors.
pub fn compile(text: &str) -> Graph {
    let source = Source::new("test.ph", text);
    let result = graph::compile(&source, &Registry::standard());
    match result.graph {
        Some(g) => g,
        None => panic!(
            "{}",
            result
                .diagnostics
                .iter()
                .map(|d| source.render(d))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// Compiles a bundled example.
pub fn example(name: &str) -> Graph {
    let text = std::fs::read_to_string(examples_dir().join(name)).expect("example exists");
    compile(&text)
}

pub fn bank() -> Arc<SampleBank> {
    Arc::new(SampleBank::builtin(RATE))
}

/// Renders `graph` in memory: the main left and right channels.
pub fn render(graph: &Graph, length: Length, block: usize, threads: usize) -> [Vec<f32>; 2] {
    let settings = RenderSettings {
        sample_rate: RATE,
        block_size: block,
        threads,
        length,
        ..RenderSettings::default()
    };
    let mut out = [Vec::new(), Vec::new()];
    run_offline(
        graph,
        bank(),
        &settings,
        Vec::new(),
        |block, frames| {
            out[0].extend_from_slice(&block[0][..frames]);
            out[1].extend_from_slice(&block[1][..frames]);
            Ok::<(), std::convert::Infallible>(())
        },
        &mut |_, _| {},
    )
    .expect("renders");
    out
}

/// An engine with the given workers and largest block, at [`RATE`].
pub fn engine(workers: usize, max_block: usize) -> (Engine, Controller) {
    runtime::engine(
        EngineConfig {
            sample_rate: RATE,
            max_block,
            workers,
            ..EngineConfig::default()
        },
        bank(),
    )
    .expect("engine starts")
}

/// Runs one block of `frames` frames and returns its main pair.
pub fn block(engine: &mut Engine, frames: usize) -> [Vec<f32>; 2] {
    let mut left = vec![0.0; frames];
    let mut right = vec![0.0; frames];
    engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
    [left, right]
}

pub fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
}

pub fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// The largest sample-to-sample step in `x`.
pub fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// The level of one frequency in `x`, through a Hann window (so other sines do not leak in).
pub fn tone(x: &[f32], freq: f32) -> f32 {
    let (mut re, mut im) = (0.0f64, 0.0f64);
    let n = x.len() as f64;
    for (i, &v) in x.iter().enumerate() {
        let window = 1.0 - (std::f64::consts::TAU * i as f64 / n).cos();
        let phase = std::f64::consts::TAU * f64::from(freq) * i as f64 / f64::from(RATE);
        re += f64::from(v) * window * phase.cos();
        im += f64::from(v) * window * phase.sin();
    }
    (2.0 * (re * re + im * im).sqrt() / n) as f32
}
