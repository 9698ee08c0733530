//! `phonon dirt`'s engine: mixing cost per voice-frame (256 voices of a long sample on 4
//! orbits, plain and with a low-pass each), and the orbit effects alone (4 delays, 4 reverbs,
//! no voice), in 128-frame blocks at 48 kHz on one worker.
//!
//! `cargo bench -p benches --bench dirt`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dirt::{Control, Controls, DirtConfig, DirtEngine, DirtEvent, SoundTable};
use dsp::samples::bank::{Sample, SampleBank};
use std::sync::Arc;

const RATE: u32 = 48_000;
const BLOCK: usize = 128;
const VOICES: usize = 256;

fn engine(params: &[(Control, f64)], voices: usize) -> DirtEngine {
    let mut bank = SampleBank::new(RATE);
    let long: Vec<f32> = (0..RATE as usize * 120)
        .map(|i| ((i % 96) as f32 / 96.0) - 0.5)
        .collect();
    bank.insert(
        "pad",
        vec![Sample {
            channels: vec![long.into_boxed_slice()],
        }],
    );
    let sounds = Arc::new(SoundTable::from_bank(&bank));
    let (engine, _, mut sender, _) = DirtEngine::new(
        DirtConfig {
            sample_rate: RATE,
            max_block: BLOCK,
            orbits: 4,
            workers: 1,
            ..DirtConfig::default()
        },
        sounds.clone(),
    )
    .unwrap();
    for k in 0..voices {
        let mut values = Controls::default();
        for &(p, x) in params {
            values.set(p, x);
        }
        sender.send(DirtEvent {
            at: None,
            sample: sounds.resolve("pad", 0.0).unwrap(),
            orbit: (k % 4) as u16,
            values,
        });
    }
    engine
}

fn block(engine: &mut DirtEngine, buffers: &mut [[f32; BLOCK]; 10]) {
    let mut slices: [&mut [f32]; 10] = buffers.each_mut().map(|b| &mut b[..]);
    engine.process(0.0, 1e6 / f64::from(RATE), BLOCK, &mut slices);
}

fn dirt(c: &mut Criterion) {
    let mut buffers = [[0.0f32; BLOCK]; 10];
    let mut group = c.benchmark_group("dirt");
    group.throughput(Throughput::Elements((VOICES * BLOCK) as u64));
    let mut plain = engine(&[], VOICES);
    group.bench_function("voice-frames/plain", |b| {
        b.iter(|| block(&mut plain, &mut buffers))
    });
    let mut filtered = engine(
        &[(Control::Cutoff, 1_500.0), (Control::Resonance, 0.3)],
        VOICES,
    );
    group.bench_function("voice-frames/low-pass", |b| {
        b.iter(|| block(&mut filtered, &mut buffers))
    });
    group.throughput(Throughput::Elements(BLOCK as u64));
    let mut effects = engine(&[(Control::Delay, 0.5), (Control::Room, 0.5)], 4);
    group.bench_function("orbit-effects/4-delays-4-reverbs", |b| {
        b.iter(|| block(&mut effects, &mut buffers))
    });
    group.finish();
}

criterion_group!(benches, dirt);
criterion_main!(benches);
