//! A helper starved on the caller's CPU: it holds a started job at a lower real-time priority
//! than the caller, so it can only run when the caller gives the CPU up. Before, the caller spun
//! for ever waiting for it (the audio thread froze for seconds); now, past twice its deadline,
//! it waits in short sleeps and the block ends soon after the job's own length. (Completion is
//! the check; the watchdog only turns a regression's hang into a failure.)

use scheduler::placement::{allowed_cpus, pin_current_thread};
use scheduler::{Pool, PoolConfig, Stages};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn real_time(priority: i32) -> bool {
    let param = libc::sched_param {
        sched_priority: priority,
    };
    // SAFETY: sets the calling thread's own scheduling policy; `param` is a valid struct.
    unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_FIFO, &param) == 0 }
}

fn normal() {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: as above.
    unsafe { libc::pthread_setschedparam(libc::pthread_self(), libc::SCHED_OTHER, &param) };
}

fn spin_for(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

#[test]
fn a_helper_starved_on_the_callers_cpu_delays_a_block_by_its_own_job_only() {
    let cpu = allowed_cpus()[0];
    // A watchdog, started before anything is pinned or real-time (threads inherit both): a
    // regression hangs the block below for ever.
    std::thread::spawn(|| {
        std::thread::sleep(Duration::from_secs(30));
        eprintln!("the caller is still waiting for a starved helper after 30 s");
        std::process::abort();
    });
    let caller = std::thread::spawn(move || {
        pin_current_thread(cpu).expect("pin the caller");
        if !real_time(20) {
            eprintln!("skipped: no real-time scheduling here (run as root or with rtprio)");
            return None;
        }
        let stolen = Arc::new(AtomicUsize::new(usize::MAX));
        let mut pool = Pool::new(PoolConfig {
            workers: 2,
            on_thread_start: Some(Arc::new(move |_| {
                pin_current_thread(cpu).expect("pin the helper");
                assert!(real_time(10), "helper real-time");
            })),
            ..PoolConfig::default()
        })
        .expect("pool");
        pool.set_take_back(Some(Duration::from_millis(1)));
        let mut stages = Stages::from_widths(&[8]).unwrap();
        let mut longest = Duration::ZERO;
        for _ in 0..5 {
            let start = Instant::now();
            pool.run(&mut stages, |job, ctx| {
                if ctx.worker() == 0 && job == 0 {
                    // The caller leaves its CPU for a moment: the helper runs, steals half
                    // the stage and starts a job, and is preempted when the caller wakes.
                    std::thread::sleep(Duration::from_millis(2));
                } else if ctx.worker() == 1 {
                    stolen.store(job, Ordering::Relaxed);
                    spin_for(Duration::from_millis(4));
                }
            })
            .expect("no job panics");
            longest = longest.max(start.elapsed());
        }
        let stats = pool.stats();
        normal();
        Some((longest, stats, stolen.load(Ordering::Relaxed)))
    });
    let Some((longest, stats, stolen)) = caller.join().expect("caller") else {
        return;
    };
    assert_ne!(stolen, usize::MAX, "the helper never took a job: {stats:?}");
    assert!(
        stats.stalled_blocks > 0,
        "the caller never had to wait: {stats:?}"
    );
    assert_eq!(stats.blocks, 5);
    eprintln!("longest block {longest:?} (a starved 4 ms job after a 2 ms sleep); {stats:?}");
}
