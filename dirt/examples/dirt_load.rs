//! How many events per second `phonon dirt`'s engine sustains at 128 frames: 4 orbits whose
//! events all send to the orbit's delay and reverb, rendered offline at 48 kHz for 10 s per
//! row, events spread evenly (kit sounds cut to 50 ms, a low-pass on half of them). A row keeps
//! up when its longest block is shorter than the 2.67 ms period (`p99`: all but the slowest 1%).
//!
//! `cargo run --release -p dirt --example dirt_load [WORKERS…]`

use dirt::{Control, Controls, DirtConfig, DirtEngine, DirtEvent, SoundTable};
use dsp::samples::bank::SampleBank;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RATE: u32 = 48_000;
const BLOCK: usize = 128;
const SECONDS: usize = 10;

fn main() {
    let workers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let workers = if workers.is_empty() {
        vec![1, 2]
    } else {
        workers
    };
    let sounds = Arc::new(SoundTable::from_bank(&SampleBank::builtin(RATE)));
    let kit = ["bd", "sn", "hh", "oh", "cp", "rim", "tom", "perc"];
    let period = Duration::from_secs_f64(BLOCK as f64 / f64::from(RATE));
    println!(
        "{} cores; {BLOCK} frames at {RATE} Hz (period {:.0} µs), 4 orbits with delay and reverb, {SECONDS} s a row",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        period.as_secs_f64() * 1e6
    );
    println!(
        "{:>8} {:>7} {:>9} {:>9} {:>9} {:>7} {:>7} {:>6}",
        "events/s", "workers", "mean µs", "p99 µs", "max µs", "voices", "steals", "keeps"
    );
    for rate in [500u64, 1_000, 2_000, 4_000, 8_000] {
        for &w in &workers {
            let (mut engine, mut controller, mut sender, _) = DirtEngine::new(
                DirtConfig {
                    sample_rate: RATE,
                    max_block: BLOCK,
                    orbits: 4,
                    workers: w,
                    pin_cores: w > 1,
                    ..DirtConfig::default()
                },
                sounds.clone(),
            )
            .expect("engine");
            let mut buffers = [[0.0f32; BLOCK]; 10];
            let blocks = SECONDS * RATE as usize / BLOCK;
            let micros = 1e6 / f64::from(RATE);
            let mut times = Vec::with_capacity(blocks);
            let mut sent = 0u64;
            let (mut max_voices, mut steals) = (0, 0);
            for b in 0..blocks {
                // Events due in the next 100 ms are queued, as packets arrive ahead.
                let horizon = (b as f64 * BLOCK as f64 * micros + 100_000.0) as u64;
                while sent * 1_000_000 / rate < horizon {
                    let mut values = Controls::default();
                    values.set(Control::Sustain, 0.05);
                    values.set(Control::Delay, 0.3);
                    values.set(Control::Room, 0.3);
                    values.set(Control::Pan, (sent % 7) as f64 / 6.0);
                    if sent % 2 == 0 {
                        values.set(Control::Cutoff, 2_000.0);
                    }
                    let event = DirtEvent {
                        at: Some(1_000_000 + sent * 1_000_000 / rate),
                        sample: sounds.resolve(kit[sent as usize % kit.len()], 0.0).unwrap(),
                        orbit: (sent % 4) as u16,
                        values,
                    };
                    if !sender.send(event) {
                        break;
                    }
                    sent += 1;
                }
                let mut slices: [&mut [f32]; 10] = buffers.each_mut().map(|b| &mut b[..]);
                let started = Instant::now();
                engine.process(
                    1_000_000.0 + (b * BLOCK) as f64 * micros,
                    micros,
                    BLOCK,
                    &mut slices,
                );
                times.push(started.elapsed());
                for report in controller.reports() {
                    max_voices = max_voices.max(report.voices);
                    steals = report.steals;
                }
            }
            let warm = &mut times[RATE as usize / BLOCK..];
            warm.sort();
            let mean = warm.iter().sum::<Duration>() / warm.len() as u32;
            let p99 = warm[warm.len() * 99 / 100];
            let max = *warm.last().unwrap();
            println!(
                "{rate:>8} {w:>7} {:>9.1} {:>9.1} {:>9.1} {max_voices:>7} {:>7} {:>6}",
                mean.as_secs_f64() * 1e6,
                p99.as_secs_f64() * 1e6,
                max.as_secs_f64() * 1e6,
                steals,
                if max < period {
                    "yes"
                } else if p99 < period {
                    "p99"
                } else {
                    "no"
                },
            );
        }
    }
}
