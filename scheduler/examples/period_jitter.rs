//! How steady this machine is for real-time audio, with no engine involved: a SCHED_FIFO thread
//! does a fixed amount of arithmetic (600 µs by default) every 2.67 ms period (128 frames at
//! 48 kHz) for 10 s and reports how long that work took — median, 99th percentile, longest —
//! and how many periods it overran. On a steady machine the work takes the same time every
//! period; where it does not, xruns of any JACK client follow.
//!
//! `cargo run --release -p scheduler --example period_jitter [WORK_MICROS]`

use std::time::{Duration, Instant};

fn work(x: &mut [f32], rounds: usize) {
    for _ in 0..rounds {
        for v in x.iter_mut() {
            *v = (*v * 1.0001 + 0.0001).min(2.0);
        }
    }
}

fn main() {
    let target = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .map_or(Duration::from_micros(600), Duration::from_micros);
    let param = libc::sched_param { sched_priority: 70 };
    // SAFETY: sets the calling thread's policy; `param` outlives the call.
    let refused =
        unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) };
    if refused != 0 {
        eprintln!("note: SCHED_FIFO refused (run as root or with an rtprio limit); measuring at normal priority");
    }
    let period = Duration::from_micros(2_667);
    let mut x = vec![0.5f32; 4096];
    let started = Instant::now();
    work(&mut x, 100);
    let rounds = (target.as_nanos() / (started.elapsed() / 100).as_nanos().max(1)) as usize;
    let mut times = Vec::with_capacity(3_750);
    let mut next = Instant::now();
    for _ in 0..3_750 {
        let t = Instant::now();
        work(&mut x, rounds);
        times.push(t.elapsed());
        next += period;
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
    times.sort();
    let over = times.iter().filter(|t| **t > period).count();
    println!(
        "{target:?} of work every {period:?}, {} periods: p50 {:?} p99 {:?} max {:?}; {over} over the period ({})",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 99 / 100],
        times[times.len() - 1],
        x[0]
    );
}
