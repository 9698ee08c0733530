//! Sampler mixing cost per voice-frame: 1,000 sounding voices of a long sample, rendered in
//! 512-frame blocks at 44.1 kHz and 0.5 cycles per second.
//!
//! `cargo bench -p benches --bench sampler`

use bumpalo::Bump;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dsp::samples::bank::{Sample, SampleBank};
use dsp::voice::sampler::Sampler;
use dsp::Node;
use pattern::{mini, Sound, Span, Time};
use std::sync::Arc;
use std::time::{Duration, Instant};

const VOICES: usize = 1000;
const FRAMES: usize = 512;

fn voices(c: &mut Criterion) {
    let mut bank = SampleBank::new(44_100);
    let long: Vec<f32> = (0..44_100 * 60)
        .map(|i| ((i % 100) as f32 / 100.0) - 0.5)
        .collect();
    bank.insert(
        "pad",
        vec![Sample {
            channels: vec![long.into_boxed_slice()],
        }],
    );
    let bank = Arc::new(bank);
    // A thousand onsets in even cycles, none in odd ones: odd cycles measure pure mixing.
    let pattern = mini(&format!("<[pad*{VOICES}] ~>"))
        .unwrap()
        .fmap(|v| Sound::new(v.clone()));
    let per_block = Time::new(FRAMES as i64, 88_200);
    let arena = &mut Bump::with_capacity(1 << 20);
    let (mut l, mut r) = (vec![0.0f32; FRAMES], vec![0.0f32; FRAMES]);
    // Starts every voice during cycle 0; returns the sampler and the start of cycle 1.
    let prime = |arena: &mut Bump, l: &mut [f32], r: &mut [f32]| {
        let mut sampler = Sampler::new(pattern.clone(), bank.clone(), VOICES, 44_100.0);
        let mut begin = Time::ZERO;
        while begin < Time::ONE {
            arena.reset();
            sampler.render(Span::new(begin, begin + per_block), arena, l, r);
            begin = begin + per_block;
        }
        (sampler, begin)
    };
    let (mut sampler, mut begin) = prime(arena, &mut l, &mut r);
    let mut group = c.benchmark_group("sampler");
    group.throughput(Throughput::Elements((VOICES * FRAMES) as u64));
    group.bench_function("voice_frames_1000_voices", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                if sampler.voices().map_or(0, |v| v.sounding) < VOICES || begin >= Time::from_int(2)
                {
                    (sampler, begin) = prime(arena, &mut l, &mut r);
                }
                arena.reset();
                let span = Span::new(begin, begin + per_block);
                let start = Instant::now();
                sampler.render(span, arena, &mut l, &mut r);
                total += start.elapsed();
                begin = span.end;
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, voices);
criterion_main!(benches);
