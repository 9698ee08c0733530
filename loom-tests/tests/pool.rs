//! Model checks of `Pool::run`: the real counters, block publication, parking and shutdown.
#![cfg(loom)]

use loom_tests::model;
use scheduler::sync::{AtomicBool, AtomicUsize, Ordering, UnsafeCell};
use scheduler::{Pool, PoolConfig, Stages};

fn pool(workers: usize) -> Pool {
    Pool::new(PoolConfig {
        workers,
        arena_bytes: 64,
        ..PoolConfig::default()
    })
    .unwrap()
}

/// Plain (non-atomic) cells whose accesses loom checks for races.
struct Cells(Vec<UnsafeCell<u32>>);

// SAFETY: the models only touch a cell from jobs the scheduler orders; loom verifies that.
unsafe impl Sync for Cells {}

impl Cells {
    fn new(n: usize) -> Cells {
        Cells((0..n).map(|_| UnsafeCell::new(0)).collect())
    }

    fn read(&self, i: usize) -> u32 {
        self.0[i].with(|p| unsafe { *p })
    }

    fn write(&self, i: usize, value: u32) {
        self.0[i].with_mut(|p| unsafe { *p = value })
    }
}

/// Runs stages [[0, 1], [2]] once and checks (a) each job runs exactly once, (b) stage 1 sees
/// stage 0's writes, (c) the caller sees them all.
fn jobs_run_once_in_stage_order(pool: &mut Pool) {
    let mut stages = Stages::new(&[vec![0, 1], vec![2]]).unwrap();
    let cells = Cells::new(3);
    let runs: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
    pool.run(&mut stages, |job, _| {
        runs[job].fetch_add(1, Ordering::Relaxed);
        if job == 2 {
            assert_eq!(cells.read(0) + cells.read(1), 2);
        }
        cells.write(job, 1);
    })
    .unwrap();
    for (job, count) in runs.iter().enumerate() {
        assert_eq!(count.load(Ordering::Relaxed), 1, "job {job}");
        assert_eq!(cells.read(job), 1);
    }
}

/// (a), (b), (c) with helpers racing the caller for stolen ranges.
#[test]
fn jobs_run_once_in_stage_order_and_the_caller_sees_their_writes() {
    model(|| jobs_run_once_in_stage_order(&mut pool(2)));
}

/// (e) a block's jobs start only after every job of the previous block finished.
#[test]
fn consecutive_blocks_never_overlap() {
    model(|| {
        let mut pool = pool(2);
        let mut stages = Stages::from_widths(&[2]).unwrap();
        let first = Cells::new(2);
        let second = Cells::new(2);
        pool.run(&mut stages, |job, _| first.write(job, 1)).unwrap();
        pool.run(&mut stages, |job, _| {
            second.write(job, first.read(0) + first.read(1));
        })
        .unwrap();
        assert_eq!(second.read(0) + second.read(1), 4);
    });
}

/// Runs one block of two jobs that wait for each other: it finishes only if a helper runs one.
fn run_interlocked(pool: &mut Pool) {
    let mut stages = Stages::from_widths(&[2]).unwrap();
    let started: Vec<AtomicBool> = (0..2).map(|_| AtomicBool::new(false)).collect();
    pool.run(&mut stages, |job, _| {
        started[job].store(true, Ordering::Release);
        while !started[1 - job].load(Ordering::Acquire) {
            loom::thread::yield_now();
        }
    })
    .unwrap();
}

/// (d) a parked helper is woken for work: here the block can only finish if the helper runs
/// one of two jobs that wait for each other, whether it parked before the block or not.
#[test]
fn a_parked_helper_is_woken_for_a_block() {
    model(|| {
        let mut pool = pool(2);
        run_interlocked(&mut pool);
    });
}

/// (d') a helper a block did without (a one-job stage leaves it parked) is woken for the next
/// block that needs it: again two jobs that wait for each other.
#[test]
fn a_helper_left_out_of_a_block_is_woken_for_the_next() {
    model(|| {
        let mut pool = pool(2);
        let mut narrow = Stages::from_widths(&[1]).unwrap();
        pool.run(&mut narrow, |_, _| {}).unwrap();
        run_interlocked(&mut pool);
    });
}

/// (f) the caller's take-back path (loom takes back at once): whether the caller or a helper
/// claims a job first, (a), (b) and (c) still hold.
#[test]
fn taken_back_jobs_run_once_in_stage_order() {
    model(|| {
        let mut pool = pool(2);
        pool.set_take_back(Some(std::time::Duration::ZERO));
        jobs_run_once_in_stage_order(&mut pool);
    });
}

/// A job's output as a plain cell whose accesses loom checks.
struct Output(UnsafeCell<u32>);

// SAFETY: `run_slots` orders every access; loom verifies that.
unsafe impl Sync for Output {}

/// `run_slots`: a job's own state and output, and the outputs of earlier stages, as the engine
/// runs its node graph; loom checks every access to the outputs (plain cells) for races.
#[test]
fn run_slots_orders_each_job_after_the_outputs_it_reads() {
    model(|| {
        let mut pool = pool(2);
        let mut stages = Stages::new(&[vec![0, 1], vec![2]]).unwrap();
        let mut states = vec![0u32; 3];
        let mut outputs: Vec<Output> = (0..3).map(|_| Output(UnsafeCell::new(0))).collect();
        pool.run_slots(
            &mut stages,
            &mut states,
            &mut outputs,
            |job, state, out, slots, _| {
                *state += 1;
                if job == 2 {
                    let earlier: u32 = [0, 1]
                        .iter()
                        .map(|&j| slots.get(j).unwrap().0.with(|p| unsafe { *p }))
                        .sum();
                    assert_eq!(earlier, 2);
                    assert!(slots.get(2).is_none());
                } else {
                    assert!(slots.get(1 - job).is_none(), "same stage");
                }
                out.0.with_mut(|p| unsafe { *p = 1 });
            },
        )
        .unwrap();
        assert_eq!(states, [1, 1, 1]);
    });
}
