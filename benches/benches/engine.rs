//! The whole engine on `examples/stress.ph` (16 outputs, 8,192 events a cycle): time per block
//! at 64, 128 and 512 frames with 1 and 2 workers, from a warmed-up engine (the pattern cycle
//! moves on with every iteration, as it does when playing). `phonon bench` reports the same
//! figures with p99 and maximum.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use dsp::samples::bank::SampleBank;
use graph::{diagnostic::Source, Registry};
use std::sync::Arc;

fn stress(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/stress.ph");
    let text = std::fs::read_to_string(path).expect("stress example");
    let graph = graph::compile(&Source::new(path, text), &Registry::standard())
        .graph
        .expect("stress example compiles");
    let rate = 44_100;
    let mut group = c.benchmark_group("engine_stress");
    for frames in [64usize, 128, 512] {
        for workers in [1usize, 2] {
            let (mut engine, mut controller) = runtime::engine(
                runtime::EngineConfig {
                    sample_rate: rate,
                    max_block: frames,
                    workers,
                    pin_cores: workers > 1,
                    ..runtime::EngineConfig::default()
                },
                Arc::new(SampleBank::builtin(rate)),
            )
            .expect("engine");
            controller.load(&graph).expect("loads");
            let mut left = vec![0.0f32; frames];
            let mut right = vec![0.0f32; frames];
            for _ in 0..2 * rate as usize / frames {
                engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
            }
            group.bench_function(BenchmarkId::new(format!("{workers}w"), frames), |b| {
                b.iter(|| {
                    engine.process(frames, &[], &mut [&mut left[..], &mut right[..]]);
                    controller.reports().for_each(drop);
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, stress);
criterion_main!(benches);
