//! How soon a helper joins a block that arrives once per audio period, with helpers that park
//! after a short spin (woken by the caller each block) and with paced helpers (told when the
//! next block is due, they sleep until just before it and spin from there). Prints, per period,
//! the join latency, how often the caller had to wake a parked helper, and the CPU time the
//! helper spent.
//!
//! `cargo run --release -p scheduler --example wake_latency -- --seconds 5`
//! (as root, the caller and helpers run SCHED_FIFO as under JACK).

use clap::Parser;
use scheduler::{Pool, PoolConfig, Stages};
use std::time::{Duration, Instant};

/// Measure how soon helpers join periodic blocks.
#[derive(Parser)]
struct Args {
    /// Seconds per row.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
}

/// Makes the calling thread SCHED_FIFO at `priority` if allowed; true if it is.
fn real_time(priority: i32) -> bool {
    let param = libc::sched_param {
        sched_priority: priority,
    };
    // SAFETY: changes the calling thread's policy only; `param` outlives the call.
    unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) == 0 }
}

/// CPU time a thread of this process has used, from /proc.
fn cpu_time(tid: i32) -> Duration {
    let text =
        std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).unwrap_or_default();
    let nanos = text
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(nanos)
}

struct Row {
    joins: Vec<f64>,
    wakes: u64,
    blocks: u64,
    helper_cpu: Duration,
    elapsed: Duration,
}

fn run(period: Duration, paced: bool, seconds: f64) -> Row {
    let mut pool = Pool::new(PoolConfig {
        workers: 2,
        pin_cores: true,
        on_thread_start: Some(std::sync::Arc::new(|_| {
            real_time(64);
        })),
        ..PoolConfig::default()
    })
    .expect("start the pool");
    if let Some(cpu) = pool.caller_cpu() {
        let _ = scheduler::placement::pin_current_thread(cpu);
    }
    let helper = pool.helpers()[0].tid;
    // Two jobs of ~20 µs in one stage: the caller wants the helper for one of them.
    let mut stages = Stages::from_widths(&[2]).expect("layout");
    let spin = |_: usize, _: &scheduler::JobContext<'_>| {
        let until = Instant::now() + Duration::from_micros(20);
        while Instant::now() < until {
            std::hint::spin_loop();
        }
    };
    let blocks = (seconds / period.as_secs_f64()) as u64;
    let cpu_before = cpu_time(helper);
    let started = Instant::now();
    let mut next = started + period;
    let mut joins = Vec::with_capacity(blocks as usize);
    let wakes_before = pool.stats().helper_wakes;
    for _ in 0..blocks {
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        }
        pool.run(&mut stages, spin).expect("no job panics");
        if let Some(join) = pool.last_join() {
            joins.push(join.as_secs_f64() * 1e6);
        }
        next += period;
        pool.expect_next_block(paced.then_some(next));
    }
    Row {
        joins,
        wakes: pool.stats().helper_wakes - wakes_before,
        blocks,
        helper_cpu: cpu_time(helper) - cpu_before,
        elapsed: started.elapsed(),
    }
}

fn main() {
    let args = Args::parse();
    let rt = std::thread::spawn(|| real_time(65)).join().unwrap_or(false);
    println!(
        "{} CPUs, caller {}; helper join latency of periodic blocks (2 workers, pinned)",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        if rt {
            "SCHED_FIFO 65"
        } else {
            "SCHED_OTHER (not root?)"
        }
    );
    println!(
        "{:>8} {:>7} {:>9} {:>9} {:>9} {:>11} {:>12}",
        "period", "helpers", "join p50", "join p99", "join max", "wakes/blk", "helper CPU"
    );
    for frames in [64u32, 128, 256] {
        let period = Duration::from_secs_f64(f64::from(frames) / 48_000.0);
        for paced in [false, true] {
            // Each row on a thread of its own: the caller pins itself to the CPU the pool keeps
            // for it, as JACK's process thread is pinned.
            let seconds = args.seconds;
            let mut row = std::thread::spawn(move || {
                real_time(65);
                run(period, paced, seconds)
            })
            .join()
            .expect("the row ran");
            row.joins.sort_by(f64::total_cmp);
            let at = |p: usize| {
                row.joins
                    .get((row.joins.len() * p / 100).min(row.joins.len().saturating_sub(1)))
                    .copied()
                    .unwrap_or(f64::NAN)
            };
            println!(
                "{:>5} fr {:>7} {:>6.1} µs {:>6.1} µs {:>6.0} µs {:>11.3} {:>11.1}%",
                frames,
                if paced { "paced" } else { "parked" },
                at(50),
                at(99),
                row.joins.last().copied().unwrap_or(f64::NAN),
                row.wakes as f64 / row.blocks as f64,
                100.0 * row.helper_cpu.as_secs_f64() / row.elapsed.as_secs_f64(),
            );
        }
    }
}
