//! Behaviour of `Pool::run` under random layouts, random job lengths, panics and odd sizes.

use proptest::prelude::*;
use scheduler::{Pool, PoolConfig, Stages};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn pool(workers: usize) -> Pool {
    Pool::new(PoolConfig {
        workers,
        idle_spin: Duration::from_micros(20),
        ..PoolConfig::default()
    })
    .unwrap()
}

/// Records, per job, the block it last finished in, and checks stage order as jobs start.
struct OrderCheck {
    stage_of: Vec<usize>,
    finished_in: Vec<AtomicU64>,
    runs: Vec<AtomicU64>,
    violations: AtomicUsize,
}

impl OrderCheck {
    fn new(stages: &Stages) -> OrderCheck {
        let mut stage_of = vec![0; stages.job_count()];
        for k in 0..stages.stage_count() {
            for &j in stages.stage(k) {
                stage_of[j as usize] = k;
            }
        }
        OrderCheck {
            stage_of,
            finished_in: (0..stages.job_count()).map(|_| AtomicU64::new(0)).collect(),
            runs: (0..stages.job_count()).map(|_| AtomicU64::new(0)).collect(),
            violations: AtomicUsize::new(0),
        }
    }

    fn job(&self, stages: &[Vec<u32>], block: u64, job: usize) {
        let stage = self.stage_of[job];
        if stage > 0 {
            for &before in &stages[stage - 1] {
                if self.finished_in[before as usize].load(Ordering::Acquire) != block {
                    self.violations.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        self.runs[job].fetch_add(1, Ordering::Relaxed);
        self.finished_in[job].store(block, Ordering::Release);
    }
}

fn layout() -> impl Strategy<Value = Vec<Vec<usize>>> {
    prop::collection::vec(1usize..40, 1..8).prop_flat_map(|widths| {
        let total: usize = widths.iter().sum();
        Just((0..total).collect::<Vec<_>>())
            .prop_shuffle()
            .prop_map(move |ids| {
                let mut rest = &ids[..];
                widths
                    .iter()
                    .map(|&w| {
                        let (stage, tail) = rest.split_at(w);
                        rest = tail;
                        stage.to_vec()
                    })
                    .collect()
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// With `take_back`, the caller takes back unstarted jobs as soon as it runs out of work,
    /// racing the helpers for every job.
    #[test]
    fn every_job_runs_once_per_block_in_stage_order(
        layout in layout(),
        workers in 1usize..=4,
        blocks in 1u64..40,
        take_back in any::<bool>(),
    ) {
        let mut stages = Stages::new(&layout).unwrap();
        let ids: Vec<Vec<u32>> = (0..stages.stage_count()).map(|k| stages.stage(k).to_vec()).collect();
        let check = OrderCheck::new(&stages);
        let mut pool = pool(workers);
        pool.set_take_back(take_back.then_some(Duration::ZERO));
        for block in 1..=blocks {
            pool.run(&mut stages, |job, _| check.job(&ids, block, job)).unwrap();
            for runs in &check.runs {
                prop_assert_eq!(runs.load(Ordering::Relaxed), block);
            }
        }
        prop_assert_eq!(check.violations.load(Ordering::Relaxed), 0);
        prop_assert_eq!(pool.stats().blocks, blocks);
    }
}

/// A tiny deterministic generator, so failures reproduce.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn spin_for(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}

#[test]
fn jobs_of_random_length_keep_order_and_count() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut pool = pool(4);
    for block in 1..=300u64 {
        let widths: Vec<usize> = (0..1 + rng.below(6))
            .map(|_| 1 + rng.below(48) as usize)
            .collect();
        let mut stages = Stages::from_widths(&widths).unwrap();
        let ids: Vec<Vec<u32>> = (0..stages.stage_count())
            .map(|k| stages.stage(k).to_vec())
            .collect();
        let check = OrderCheck::new(&stages);
        let lengths: Vec<Duration> = (0..stages.job_count())
            .map(|_| Duration::from_nanos(rng.below(30_000)))
            .collect();
        pool.run(&mut stages, |job, _| {
            spin_for(lengths[job]);
            check.job(&ids, block, job);
        })
        .unwrap();
        assert!(check.runs.iter().all(|r| r.load(Ordering::Relaxed) == 1));
        assert_eq!(check.violations.load(Ordering::Relaxed), 0, "block {block}");
    }
}

#[test]
fn plain_writes_of_one_stage_are_seen_by_the_next_and_by_the_caller() {
    struct Cells(Vec<std::cell::UnsafeCell<u64>>);
    // SAFETY: each cell is written by exactly one job and read only after its stage finished.
    unsafe impl Sync for Cells {}
    let width = 64;
    let cells = Cells(
        (0..2 * width)
            .map(|_| std::cell::UnsafeCell::new(0))
            .collect(),
    );
    let mut stages = Stages::from_widths(&[width, width]).unwrap();
    let cells = &cells;
    let mut pool = pool(3);
    for block in 1..=500u64 {
        pool.run(&mut stages, |job, _| unsafe {
            if job < width {
                *cells.0[job].get() = block * 1000 + job as u64;
            } else {
                let source = *cells.0[job - width].get();
                *cells.0[job].get() = source + 1;
            }
        })
        .unwrap();
        for j in 0..width {
            let expect = block * 1000 + j as u64 + 1;
            assert_eq!(unsafe { *cells.0[width + j].get() }, expect);
        }
    }
}

#[test]
fn a_panicking_job_is_reported_and_the_pool_keeps_working() {
    let mut pool = pool(3);
    let mut stages = Stages::from_widths(&[8, 8, 8]).unwrap();
    let runs: Vec<AtomicU64> = (0..24).map(|_| AtomicU64::new(0)).collect();
    let result = pool.run(&mut stages, |job, _| {
        runs[job].fetch_add(1, Ordering::Relaxed);
        if job == 11 {
            panic!("job 11 fails on purpose");
        }
    });
    assert_eq!(result.unwrap_err().job, 11);
    assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1));
    assert_eq!(pool.stats().job_panics, 1);
    for _ in 0..100 {
        pool.run(&mut stages, |job, _| {
            runs[job].fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    }
    assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 101));
}

thread_local! {
    static ALIVE: std::cell::RefCell<Option<AliveGuard>> = const { std::cell::RefCell::new(None) };
}

struct AliveGuard(Arc<AtomicUsize>);

impl Drop for AliveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn dropping_the_pool_joins_its_helpers() {
    let alive = Arc::new(AtomicUsize::new(0));
    let counter = alive.clone();
    let mut pool = Pool::new(PoolConfig {
        workers: 4,
        idle_spin: Duration::ZERO,
        on_thread_start: Some(Arc::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            ALIVE.with(|a| *a.borrow_mut() = Some(AliveGuard(counter.clone())));
        })),
        ..PoolConfig::default()
    })
    .unwrap();
    let mut stages = Stages::from_widths(&[4]).unwrap();
    pool.run(&mut stages, |_, _| {}).unwrap();
    // Wait for every helper to have started (a loaded machine may be slow to schedule them),
    // then long enough for them to park, so drop has to wake them.
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive.load(Ordering::SeqCst) < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(alive.load(Ordering::SeqCst), 3);
    drop(pool);
    assert_eq!(alive.load(Ordering::SeqCst), 0);
}

#[test]
fn more_workers_than_cores_still_work() {
    let workers = 4 * std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut pool = pool(workers);
    let mut stages = Stages::from_widths(&[3, 100, 1, 17]).unwrap();
    let runs: Vec<AtomicU64> = (0..stages.job_count()).map(|_| AtomicU64::new(0)).collect();
    let by_worker: Vec<AtomicU64> = (0..workers).map(|_| AtomicU64::new(0)).collect();
    for _ in 0..200 {
        pool.run(&mut stages, |job, ctx| {
            runs[job].fetch_add(1, Ordering::Relaxed);
            by_worker[ctx.worker()].fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    }
    assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 200));
    let total: u64 = by_worker.iter().map(|w| w.load(Ordering::Relaxed)).sum();
    assert_eq!(total, 200 * stages.job_count() as u64);
}

/// A pool whose helpers join every block the graph is wide enough for, for the tests whose jobs
/// wait for each other (the staffing may leave helpers out, which real jobs never mind).
fn fully_staffed(workers: usize) -> Pool {
    Pool::new(PoolConfig {
        workers,
        idle_spin: Duration::from_micros(20),
        staffing: false,
        ..PoolConfig::default()
    })
    .unwrap()
}

#[test]
fn helpers_sleep_between_sparse_blocks_and_wake_for_the_next() {
    let mut pool = fully_staffed(3);
    let mut stages = Stages::from_widths(&[2, 2]).unwrap();
    let seen_helper = AtomicBool::new(false);
    let barrier_hits = AtomicUsize::new(0);
    for _ in 0..30 {
        std::thread::sleep(Duration::from_millis(2));
        barrier_hits.store(0, Ordering::SeqCst);
        // Both jobs of the stage wait for each other, so the block finishes only if a parked
        // helper was woken to run one of them.
        pool.run(&mut stages, |_, ctx| {
            if ctx.worker() != 0 {
                seen_helper.store(true, Ordering::Relaxed);
            }
            barrier_hits.fetch_add(1, Ordering::SeqCst);
            let target = if barrier_hits.load(Ordering::SeqCst) <= 2 {
                2
            } else {
                4
            };
            while barrier_hits.load(Ordering::SeqCst) < target {
                std::hint::spin_loop();
            }
        })
        .unwrap();
    }
    assert!(seen_helper.load(Ordering::Relaxed));
}

/// Runs a block of two jobs that wait for each other, so it finishes only if a helper joins.
fn run_pair(pool: &mut Pool, stages: &mut Stages) -> bool {
    let hits = AtomicUsize::new(0);
    let helper = AtomicBool::new(false);
    pool.run(stages, |_, ctx| {
        if ctx.worker() != 0 {
            helper.store(true, Ordering::Relaxed);
        }
        hits.fetch_add(1, Ordering::SeqCst);
        while hits.load(Ordering::SeqCst) < 2 {
            std::hint::spin_loop();
        }
    })
    .unwrap();
    helper.load(Ordering::Relaxed)
}

#[test]
fn paced_helpers_join_blocks_that_come_on_time_early_or_late() {
    let mut pool = Pool::new(PoolConfig {
        workers: 2,
        pin_cores: true,
        idle_spin: Duration::from_micros(20),
        staffing: false,
        ..PoolConfig::default()
    })
    .unwrap();
    let mut stages = Stages::from_widths(&[2]).unwrap();
    let period = Duration::from_millis(1);
    let mut next = Instant::now() + period;
    // Each block's jobs need the helper: whether it is spinning for a forecast block, napping
    // until just before one that came early, or parked after one that never came, it joins.
    for block in 0..300u32 {
        let arrival = match block % 10 {
            3 => next - period / 2,
            7 => next + 5 * period,
            _ => next,
        };
        let now = Instant::now();
        if arrival > now {
            std::thread::sleep(arrival - now);
        }
        assert!(
            run_pair(&mut pool, &mut stages),
            "block {block} ran without the helper"
        );
        next = Instant::now().max(next) + period;
        pool.expect_next_block(Some(next));
    }
    // Forecasts withdrawn (the transport stopped): helpers park, and still wake for a block.
    pool.expect_next_block(None);
    std::thread::sleep(Duration::from_millis(5));
    assert!(run_pair(&mut pool, &mut stages));
    assert_eq!(pool.stats().blocks, 301);
    assert!(pool.last_join().is_some());
}

#[test]
fn a_pinned_pool_keeps_a_cpu_for_the_caller_and_says_where_helpers_run() {
    let cpus = scheduler::placement::allowed_cpus();
    let pool = Pool::new(PoolConfig {
        workers: 3,
        pin_cores: true,
        ..PoolConfig::default()
    })
    .unwrap();
    assert_eq!(pool.caller_cpu(), cpus.first().copied());
    let helpers = pool.helpers();
    assert_eq!(helpers.iter().map(|h| h.worker).collect::<Vec<_>>(), [1, 2]);
    for helper in &helpers {
        assert_eq!(
            helper.cpu,
            scheduler::placement::plan(3, &cpus)[helper.worker]
        );
        assert_eq!(helper.pin_error, None);
        let placement = scheduler::placement::placement_of(helper.tid).unwrap();
        assert_eq!(placement.cpus, vec![helper.cpu.unwrap()]);
    }
    if cpus.len() >= 2 {
        for helper in &helpers {
            assert_ne!(
                helper.cpu,
                pool.caller_cpu(),
                "helper {} shares the caller's CPU",
                helper.worker
            );
        }
    }
}

#[test]
fn arena_memory_is_reused_and_growth_is_counted() {
    let mut pool = Pool::new(PoolConfig {
        workers: 2,
        arena_bytes: 4096,
        ..PoolConfig::default()
    })
    .unwrap();
    let mut stages = Stages::from_widths(&[8]).unwrap();
    for _ in 0..50 {
        pool.run(&mut stages, |job, ctx| {
            let buffer = ctx.arena().alloc_slice_fill_copy(64, job as f32);
            assert!(buffer.iter().all(|&x| x == job as f32));
        })
        .unwrap();
    }
    assert_eq!(pool.stats().arena_growths, 0);
    pool.run(&mut stages, |_, ctx| {
        ctx.arena().alloc_slice_fill_copy(64 * 1024, 0u8);
    })
    .unwrap();
    pool.run(&mut stages, |_, _| {}).unwrap();
    assert!(pool.stats().arena_growths >= 1);
}

#[test]
fn run_each_hands_every_job_its_own_item_once_a_block() {
    let mut pool = Pool::new(PoolConfig {
        workers: 4,
        ..PoolConfig::default()
    })
    .unwrap();
    let mut stages = Stages::from_widths(&[7, 3, 12]).unwrap();
    // Plain counters, one per job: a job run twice, or two jobs given one item, shows here.
    let mut runs = vec![0u32; 22];
    for _ in 0..200 {
        pool.run_each(&mut stages, &mut runs, |count, _| *count += 1)
            .unwrap();
    }
    assert!(runs.iter().all(|&n| n == 200), "{runs:?}");
}

#[test]
#[should_panic(expected = "one item per job")]
fn run_each_wants_one_item_per_job() {
    let mut pool = Pool::new(PoolConfig::default()).unwrap();
    let mut stages = Stages::from_widths(&[3]).unwrap();
    let _ = pool.run_each(&mut stages, &mut [0u8; 2], |_, _| {});
}

#[test]
fn run_slots_shows_earlier_stages_this_block_and_later_ones_the_last() {
    let mut pool = Pool::new(PoolConfig {
        workers: 3,
        ..PoolConfig::default()
    })
    .unwrap();
    // Job ids out of stage order, as a compiled graph's are.
    let plan = [vec![4, 1], vec![0, 3], vec![2]];
    let mut stages = Stages::new(&plan).unwrap();
    let stage = |job: usize| plan.iter().position(|s| s.contains(&job)).unwrap();
    let mut runs = vec![0u64; 5];
    let mut outputs = vec![0u64; 5];
    for block in 1..=100u64 {
        pool.run_slots(
            &mut stages,
            &mut runs,
            &mut outputs,
            |k, count, out, slots, _| {
                *count += 1;
                for j in 0..6 {
                    let seen = slots.get(j).copied();
                    let want = match j {
                        5 => None,
                        j if stage(j) == stage(k) => None,
                        j if stage(j) < stage(k) => Some(block * 10 + j as u64),
                        // Not run yet this block: the last block's output (zero before the first).
                        _ if block == 1 => Some(0),
                        j => Some((block - 1) * 10 + j as u64),
                    };
                    assert_eq!(seen, want, "block {block}: job {k} reading job {j}");
                }
                *out = block * 10 + k as u64;
            },
        )
        .unwrap();
    }
    assert!(runs.iter().all(|&n| n == 100), "{runs:?}");
}

#[test]
#[should_panic(expected = "one output per job")]
fn run_slots_wants_one_output_per_job() {
    let mut pool = Pool::new(PoolConfig::default()).unwrap();
    let mut stages = Stages::from_widths(&[3]).unwrap();
    let _ = pool.run_slots(
        &mut stages,
        &mut [0u8; 3],
        &mut [0u8; 2],
        |_, _, _, _, _| {},
    );
}
