//! Query cost of one audio block (512 frames at 44.1 kHz, 0.5 cycles per second) for the
//! stress pattern and a drum pattern, near cycle 1 and near cycle 1,000,000.
//!
//! `cargo bench -p benches --bench pattern`

use benches::patterns::{block_span, drums, stress};
use bumpalo::Bump;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use pattern::{Item, Pattern, Span, Time};
use std::hint::black_box;

/// Benchmarks querying consecutive blocks, so every position in the cycle is measured.
fn bench_blocks<T: Item>(c: &mut Criterion, name: &str, p: &Pattern<T>) {
    let mut group = c.benchmark_group(format!("pattern_block/{name}"));
    let block = block_span(512, 44_100, Time::new(1, 2));
    for first_cycle in [1i64, 1_000_000] {
        let mut arena = Bump::with_capacity(1 << 20);
        let mut begin = Time::from_int(first_cycle);
        let wrap = Time::from_int(first_cycle + 64);
        group.bench_function(BenchmarkId::new("cycle", first_cycle), |b| {
            b.iter(|| {
                arena.reset();
                let span = Span::new(begin, begin + block);
                black_box(p.query(span, &arena).len());
                begin = if span.end >= wrap {
                    Time::from_int(first_cycle)
                } else {
                    span.end
                };
            })
        });
    }
    group.finish();
}

fn patterns(c: &mut Criterion) {
    bench_blocks(c, "stress", &stress());
    bench_blocks(c, "drums", &drums());
}

criterion_group!(benches, patterns);
criterion_main!(benches);
