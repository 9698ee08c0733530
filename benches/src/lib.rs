//! Workloads and baselines shared by Phonon's benchmarks and comparison harnesses.

#![deny(missing_docs)]

use rayon::prelude::*;
use scheduler::Stages;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Arithmetic that the optimiser cannot remove: `iterations` rounds of a multiply-add chain.
pub fn arithmetic(iterations: u64) -> f64 {
    let mut x = black_box(1.000_000_1_f64);
    for i in 0..iterations {
        x = x.mul_add(1.000_000_01, (i & 7) as f64 * 1e-9);
    }
    black_box(x)
}

/// How many [`arithmetic`] iterations take about `target` on this machine (median of 5 runs).
pub fn calibrate(target: Duration) -> u64 {
    let probe = 100_000;
    let mut per_iteration: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            arithmetic(probe);
            start.elapsed().as_secs_f64() / probe as f64
        })
        .collect();
    per_iteration.sort_by(f64::total_cmp);
    (target.as_secs_f64() / per_iteration[2]).max(1.0) as u64
}

/// Runs every job of `stages` in order on the calling thread: the sequential baseline.
pub fn run_sequential(stages: &Stages, job: impl Fn(usize)) {
    for k in 0..stages.stage_count() {
        for &j in stages.stage(k) {
            job(j as usize);
        }
    }
}

/// Runs `stages` on a rayon pool from a thread outside it, one parallel loop per stage, the way
/// a JACK callback would have to call rayon.
pub fn run_rayon(pool: &rayon::ThreadPool, stages: &Stages, job: impl Fn(usize) + Sync) {
    for k in 0..stages.stage_count() {
        let ids = stages.stage(k);
        pool.install(|| ids.par_iter().for_each(|&j| job(j as usize)));
    }
}

/// A rayon pool of `threads` threads.
pub fn rayon_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("rayon-{i}"))
        .build()
        .expect("rayon pool")
}

/// The benchmark patterns, compiled from the patch language as the engine plays them: the
/// stress patch's sound pattern and a 16-step drum pattern.
pub mod patterns {
    use graph::diagnostic::Source;
    use graph::values::Pat;
    use graph::Registry;
    use pattern::mini::ValueType;
    use pattern::{Pattern, Sound, Time};

    fn sounds(expr: &str) -> Pattern<Sound> {
        let source = Source::new("bench", expr);
        match graph::query::evaluate(&source, &Registry::standard(), ValueType::Double) {
            Ok(Pat::Sound(p)) => p,
            _ => panic!("the benchmark pattern `{expr}` compiles to sounds"),
        }
    }

    /// `jux rev $ stut 16 0.5 0.125 $ s "bd*32"`: 1,024 events per cycle.
    pub fn stress() -> Pattern<Sound> {
        sounds("jux rev $ stut 16 0.5 0.125 $ s \"bd*32\"")
    }

    /// A 16-step drum pattern with alternation, a patterned Euclidean hi-hat and `every`.
    pub fn drums() -> Pattern<Sound> {
        sounds(
            "every 3 rev $ s \"[bd ~ ~ bd ~ ~ <sn cp> ~ bd ~ bd ~ <sn [sn cp]> ~ ~ ~, hh(<7 9>,16,<0 2>)]\"",
        )
    }

    /// The span of one block in cycles: `frames` at `sample_rate` and `cps` cycles per second.
    pub fn block_span(frames: i64, sample_rate: i64, cps: Time) -> Time {
        Time::new(frames, sample_rate) * cps
    }
}
