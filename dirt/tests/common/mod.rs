//! An engine over a small bank of test sounds, and events to feed it.
#![allow(dead_code)]

use dirt::{
    Control, Controls, DirtConfig, DirtEngine, DirtEvent, DirtStats, EventSender, SoundTable,
};
use dsp::samples::bank::{Sample, SampleBank};
use std::sync::Arc;

pub const RATE: u32 = 48_000;
/// The monotonic time (µs) of frame 0.
pub const START: u64 = 10_000_000;
/// Microseconds per frame at 48 kHz.
pub const MICROS: f64 = 1e6 / RATE as f64;

/// `click`: 1.0 for 16 frames, then silence to 64. `ramp`: 0 to 1 over 1,000 frames.
/// `tone`: one second of a 480 Hz sine at full scale. `two`: 0.5 and 0.25 (two files).
pub fn sounds() -> Arc<SoundTable> {
    Arc::new(SoundTable::from_bank(&bank()))
}

/// The bank [`sounds`] flattens.
pub fn bank() -> SampleBank {
    let mut bank = SampleBank::builtin(RATE);
    let mono = |v: Vec<f32>| Sample {
        channels: vec![v.into_boxed_slice()],
    };
    bank.insert(
        "click",
        vec![mono(
            (0..64).map(|i| if i < 16 { 1.0 } else { 0.0 }).collect(),
        )],
    );
    bank.insert(
        "ramp",
        vec![mono((0..1000).map(|i| i as f32 / 1000.0).collect())],
    );
    bank.insert(
        "tone",
        vec![mono(
            (0..48_000)
                .map(|i| (std::f32::consts::TAU * 480.0 * i as f32 / 48_000.0).sin())
                .collect(),
        )],
    );
    bank.insert("two", vec![mono(vec![0.5; 4800]), mono(vec![0.25; 4800])]);
    bank
}

pub fn engine(
    workers: usize,
    orbits: usize,
) -> (DirtEngine, EventSender, Arc<DirtStats>, Arc<SoundTable>) {
    let table = sounds();
    let (engine, _, sender, stats) = DirtEngine::new(
        DirtConfig {
            sample_rate: RATE,
            max_block: 256,
            orbits,
            workers,
            ..DirtConfig::default()
        },
        table.clone(),
    )
    .expect("engine");
    (engine, sender, stats, table)
}

/// An event for `sound` at frame `frame` (time 0 is frame 0) on `orbit` with `params`.
pub fn event(
    table: &SoundTable,
    sound: &str,
    frame: u64,
    orbit: u16,
    params: &[(Control, f64)],
) -> DirtEvent {
    let mut values = Controls::default();
    for &(p, x) in params {
        values.set(p, x);
    }
    DirtEvent {
        at: Some(START + (frame as f64 * MICROS).round() as u64),
        sample: table
            .resolve(sound, values.or(Control::N, 0.0))
            .expect("a test sound"),
        orbit,
        values,
    }
}

/// Renders `frames` frames in `block`-frame blocks from time 0 (at `START`): the main
/// pair then each orbit's pair.
pub fn render(engine: &mut DirtEngine, frames: usize, block: usize) -> Vec<Vec<f32>> {
    let channels = 2 + 2 * engine.orbits();
    let mut out: Vec<Vec<f32>> = vec![Vec::with_capacity(frames); channels];
    let mut buffers: Vec<Vec<f32>> = vec![vec![0.0; block]; channels];
    let mut done = 0;
    while done < frames {
        let n = block.min(frames - done);
        let mut slices: Vec<&mut [f32]> = buffers.iter_mut().map(|b| &mut b[..n]).collect();
        engine.process(START as f64 + done as f64 * MICROS, MICROS, n, &mut slices);
        for (o, b) in out.iter_mut().zip(&buffers) {
            o.extend_from_slice(&b[..n]);
        }
        done += n;
    }
    out
}

/// The first frame whose magnitude passes `threshold`.
pub fn onset(x: &[f32], threshold: f32) -> Option<usize> {
    x.iter().position(|v| v.abs() > threshold)
}

/// The level of one frequency in `x`, through a Hann window.
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
