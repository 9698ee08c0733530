//! After warm-up, `Pool::run` allocates and frees nothing on any thread, across 10,000 blocks
//! whose stages are 1 to 256 jobs wide, including blocks that must wake parked helpers, and
//! across paced blocks whose helpers nap until just before they are due.

use scheduler::{Pool, PoolConfig, Stages};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn ten_thousand_blocks_allocate_nothing_after_warm_up() {
    alloc_counter::settle();
    const BLOCKS: usize = 10_000;
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    // Every layout is built before counting starts, as the runtime builds plans off the hot path.
    let mut plans: Vec<Stages> = (0..64)
        .map(|_| {
            let widths: Vec<usize> = (0..1 + rng.below(8))
                .map(|_| 1 + rng.below(256) as usize)
                .collect();
            Stages::from_widths(&widths).unwrap()
        })
        .collect();
    plans.push(Stages::from_widths(&[256, 1, 256]).unwrap());
    let sums: Vec<AtomicU64> = (0..4).map(|_| AtomicU64::new(0)).collect();
    let mut pool = Pool::new(PoolConfig {
        workers: 4,
        idle_spin: Duration::from_micros(50),
        // Enough for one worker to run every job of the largest block alone.
        arena_bytes: 512 * 1024,
        ..PoolConfig::default()
    })
    .unwrap();
    let job = |job: usize, ctx: &scheduler::JobContext<'_>| {
        let scratch = ctx.arena().alloc_slice_fill_copy(16, job as u64);
        sums[ctx.worker()].fetch_add(scratch.iter().sum::<u64>(), Ordering::Relaxed);
    };

    for plan in plans.iter_mut() {
        pool.run(plan, job).unwrap();
    }
    let growths_after_warm_up = pool.stats().arena_growths;

    let calls = alloc_counter::count(|| {
        for block in 0..BLOCKS {
            if block % 500 == 0 {
                // Long enough for the helpers to park, so this block's start has to wake them.
                std::thread::sleep(Duration::from_millis(2));
            }
            let plan = &mut plans[rng.below(65) as usize];
            pool.run(plan, job).unwrap();
        }
    });

    // Paced blocks too: forecasts, naps until just before a block, and blocks that come early.
    let mut next = Instant::now();
    let paced = alloc_counter::count(|| {
        for block in 0..500 {
            next += Duration::from_micros(if block % 7 == 0 { 100 } else { 700 });
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
            let plan = &mut plans[rng.below(65) as usize];
            pool.run(plan, job).unwrap();
            pool.expect_next_block(Some(next + Duration::from_micros(700)));
        }
    });

    assert_eq!(calls, 0, "allocator calls while running blocks");
    assert_eq!(paced, 0, "allocator calls while running paced blocks");
    assert_eq!(pool.stats().arena_growths, growths_after_warm_up);
    assert_eq!(pool.stats().blocks as usize, BLOCKS + 500 + plans.len());
    assert!(sums.iter().map(|s| s.load(Ordering::Relaxed)).sum::<u64>() > 0);
}
