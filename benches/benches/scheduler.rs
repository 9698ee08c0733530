//! Scheduler benchmarks: per-block overhead with empty jobs and throughput with ~50 µs jobs,
//! each against a sequential loop on the caller and rayon called from outside its pool.
//!
//! `cargo bench -p benches --bench scheduler`

use benches::{arithmetic, calibrate, rayon_pool, run_rayon, run_sequential};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use scheduler::{Pool, PoolConfig, Stages};
use std::hint::black_box;
use std::time::Duration;

const WORKERS: usize = 2;

fn pool() -> Pool {
    Pool::new(PoolConfig {
        workers: WORKERS,
        pin_cores: true,
        ..PoolConfig::default()
    })
    .expect("pool")
}

fn block_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("block_overhead");
    let mut pool = pool();
    let rayon = rayon_pool(WORKERS);
    for (stages, width) in [(1, 1), (8, 8), (16, 64)] {
        let mut plan = Stages::from_widths(&vec![width; stages]).unwrap();
        let layout = format!("{stages}x{width}");
        group.throughput(Throughput::Elements((stages * width) as u64));
        group.bench_function(BenchmarkId::new("sequential", &layout), |b| {
            b.iter(|| {
                run_sequential(&plan, |j| {
                    black_box(j);
                })
            })
        });
        group.bench_function(BenchmarkId::new("rayon", &layout), |b| {
            b.iter(|| {
                run_rayon(&rayon, &plan, |j| {
                    black_box(j);
                })
            })
        });
        group.bench_function(BenchmarkId::new("pool", &layout), |b| {
            b.iter(|| {
                pool.run(&mut plan, |j, _| {
                    black_box(j);
                })
                .unwrap()
            })
        });
    }
    group.finish();
}

fn throughput(c: &mut Criterion) {
    let iterations = calibrate(Duration::from_micros(50));
    let mut group = c.benchmark_group("throughput_4x16_50us");
    group.sample_size(30);
    group.throughput(Throughput::Elements(64));
    let mut pool = pool();
    let rayon = rayon_pool(WORKERS);
    let mut plan = Stages::from_widths(&[16; 4]).unwrap();
    group.bench_function("sequential", |b| {
        b.iter(|| {
            run_sequential(&plan, |_| {
                arithmetic(iterations);
            })
        })
    });
    group.bench_function("rayon", |b| {
        b.iter(|| {
            run_rayon(&rayon, &plan, |_| {
                arithmetic(iterations);
            })
        })
    });
    group.bench_function("pool", |b| {
        b.iter(|| {
            pool.run(&mut plan, |_, _| {
                arithmetic(iterations);
            })
            .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, block_overhead, throughput);
criterion_main!(benches);
