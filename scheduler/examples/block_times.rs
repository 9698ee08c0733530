//! Times blocks of jobs on the pool against a sequential loop and prints a table.
//!
//! `cargo run --release -p scheduler --example block_times -- --workers 2`

use clap::Parser;
use scheduler::{Pool, PoolConfig, Stages};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Time staged blocks on the work-stealing pool against a plain loop.
#[derive(Parser)]
struct Args {
    /// Workers including the calling thread.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: u16,
    /// Blocks to time per layout.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(10..))]
    blocks: u32,
    /// Pin helper threads to cores.
    #[arg(long)]
    pin: bool,
}

/// Multiply-adds the optimiser cannot remove.
fn arithmetic(iterations: u32) -> f64 {
    let mut x = black_box(1.000_000_1_f64);
    for i in 0..iterations {
        x = x.mul_add(1.000_000_01, f64::from(i & 7) * 1e-9);
    }
    black_box(x)
}

/// Iterations of `arithmetic` that take about `target`.
fn calibrate(target: Duration) -> u32 {
    let probe = 200_000;
    let start = Instant::now();
    arithmetic(probe);
    let per = start.elapsed().as_secs_f64() / f64::from(probe);
    (target.as_secs_f64() / per).clamp(1.0, f64::from(u32::MAX)) as u32
}

struct Summary {
    mean: f64,
    p99: f64,
    max: f64,
}

fn summarise(mut micros: Vec<f64>) -> Summary {
    micros.sort_by(f64::total_cmp);
    let mean = micros.iter().sum::<f64>() / micros.len() as f64;
    let p99 = micros[(micros.len() * 99 / 100).min(micros.len() - 1)];
    Summary {
        mean,
        p99,
        max: *micros.last().unwrap_or(&0.0),
    }
}

fn time_blocks(blocks: u32, mut block: impl FnMut()) -> Summary {
    for _ in 0..blocks / 10 {
        block();
    }
    let times = (0..blocks)
        .map(|_| {
            let start = Instant::now();
            block();
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    summarise(times)
}

fn main() {
    let args = Args::parse();
    let mut pool = match Pool::new(PoolConfig {
        workers: usize::from(args.workers),
        pin_cores: args.pin,
        ..PoolConfig::default()
    }) {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!(
                "error: could not start {} worker threads: {e}",
                args.workers
            );
            std::process::exit(1);
        }
    };
    let work = calibrate(Duration::from_micros(20));
    println!(
        "{} workers, {} blocks per layout, jobs of ~20 us = {work} multiply-adds\n",
        pool.workers(),
        args.blocks
    );
    println!(
        "{:<22} {:>12} {:>12} {:>10} {:>10} {:>9}",
        "layout", "sequential", "pool mean", "pool p99", "pool max", "speed-up"
    );
    let layouts: [(&str, Vec<usize>, u32); 4] = [
        ("1 x 1, empty", vec![1], 0),
        ("8 x 8, empty", vec![8; 8], 0),
        ("16 x 64, empty", vec![64; 16], 0),
        ("4 x 16, 20 us each", vec![16; 4], work),
    ];
    for (name, widths, iterations) in layouts {
        let mut stages = Stages::from_widths(&widths).expect("valid layout");
        let job = |_: usize| {
            arithmetic(iterations);
        };
        let sequential = time_blocks(args.blocks, || {
            for k in 0..stages.stage_count() {
                for &j in stages.stage(k) {
                    job(j as usize);
                }
            }
        });
        let pooled = time_blocks(args.blocks, || {
            if let Err(e) = pool.run(&mut stages, |j, _| job(j)) {
                eprintln!("error: {e}");
            }
        });
        println!(
            "{:<22} {:>9.2} us {:>9.2} us {:>7.2} us {:>7.2} us {:>8.2}x",
            name,
            sequential.mean,
            pooled.mean,
            pooled.p99,
            pooled.max,
            sequential.mean / pooled.mean
        );
    }
    let stats = pool.stats();
    println!(
        "\n{} blocks run, {} arena growths, {} job panics",
        stats.blocks, stats.arena_growths, stats.job_panics
    );
}
