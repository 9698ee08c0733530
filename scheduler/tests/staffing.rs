//! Helpers take part only where they make blocks shorter: a graph that cannot use one leaves
//! it parked, costing no CPU time, and a helper whose share of the work gains nothing is left
//! out once measured.

use scheduler::{Pool, PoolConfig, Stages};
use std::time::{Duration, Instant};

fn spin_for(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

/// CPU time (user and system, in clock ticks) thread `tid` of this process has used.
fn cpu_ticks(tid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).unwrap();
    // Fields after the command (in parentheses, which may hold spaces): utime is the 12th.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn a_helper_a_chain_cannot_use_stays_parked_and_costs_nothing() {
    let mut pool = Pool::new(PoolConfig {
        workers: 2,
        ..PoolConfig::default()
    })
    .unwrap();
    let mut stages = Stages::from_widths(&[1, 1]).unwrap();
    let helper = pool.helpers()[0].tid;
    let caller = scheduler::placement::current_thread_id();
    pool.run(&mut stages, |_, _| {}).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let (helper_before, caller_before) = (cpu_ticks(helper), cpu_ticks(caller));
    // Blocks back to back, closer together than a helper's idle spin: one that took part
    // would spin through all of them.
    for _ in 0..5_000 {
        pool.run(&mut stages, |_, _| spin_for(Duration::from_micros(30)))
            .unwrap();
    }
    let helper_ticks = cpu_ticks(helper) - helper_before;
    let caller_ticks = cpu_ticks(caller) - caller_before;
    assert_eq!(pool.stats().helped_blocks, 0, "no block had a helper");
    assert!(
        helper_ticks <= 1,
        "the parked helper used {helper_ticks} ticks"
    );
    // The same measure sees the caller's 150 ms of work: a zero above is no measuring failure.
    assert!(caller_ticks >= 5, "the caller used {caller_ticks} ticks");
}
#[test]
fn a_helper_whose_share_gains_nothing_is_left_out_once_measured() {
    let mut pool = Pool::new(PoolConfig {
        workers: 2,
        ..PoolConfig::default()
    })
    .unwrap();
    // Two jobs side by side, but one does all the work: the block takes as long either way.
    let mut stages = Stages::from_widths(&[2]).unwrap();
    for _ in 0..20 {
        pool.run(&mut stages, |_, _| {}).unwrap();
    }
    assert_eq!(
        pool.stats().active_helpers,
        1,
        "a wide graph starts with its helper"
    );
    // Past the warm-up (64 blocks) and one probe (128).
    for _ in 0..400 {
        pool.run(&mut stages, |job, _| {
            if job == 0 {
                spin_for(Duration::from_micros(200));
            }
        })
        .unwrap();
    }
    assert_eq!(pool.stats().active_helpers, 0, "{:?}", pool.stats());
}
