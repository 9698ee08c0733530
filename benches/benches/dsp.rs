//! Nanoseconds per frame for each node kind with DSP, processing 512-frame blocks at 48 kHz with
//! an audio-rate input and constant parameters.
//!
//! `cargo bench -p benches --bench dsp`

use bumpalo::Bump;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dsp::bank::SampleBank;
use dsp::{Context, In, Setup, Width};
use graph::Registry;
use pattern::{Span, Time};
use std::hint::black_box;
use std::sync::Arc;

const FRAMES: usize = 512;

fn nodes(c: &mut Criterion) {
    let registry = Registry::standard();
    let mut group = c.benchmark_group("dsp_per_frame");
    group.throughput(Throughput::Elements(FRAMES as u64));
    let input: Vec<f32> = (0..FRAMES).map(|i| (i as f32 * 0.05).sin()).collect();
    let arena = Bump::new();
    let ctx = Context::new(48_000.0, FRAMES, Span::new(Time::ZERO, Time::ZERO), &arena);
    let setup = Setup {
        sample_rate: 48_000.0,
        channels: 1,
        bank: Arc::new(SampleBank::new(48_000)),
        sampler_voices: 1,
    };
    for f in registry.functions() {
        let Some(kind) = &f.node else { continue };
        let mut dsp = kind.make(&setup);
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
        let stereo = kind.width() == Width::Stereo;
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
