//! Nanoseconds per frame for each node kind with DSP, processing 512-frame blocks at 48 kHz with
//! an audio-rate input and constant parameters.
//!
//! `cargo bench -p benches --bench dsp`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use graph::dsp::{Context, In};
use graph::Registry;
use std::hint::black_box;

const FRAMES: usize = 512;

fn nodes(c: &mut Criterion) {
    let registry = Registry::standard();
    let mut group = c.benchmark_group("dsp_per_frame");
    group.throughput(Throughput::Elements(FRAMES as u64));
    let input: Vec<f32> = (0..FRAMES).map(|i| (i as f32 * 0.05).sin()).collect();
    let ctx = Context {
        sample_rate: 48_000.0,
        frames: FRAMES,
    };
    for f in registry.functions() {
        let Some(make) = f.make else { continue };
        let mut dsp = make(48_000.0, 1);
        let mut inputs = Vec::new();
        if f.takes_input() {
            inputs.push(In::Mono(&input));
        }
        inputs.extend(
            f.settings()
                .map(|p| In::Const(p.default.unwrap_or(1.0) as f32)),
        );
        let mut out = vec![0.0f32; FRAMES];
        let mut right = vec![0.0f32; FRAMES];
        let stereo = f.name == "pan";
        group.bench_function(f.name, |b| {
            b.iter(|| {
                if stereo {
                    dsp.process(
                        &ctx,
                        black_box(&inputs),
                        &mut [&mut out[..], &mut right[..]],
                    );
                } else {
                    dsp.process(&ctx, black_box(&inputs), &mut [&mut out[..]]);
                }
                black_box(out[0]);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, nodes);
criterion_main!(benches);
