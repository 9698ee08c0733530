//! The worker pool: helper threads, publishing a block to them, the work loop and parking.

use crate::deque::{self, Local, Steal, Stealer, Task};
use crate::stages::Stages;
use crate::sync::UnsafeCell;
use crate::sync::{fence, spin_hint, thread, Arc, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use bumpalo::Bump;
use crossbeam_utils::CachePadded;
use std::fmt;
use std::time::Duration;

/// A hook run once on each helper thread as it starts, with its worker index (1..workers).
pub type ThreadStart = std::sync::Arc<dyn Fn(usize) + Send + Sync>;

/// How to build a [`Pool`].
#[derive(Clone)]
pub struct PoolConfig {
    /// Workers including the calling thread (worker 0); at least 1.
    pub workers: usize,
    /// Pin helper `i` to core `i % cores`. The calling thread is never pinned by the pool.
    pub pin_cores: bool,
    /// Initial size of each worker's bump arena.
    pub arena_bytes: usize,
    /// How long an idle helper spins for the next block before it parks.
    pub idle_spin: Duration,
    /// Helper threads are named `{thread_name}-{index}`.
    pub thread_name: String,
    /// Runs on each helper thread before its first block (real-time priority, FTZ flags, …).
    pub on_thread_start: Option<ThreadStart>,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            pin_cores: false,
            arena_bytes: 1 << 20,
            idle_spin: Duration::from_micros(200),
            thread_name: "phonon-worker".into(),
            on_thread_start: None,
        }
    }
}

impl fmt::Debug for PoolConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolConfig")
            .field("workers", &self.workers)
            .field("pin_cores", &self.pin_cores)
            .field("arena_bytes", &self.arena_bytes)
            .field("idle_spin", &self.idle_spin)
            .field("thread_name", &self.thread_name)
            .field("on_thread_start", &self.on_thread_start.is_some())
            .finish()
    }
}

/// What a job sees of the worker running it.
pub struct JobContext<'a> {
    worker: usize,
    arena: &'a Bump,
}

impl<'a> JobContext<'a> {
    /// The index of the worker running the job (0 is the thread that called [`Pool::run`]).
    pub fn worker(&self) -> usize {
        self.worker
    }

    /// The worker's bump arena, reset at the start of every block the worker takes part in.
    pub fn arena(&self) -> &'a Bump {
        self.arena
    }
}

/// A block in which at least one job panicked. The block still ran to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobPanicked {
    /// The first job seen to panic.
    pub job: usize,
}

impl fmt::Display for JobPanicked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "job {} panicked", self.job)
    }
}

impl std::error::Error for JobPanicked {}

/// Counters a pool keeps about itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Workers including the caller.
    pub workers: usize,
    /// Blocks run.
    pub blocks: u64,
    /// Times a worker's arena had to grow past its size during a block (an allocation on the
    /// hot path; raise `arena_bytes` if this keeps rising after warm-up).
    pub arena_growths: u64,
    /// Jobs that panicked.
    pub job_panics: u64,
}

/// The low bit of `Shared::state`: a block is open for helpers to join.
const OPEN: usize = 1;

/// The block being run: type-erased so helpers can call a caller's closure.
#[derive(Clone, Copy)]
struct Block {
    stages: *const Stages,
    job: *const (),
    call: unsafe fn(*const (), usize, &JobContext<'_>),
}

unsafe fn no_job(_: *const (), _: usize, _: &JobContext<'_>) {}

/// Calls the caller's closure of type `F` behind `data`.
///
/// # Safety
/// `data` must point to a live `F`.
unsafe fn call_job<F: Fn(usize, &JobContext<'_>) + Sync>(
    data: *const (),
    job: usize,
    ctx: &JobContext<'_>,
) {
    (*data.cast::<F>())(job, ctx)
}

struct Shared {
    stealers: Box<[Stealer]>,
    /// `generation << 1 | OPEN`: the caller's only announcement of a block.
    state: CachePadded<AtomicUsize>,
    /// Helpers currently holding the block's pointers; the caller waits for zero before returning.
    inside: CachePadded<AtomicUsize>,
    /// The last stage of the current block has finished.
    done: CachePadded<AtomicBool>,
    /// Written by the caller only while the block is closed and `inside` is zero.
    block: UnsafeCell<Block>,
    /// One flag per helper: it has parked, or is about to.
    parked: Box<[CachePadded<AtomicBool>]>,
    shutdown: AtomicBool,
    /// The first panicking job of the block, plus one; zero for none.
    first_panic: AtomicUsize,
    arena_growths: AtomicU64,
    job_panics: AtomicU64,
}

// SAFETY: the raw pointers in `block` are only dereferenced by workers inside a block, while the
// caller of `Pool::run` keeps the pointees alive (it waits for `inside` to reach zero).
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

/// A worker's bump arena, with growth detection.
struct Arena {
    bump: Bump,
    capacity: usize,
}

impl Arena {
    fn new(bytes: usize) -> Arena {
        let bump = Bump::with_capacity(bytes);
        let capacity = bump.allocated_bytes();
        Arena { bump, capacity }
    }

    /// Resets for a new block; true if the previous block made the arena grow.
    fn begin_block(&mut self) -> bool {
        let grew = self.bump.allocated_bytes() > self.capacity;
        // Reset keeps the largest chunk, so after growth the arena stays at its new size.
        self.bump.reset();
        self.capacity = self.bump.allocated_bytes();
        grew
    }
}

/// A pool of workers that runs staged blocks of jobs; the caller of [`Pool::run`] is worker 0.
pub struct Pool {
    shared: Arc<Shared>,
    local: Local,
    arena: Arena,
    helpers: Vec<thread::JoinHandle<()>>,
    threads: Vec<thread::Thread>,
    generation: usize,
    blocks: u64,
}

impl Pool {
    /// Starts `config.workers - 1` helper threads. Allocates; call off the audio path.
    pub fn new(config: PoolConfig) -> std::io::Result<Pool> {
        let workers = config.workers.max(1);
        let (mut locals, stealers): (Vec<Local>, Vec<Stealer>) =
            (0..workers).map(|_| deque::new()).unzip();
        let shared = Arc::new(Shared {
            stealers: stealers.into_boxed_slice(),
            state: CachePadded::new(AtomicUsize::new(0)),
            inside: CachePadded::new(AtomicUsize::new(0)),
            done: CachePadded::new(AtomicBool::new(false)),
            block: UnsafeCell::new(Block {
                stages: std::ptr::null(),
                job: std::ptr::null(),
                call: no_job,
            }),
            parked: (1..workers)
                .map(|_| CachePadded::new(AtomicBool::new(false)))
                .collect(),
            shutdown: AtomicBool::new(false),
            first_panic: AtomicUsize::new(0),
            arena_growths: AtomicU64::new(0),
            job_panics: AtomicU64::new(0),
        });
        let cores = core_ids(config.pin_cores);
        let mut pool = Pool {
            shared: shared.clone(),
            local: locals.remove(0),
            arena: Arena::new(config.arena_bytes),
            helpers: Vec::with_capacity(workers - 1),
            threads: Vec::with_capacity(workers - 1),
            generation: 0,
            blocks: 0,
        };
        for (offset, local) in locals.into_iter().enumerate() {
            let index = offset + 1;
            let helper = Helper {
                shared: shared.clone(),
                index,
                local,
                arena_bytes: config.arena_bytes,
                idle_spin: config.idle_spin,
                core: cores.get(index % cores.len().max(1)).copied(),
                on_start: config.on_thread_start.clone(),
            };
            // On failure `pool` drops here, which stops the helpers already started.
            let handle = thread::Builder::new()
                .name(format!("{}-{index}", config.thread_name))
                .spawn(move || helper.run())?;
            pool.threads.push(handle.thread().clone());
            pool.helpers.push(handle);
        }
        Ok(pool)
    }

    /// Workers including the caller.
    pub fn workers(&self) -> usize {
        self.helpers.len() + 1
    }

    /// Counters since the pool started.
    pub fn stats(&self) -> PoolStats {
        PoolStats {
            workers: self.workers(),
            blocks: self.blocks,
            arena_growths: self.shared.arena_growths.load(Ordering::Relaxed),
            job_panics: self.shared.job_panics.load(Ordering::Relaxed),
        }
    }

    /// Runs every job of every stage once, stage after stage, and returns when all have finished.
    ///
    /// The calling thread works as worker 0. A job of stage k+1 starts only after every job of
    /// stage k finished, and sees their writes; on return the caller sees every job's writes.
    /// After the first blocks (warm-up) this allocates nothing, takes no lock and makes no
    /// blocking system call; at most it wakes parked helpers (a non-blocking futex wake).
    ///
    /// A panicking job counts as finished: the block still completes, the pool stays usable, and
    /// the first panicking job is reported.
    pub fn run<F>(&mut self, stages: &mut Stages, job: F) -> Result<(), JobPanicked>
    where
        F: Fn(usize, &JobContext<'_>) + Sync,
    {
        if stages.job_count() == 0 {
            return Ok(());
        }
        let shared = &*self.shared;
        stages.rearm();
        if self.arena.begin_block() {
            shared.arena_growths.fetch_add(1, Ordering::Relaxed);
        }
        shared.done.store(false, Ordering::Relaxed);
        shared.first_panic.store(0, Ordering::Relaxed);
        let block = Block {
            stages: &*stages,
            job: (&job as *const F).cast(),
            call: call_job::<F>,
        };
        // SAFETY: the previous block was closed and `inside` reached zero before the previous
        // `run` returned, so no helper reads the cell now; helpers read it only after acquiring
        // the `state` store below.
        shared.block.with_mut(|cell| unsafe { *cell = block });
        self.generation += 1;
        let open = self.generation << 1 | OPEN;
        shared.state.store(open, Ordering::Release);
        // Pairs with the fence in `Helper::park`: either we see its flag or it sees `open`.
        fence(Ordering::SeqCst);
        let wanted = stages.widest().saturating_sub(1).min(self.threads.len());
        for (flag, thread) in shared.parked.iter().zip(&self.threads).take(wanted) {
            if flag.load(Ordering::Relaxed) && flag.swap(false, Ordering::Relaxed) {
                thread.unpark();
            }
        }
        let (lo, hi) = stages.span(0);
        work(
            shared,
            0,
            &self.local,
            &self.arena.bump,
            block,
            Some(Task { stage: 0, lo, hi }),
        );
        shared.state.store(self.generation << 1, Ordering::Relaxed);
        // Pairs with the fence in `Helper::run`: a helper either is counted in `inside` here or
        // sees the block closed and leaves its pointers alone.
        fence(Ordering::SeqCst);
        while shared.inside.load(Ordering::Acquire) != 0 {
            spin_hint();
        }
        self.blocks += 1;
        match shared.first_panic.load(Ordering::Relaxed) {
            0 => Ok(()),
            job => Err(JobPanicked { job: job - 1 }),
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        for thread in &self.threads {
            thread.unpark();
        }
        for handle in self.helpers.drain(..) {
            // A helper only ends by seeing `shutdown`; its jobs' panics were caught.
            let _ = handle.join();
        }
    }
}

#[cfg(not(loom))]
fn core_ids(pin: bool) -> Vec<core_affinity::CoreId> {
    if pin {
        core_affinity::get_core_ids().unwrap_or_default()
    } else {
        Vec::new()
    }
}

#[cfg(loom)]
fn core_ids(_pin: bool) -> Vec<usize> {
    Vec::new()
}

/// What a helper thread owns.
struct Helper {
    shared: Arc<Shared>,
    index: usize,
    local: Local,
    arena_bytes: usize,
    idle_spin: Duration,
    #[cfg(not(loom))]
    core: Option<core_affinity::CoreId>,
    #[cfg(loom)]
    #[allow(dead_code)]
    core: Option<usize>,
    on_start: Option<ThreadStart>,
}

impl Helper {
    fn run(self) {
        #[cfg(not(loom))]
        if let Some(core) = self.core {
            core_affinity::set_for_current(core);
        }
        if let Some(on_start) = &self.on_start {
            on_start(self.index);
        }
        let shared = &*self.shared;
        let mut arena = Arena::new(self.arena_bytes);
        let mut seen = 0;
        let mut idle = Idle::new(self.idle_spin);
        loop {
            let state = shared.state.load(Ordering::Acquire);
            if state & OPEN != 0 && state != seen {
                seen = state;
                shared.inside.fetch_add(1, Ordering::Relaxed);
                fence(Ordering::SeqCst);
                if shared.state.load(Ordering::Relaxed) == state {
                    if arena.begin_block() {
                        shared.arena_growths.fetch_add(1, Ordering::Relaxed);
                    }
                    // SAFETY: the block is open and we are counted in `inside`, so the caller
                    // neither rewrites the cell nor frees what it points to until we leave.
                    let block = shared.block.with(|cell| unsafe { *cell });
                    work(shared, self.index, &self.local, &arena.bump, block, None);
                }
                shared.inside.fetch_sub(1, Ordering::Release);
                idle = Idle::new(self.idle_spin);
                continue;
            }
            if shared.shutdown.load(Ordering::Acquire) {
                return;
            }
            if idle.spin() {
                continue;
            }
            self.park(seen);
            idle = Idle::new(self.idle_spin);
        }
    }

    /// Sleeps until the caller opens a new block or the pool shuts down (or spuriously).
    fn park(&self, seen: usize) {
        let shared = &*self.shared;
        let flag = &shared.parked[self.index - 1];
        flag.store(true, Ordering::Relaxed);
        // Pairs with the fence in `Pool::run` (and `Drop`): see the note there.
        fence(Ordering::SeqCst);
        let state = shared.state.load(Ordering::Relaxed);
        let fresh_block = state & OPEN != 0 && state != seen;
        if !fresh_block && !shared.shutdown.load(Ordering::Relaxed) {
            thread::park();
        }
        flag.store(false, Ordering::Relaxed);
    }
}

/// An idle helper's spin budget before it parks.
struct Idle {
    #[cfg(not(loom))]
    until: std::time::Instant,
    #[cfg(not(loom))]
    backoff: crossbeam_utils::Backoff,
}

impl Idle {
    #[cfg(not(loom))]
    fn new(spin: Duration) -> Idle {
        Idle {
            until: std::time::Instant::now() + spin,
            backoff: crossbeam_utils::Backoff::new(),
        }
    }

    /// Spins (or yields) once; false when the budget is spent.
    #[cfg(not(loom))]
    fn spin(&mut self) -> bool {
        if std::time::Instant::now() >= self.until {
            return false;
        }
        self.backoff.snooze();
        true
    }

    // Under loom a helper goes straight to the parking protocol, the part worth checking.
    #[cfg(loom)]
    fn new(_spin: Duration) -> Idle {
        Idle {}
    }

    #[cfg(loom)]
    fn spin(&mut self) -> bool {
        false
    }
}

/// Runs tasks of the open block until its last stage has finished.
fn work(
    shared: &Shared,
    worker: usize,
    local: &Local,
    arena: &Bump,
    block: Block,
    mut next: Option<Task>,
) {
    // SAFETY: the caller of `Pool::run` keeps the stages alive while the block is open and any
    // worker is inside it.
    let stages = unsafe { &*block.stages };
    let ctx = JobContext { worker, arena };
    loop {
        let task = next
            .take()
            .or_else(|| local.pop())
            .or_else(|| steal(shared, worker));
        match task {
            Some(task) => next = execute(shared, local, stages, block, &ctx, task),
            None if shared.done.load(Ordering::Acquire) => return,
            None => spin_hint(),
        }
    }
}

/// One pass over the other workers' deques, starting after our own.
fn steal(shared: &Shared, worker: usize) -> Option<Task> {
    let n = shared.stealers.len();
    (1..n).find_map(|i| match shared.stealers[(worker + i) % n].steal() {
        Steal::Success(task) => Some(task),
        Steal::Empty | Steal::Retry => None,
    })
}

/// Runs a range: halves it onto our deque for thieves, runs what is left, and counts it done.
/// Returns the next stage's work when this range finished the stage.
fn execute(
    shared: &Shared,
    local: &Local,
    stages: &Stages,
    block: Block,
    ctx: &JobContext<'_>,
    task: Task,
) -> Option<Task> {
    let Task { stage, lo, mut hi } = task;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if local.push(Task { stage, lo: mid, hi }).is_err() {
            break;
        }
        hi = mid;
    }
    for position in lo..hi {
        run_job(shared, block, stages.job_at(position) as usize, ctx);
    }
    let finished = hi - lo;
    // AcqRel: publishes this range's writes and, for the one who brings it to zero, acquires
    // every other range's writes before the next stage is released.
    if stages.remaining[stage as usize].fetch_sub(finished, Ordering::AcqRel) != finished {
        return None;
    }
    let next = stage as usize + 1;
    if next < stages.stage_count() {
        let (lo, hi) = stages.span(next);
        Some(Task {
            stage: next as u32,
            lo,
            hi,
        })
    } else {
        shared.done.store(true, Ordering::Release);
        None
    }
}

#[cfg(not(loom))]
fn run_job(shared: &Shared, block: Block, job: usize, ctx: &JobContext<'_>) {
    // SAFETY: `block.job` points to the caller's closure of the type `block.call` expects.
    let call = || unsafe { (block.call)(block.job, job, ctx) };
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).is_err() {
        shared.job_panics.fetch_add(1, Ordering::Relaxed);
        let _ =
            shared
                .first_panic
                .compare_exchange(0, job + 1, Ordering::Relaxed, Ordering::Relaxed);
    }
}

// Loom reports a failed check by panicking; catching that would hide it.
#[cfg(loom)]
fn run_job(_shared: &Shared, block: Block, job: usize, ctx: &JobContext<'_>) {
    // SAFETY: as above.
    unsafe { (block.call)(block.job, job, ctx) }
}
