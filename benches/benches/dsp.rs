//! Nanoseconds per frame for each node kind with DSP, processing 512-frame blocks at 48 kHz with
//! an audio-rate input and constant parameters. Blocks advance at one cycle a second, so
//! pattern-driven nodes play: voices a note pattern of 24 notes a cycle (chords of three), the
//! self-starting envelopes sixteen steps a cycle.
//!
//! `cargo bench -p benches --bench dsp` (`-- super` for the names matching `super`)

use bumpalo::Bump;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dsp::envelopes::triggered::{Breakpoints, Trigger};
use dsp::oscillators::synthesis::Harmonics;
use dsp::samples::bank::SampleBank;
use dsp::{Context, In, Kind, Setup, Width};
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
    let mut arena = Bump::new();
    let setup = Setup {
        sample_rate: 48_000.0,
        channels: 1,
        bank: Arc::new(SampleBank::new(48_000)),
        sampler_voices: 1,
        named: Default::default(),
    };
    let notes = || {
        let p = pattern::mini("[[c3,e3,g3] [a2,c3,e3]]*4").unwrap();
        Some(p.fmap(|v| match v {
            pattern::Value::Str(n) => {
                440.0 * 2f64.powf((pattern::note_number(n).unwrap_or(0.0) - 9.0) / 12.0)
            }
            other => other.as_f64().unwrap_or(110.0),
        }))
    };
    let steps = || pattern::mini("1*16").unwrap().fmap(|_| 1.0);
    for f in registry.functions() {
        let Some(kind) = &f.node else { continue };
        // The registry's placeholders filled as a patch fills them.
        let kind = match kind {
            Kind::Voices { instrument, .. } => Kind::Voices {
                instrument: *instrument,
                notes: notes(),
            },
            Kind::Env(_) => Kind::Env(Trigger::Events(steps())),
            Kind::Ad(_) => Kind::Ad(Trigger::Events(steps())),
            Kind::Segments(_) => Kind::Segments(Some(Arc::new(
                Breakpoints::new(&[0.0, 1.0, 0.3, 0.0], &[0.01, 0.1, 0.2]).unwrap(),
            ))),
            Kind::Additive(_) => Kind::Additive(Some(Arc::new(
                Harmonics::new(&[1.0, 0.5, 0.33, 0.25, 0.2, 0.17, 0.14, 0.12]).unwrap(),
            ))),
            kind => kind.clone(),
        };
        let mut dsp = kind.make(&setup);
        let mut inputs = Vec::new();
        if f.takes_input() {
            inputs.push(In::Mono(&input));
        }
        inputs.extend(
            f.settings()
                .filter(|p| p.kind.is_port())
                .map(|p| In::Const(p.default.unwrap_or(1.0) as f32)),
        );
        let mut block = 0i64;
        let mut out = vec![0.0f32; FRAMES];
        let mut right = vec![0.0f32; FRAMES];
        let stereo = kind.width() == Width::Stereo;
        group.bench_function(f.name, |b| {
            b.iter(|| {
                arena.reset();
                let span = Span::new(
                    Time::new(block * FRAMES as i64, 48_000),
                    Time::new((block + 1) * FRAMES as i64, 48_000),
                );
                block += 1;
                let ctx = Context::new(48_000.0, FRAMES, span, &arena);
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
