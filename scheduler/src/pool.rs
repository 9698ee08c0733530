//! The worker pool: helper threads, publishing a block to them, the work loop and parking.

use crate::deque::{self, Local, Steal, Stealer, Task};
use crate::placement;
#[cfg(doc)]
use crate::placement::placement_of;
use crate::staffing::Staffing;
use crate::stages::Stages;
use crate::sync::UnsafeCell;
use crate::sync::{fence, spin_hint, thread, Arc, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use bumpalo::Bump;
use crossbeam_utils::CachePadded;
use std::fmt;
use std::time::{Duration, Instant};

/// A hook run once on each helper thread as it starts, with its worker index (1..workers).
pub type ThreadStart = std::sync::Arc<dyn Fn(usize) + Send + Sync>;

/// How to build a [`Pool`].
#[derive(Clone)]
pub struct PoolConfig {
    /// Workers including the calling thread (worker 0); at least 1.
    pub workers: usize,
    /// Pin each helper to a CPU of its own, keeping [`Pool::caller_cpu`] free for the caller
    /// (see [`placement::plan`](crate::placement::plan)). The pool never pins the caller: a
    /// caller that is not its own thread (JACK's process thread) pins itself there.
    pub pin_cores: bool,
    /// With `pin_cores`: the CPUs to place the workers on, worker 0 first (the operator's
    /// `--cpus`); `None` places them on the CPUs the process may use, those without another
    /// process's pinned real-time thread first.
    pub cpus: Option<Vec<usize>>,
    /// Initial size of each worker's bump arena.
    pub arena_bytes: usize,
    /// How long an idle helper spins for the next block before it parks.
    pub idle_spin: Duration,
    /// Helper threads are named `{thread_name}-{index}`.
    pub thread_name: String,
    /// Runs on each helper thread before its first block (real-time priority, FTZ flags, …).
    pub on_thread_start: Option<ThreadStart>,
    /// Run only the helpers that make blocks shorter, as measured while blocks run (see
    /// [`Staffing`]); the others park and cost nothing. Off, every helper the widest stage can
    /// keep busy takes part in every block.
    pub staffing: bool,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            pin_cores: false,
            cpus: None,
            arena_bytes: 1 << 20,
            idle_spin: Duration::from_micros(200),
            thread_name: "phonon-worker".into(),
            on_thread_start: None,
            staffing: true,
        }
    }
}

impl fmt::Debug for PoolConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolConfig")
            .field("workers", &self.workers)
            .field("pin_cores", &self.pin_cores)
            .field("cpus", &self.cpus)
            .field("arena_bytes", &self.arena_bytes)
            .field("idle_spin", &self.idle_spin)
            .field("thread_name", &self.thread_name)
            .field("on_thread_start", &self.on_thread_start.is_some())
            .field("staffing", &self.staffing)
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
    /// Times the caller had to wake a parked helper for a block (a futex wake whose latency
    /// the block pays); a paced pool keeps this near zero.
    pub helper_wakes: u64,
    /// Jobs the caller took back from stalled workers after the take-back deadline.
    pub taken_back: u64,
    /// Blocks in which the caller, past twice the deadline, gave up its CPU in short sleeps
    /// while another worker finished a job it had started (a helper starved on the caller's
    /// CPU can only finish that way).
    pub stalled_blocks: u64,
    /// Helpers the last block ran with (see [`PoolConfig::staffing`]).
    pub active_helpers: usize,
    /// Blocks run with at least one helper.
    pub helped_blocks: u64,
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
    /// Helpers `1..=active` take part in the current block; the rest park until needed.
    active: CachePadded<AtomicUsize>,
    shutdown: AtomicBool,
    /// The first panicking job of the block, plus one; zero for none.
    first_panic: AtomicUsize,
    arena_growths: AtomicU64,
    job_panics: AtomicU64,
    taken_back: AtomicU64,
    stalled_blocks: AtomicU64,
    /// Times below are nanoseconds since this instant.
    epoch: Instant,
    /// When the caller expects to open its next block; 0 when it keeps no pace.
    next_due: CachePadded<AtomicU64>,
    /// When the current block opened.
    opened_at: AtomicU64,
    /// How long after the current block opened the first helper joined it (`u64::MAX`: none).
    first_join: AtomicU64,
    /// How each helper started, filled in by the helper itself.
    started: std::sync::Mutex<Vec<Option<HelperThread>>>,
}

impl Shared {
    /// Nanoseconds since the pool's epoch (never 0, which means "unknown").
    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64 + 1
    }
}

/// How a helper thread started: where it runs, or why it could not be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperThread {
    /// Its worker index (1..workers).
    pub worker: usize,
    /// The kernel's id for the thread, to inspect it (`ps -L`, [`placement_of`]).
    pub tid: i32,
    /// The CPU it was to be pinned to.
    pub cpu: Option<usize>,
    /// Why pinning failed, if it did.
    pub pin_error: Option<String>,
}

// SAFETY: the raw pointers in `block` are only dereferenced by workers inside a block, while the
// caller of `Pool::run` keeps the pointees alive (it waits for `inside` to reach zero).
unsafe impl Send for Shared {}
// SAFETY: as for `Send`; `block` is written only by the caller while the block is closed and
// no helper is inside, and the other fields are atomics, stealers and a mutex used at start-up.
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
    caller_cpu: Option<usize>,
    helper_wakes: u64,
    last_join: Option<Duration>,
    take_back_after: Option<Duration>,
    /// `None` when every useful helper runs every block.
    staffing: Option<Staffing>,
    /// How long a block may take (its length in audio time), for the staffing.
    block_length: Option<Duration>,
    /// Helpers the last block ran with.
    active: usize,
    /// Blocks run with at least one helper.
    helped_blocks: u64,
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
            active: CachePadded::new(AtomicUsize::new(0)),
            shutdown: AtomicBool::new(false),
            first_panic: AtomicUsize::new(0),
            arena_growths: AtomicU64::new(0),
            job_panics: AtomicU64::new(0),
            taken_back: AtomicU64::new(0),
            stalled_blocks: AtomicU64::new(0),
            epoch: Instant::now(),
            next_due: CachePadded::new(AtomicU64::new(0)),
            opened_at: AtomicU64::new(0),
            first_join: AtomicU64::new(u64::MAX),
            started: std::sync::Mutex::new(vec![None; workers - 1]),
        });
        let cpus = if config.pin_cores && !cfg!(loom) {
            let order = match &config.cpus {
                Some(asked) => asked.clone(),
                None => {
                    // CPUs another process's real-time threads are pinned to (another
                    // engine's) last.
                    let busy: Vec<usize> = placement::pinned_real_time_threads()
                        .iter()
                        .map(|t| t.cpu)
                        .collect();
                    placement::free_first(&placement::allowed_cpus(), &busy)
                }
            };
            placement::plan(workers, &order)
        } else {
            vec![None; workers]
        };
        let mut pool = Pool {
            shared: shared.clone(),
            local: locals.remove(0),
            arena: Arena::new(config.arena_bytes),
            helpers: Vec::with_capacity(workers - 1),
            threads: Vec::with_capacity(workers - 1),
            generation: 0,
            blocks: 0,
            caller_cpu: cpus[0],
            helper_wakes: 0,
            last_join: None,
            take_back_after: None,
            staffing: config.staffing.then(Staffing::new),
            block_length: None,
            active: 0,
            helped_blocks: 0,
        };
        for (offset, local) in locals.into_iter().enumerate() {
            let index = offset + 1;
            let helper = Helper {
                shared: shared.clone(),
                index,
                local,
                arena_bytes: config.arena_bytes,
                idle_spin: config.idle_spin,
                cpu: cpus[index],
                on_start: config.on_thread_start.clone(),
            };
            // On failure `pool` drops here, which stops the helpers already started.
            let handle = thread::Builder::new()
                .name(format!("{}-{index}", config.thread_name))
                .spawn(move || helper.run())?;
            pool.threads.push(handle.thread().clone());
            pool.helpers.push(handle);
        }
        pool.wait_for_helpers();
        Ok(pool)
    }

    /// Waits (briefly) until every helper has placed itself and run its start hook, so that
    /// [`Pool::helpers`] tells the whole story and the first block finds them ready.
    fn wait_for_helpers(&self) {
        if cfg!(loom) {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let started = self
                .shared
                .started
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if started.iter().all(Option::is_some) {
                return;
            }
            drop(started);
            std::thread::sleep(Duration::from_micros(100));
        }
    }

    /// The CPU kept for the caller (worker 0) when pinning: the caller should run there.
    pub fn caller_cpu(&self) -> Option<usize> {
        self.caller_cpu
    }

    /// The helper threads as they started, in worker order (a helper not started yet is left
    /// out).
    pub fn helpers(&self) -> Vec<HelperThread> {
        let started = self
            .shared
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        started.iter().flatten().cloned().collect()
    }

    /// Tells the helpers when the next block is due (`None`: no pace, as offline). A caller
    /// driven by a clock (an audio period) lets idle helpers sleep until shortly before then
    /// and spin from there, so they are awake when the block opens without spinning through
    /// the whole period or paying a wake-up on every block. Never blocks.
    pub fn expect_next_block(&self, at: Option<Instant>) {
        let due = at.map_or(0, |at| {
            at.saturating_duration_since(self.shared.epoch).as_nanos() as u64 + 1
        });
        self.shared.next_due.store(due, Ordering::Relaxed);
    }

    /// How long after a block opens the caller stops waiting for work other workers took and
    /// runs every job of the current stage they have not started (`None`: never, the default).
    /// A caller with a deadline (an audio period) sets a fraction of it, so a helper that is
    /// descheduled holding a range delays the block by one job at most, not by its whole range.
    pub fn set_take_back(&mut self, after: Option<Duration>) {
        self.take_back_after = after;
    }

    /// How long a block may take: its length in audio time, which a live caller must finish
    /// within (`None`, the default: no deadline). Heavy blocks against it keep every helper.
    pub fn set_block_length(&mut self, length: Option<Duration>) {
        self.block_length = length;
    }

    /// Starts choosing the helpers afresh, for a new graph: every helper it can use at first.
    pub fn restaff(&mut self) {
        if let Some(staffing) = &mut self.staffing {
            staffing.reset();
        }
    }

    /// How long after the last block opened the first helper joined it (`None` if none did).
    pub fn last_join(&self) -> Option<Duration> {
        self.last_join
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
            helper_wakes: self.helper_wakes,
            taken_back: self.shared.taken_back.load(Ordering::Relaxed),
            stalled_blocks: self.shared.stalled_blocks.load(Ordering::Relaxed),
            active_helpers: self.active,
            helped_blocks: self.helped_blocks,
        }
    }

    /// [`Pool::run`] where job k owns `items[k]`: each job is handed its own item, mutably, and
    /// no other. For jobs that each keep state of their own (an orbit, a voice group), without
    /// the caller writing `unsafe` to share the items between workers.
    ///
    /// # Panics
    /// If `items` does not hold one item per job of `stages`.
    pub fn run_each<T, F>(
        &mut self,
        stages: &mut Stages,
        items: &mut [T],
        job: F,
    ) -> Result<(), JobPanicked>
    where
        T: Send,
        F: Fn(&mut T, &JobContext<'_>) + Sync,
    {
        assert_eq!(items.len(), stages.job_count(), "one item per job");
        let items = Items(items.as_mut_ptr());
        self.run(stages, |k, ctx| {
            // SAFETY: `run` runs job k once per block, on one worker, and `k` is below the job
            // count, which `items` holds (checked above): item k is reached by this job alone,
            // while `run` holds the `&mut` borrow of the whole slice.
            let item = unsafe { &mut *items.at(k) };
            job(item, ctx)
        })
    }

    /// [`Pool::run`] for jobs that each own a state and publish an output that other jobs read:
    /// job k is handed `states[k]` and `outputs[k]` mutably, and through [`Slots`] the outputs of
    /// every job outside its own stage — this block's for earlier stages, the last block's for
    /// later ones (a feedback read). Jobs of its own stage are being written and are out of
    /// reach. This is the engine's node graph without the caller writing `unsafe`.
    ///
    /// # Panics
    /// If `states` or `outputs` does not hold one item per job of `stages`.
    pub fn run_slots<S, O, F>(
        &mut self,
        stages: &mut Stages,
        states: &mut [S],
        outputs: &mut [O],
        job: F,
    ) -> Result<(), JobPanicked>
    where
        S: Send,
        O: Send + Sync,
        F: Fn(usize, &mut S, &mut O, &Slots<'_, O>, &JobContext<'_>) + Sync,
    {
        assert_eq!(states.len(), stages.job_count(), "one state per job");
        assert_eq!(outputs.len(), stages.job_count(), "one output per job");
        let (count, state_items, output_items) = (
            outputs.len(),
            Items(states.as_mut_ptr()),
            Items(outputs.as_mut_ptr()),
        );
        let table = StageTable(stages.stage_table() as *const [u32]);
        self.run(stages, |k, ctx| {
            // SAFETY: the stage table is not changed while `run` holds `stages` (only the
            // counters and claims are), and it outlives the call.
            let stage_of = unsafe { table.get() };
            // SAFETY: `run` runs job k once per block, on one worker, and `k` is below the job
            // count, which both slices hold (checked above): state k and output k are reached
            // mutably by this job alone. `Slots` hands out only outputs of other stages, which no
            // job writes while this stage runs.
            let (state, output) = unsafe { (&mut *state_items.at(k), &mut *output_items.at(k)) };
            let slots = Slots {
                outputs: output_items.0,
                count,
                stage_of,
                stage: stage_of[k],
                _borrow: std::marker::PhantomData,
            };
            job(k, state, output, &slots, ctx)
        })
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
        let useful = stages.widest().saturating_sub(1).min(self.threads.len());
        self.active = match &mut self.staffing {
            Some(staffing) if !cfg!(loom) => staffing.plan(useful),
            _ => useful,
        };
        let shared = &*self.shared;
        // Read by helpers after they acquire the `state` store below.
        shared.active.store(self.active, Ordering::Relaxed);
        stages.rearm();
        if self.arena.begin_block() {
            shared.arena_growths.fetch_add(1, Ordering::Relaxed);
        }
        shared.done.store(false, Ordering::Relaxed);
        shared.first_panic.store(0, Ordering::Relaxed);
        if !cfg!(loom) {
            shared.opened_at.store(shared.now(), Ordering::Relaxed);
            shared.first_join.store(u64::MAX, Ordering::Relaxed);
        }
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
        for (flag, thread) in shared.parked.iter().zip(&self.threads).take(self.active) {
            if flag.load(Ordering::Relaxed) && flag.swap(false, Ordering::Relaxed) {
                thread.unpark();
                self.helper_wakes += 1;
            }
        }
        let (lo, hi) = stages.span(0);
        let mut deadline = self.take_back_after.map(Deadline::after);
        work(
            shared,
            0,
            &self.local,
            &self.arena.bump,
            block,
            Some(Task { stage: 0, lo, hi }),
            deadline.as_mut(),
        );
        shared.state.store(self.generation << 1, Ordering::Relaxed);
        // Pairs with the fence in `Helper::run`: a helper either is counted in `inside` here or
        // sees the block closed and leaves its pointers alone.
        fence(Ordering::SeqCst);
        while shared.inside.load(Ordering::Acquire) != 0 {
            match deadline.as_mut() {
                Some(d) => d.wait(shared),
                None => spin_hint(),
            }
        }
        self.blocks += 1;
        self.helped_blocks += u64::from(self.active > 0);
        if let Some(staffing) = self.staffing.as_mut().filter(|_| !cfg!(loom)) {
            let opened = shared.opened_at.load(Ordering::Relaxed);
            let elapsed = shared.now().saturating_sub(opened);
            let budget = self.block_length.map(|l| l.as_nanos() as u64);
            staffing.record(elapsed, budget);
        }
        self.last_join = match shared.first_join.load(Ordering::Relaxed) {
            u64::MAX => None,
            ns => Some(Duration::from_nanos(ns)),
        };
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

/// What a helper thread owns.
struct Helper {
    shared: Arc<Shared>,
    index: usize,
    local: Local,
    arena_bytes: usize,
    idle_spin: Duration,
    cpu: Option<usize>,
    on_start: Option<ThreadStart>,
}

impl Helper {
    fn run(self) {
        let shared = &*self.shared;
        self.start();
        let mut arena = Arena::new(self.arena_bytes);
        let mut seen = 0;
        let mut idle = Idle::spin_for(shared, self.idle_spin);
        let mut pace = Pace::default();
        loop {
            let state = shared.state.load(Ordering::Acquire);
            if state & OPEN != 0 && state != seen {
                seen = state;
                if self.index > shared.active.load(Ordering::Relaxed) {
                    // Not wanted for this block: park below.
                    continue;
                }
                shared.inside.fetch_add(1, Ordering::Relaxed);
                fence(Ordering::SeqCst);
                if shared.state.load(Ordering::Relaxed) == state {
                    pace.joined(shared);
                    if arena.begin_block() {
                        shared.arena_growths.fetch_add(1, Ordering::Relaxed);
                    }
                    // SAFETY: the block is open and we are counted in `inside`, so the caller
                    // neither rewrites the cell nor frees what it points to until we leave.
                    let block = shared.block.with(|cell| unsafe { *cell });
                    work(
                        shared,
                        self.index,
                        &self.local,
                        &arena.bump,
                        block,
                        None,
                        None,
                    );
                }
                shared.inside.fetch_sub(1, Ordering::Release);
                idle = Idle::spin_for(shared, self.idle_spin);
                continue;
            }
            if shared.shutdown.load(Ordering::Acquire) {
                return;
            }
            if self.index > shared.active.load(Ordering::Relaxed) {
                // The last block did without us: neither spin nor pace, just wait to be woken.
                self.park(seen, None);
                idle = Idle::spin_for(shared, self.idle_spin);
                continue;
            }
            if idle.spin(shared) {
                continue;
            }
            match pace.next_nap(shared) {
                Nap::Until(wake) => {
                    self.park(seen, Some(wake));
                    pace.woke(shared, wake);
                    idle = Idle::until(pace.give_up_at(shared.next_due.load(Ordering::Relaxed)));
                }
                Nap::Spin(until) => idle = Idle::until(until),
                Nap::Park => {
                    self.park(seen, None);
                    idle = Idle::spin_for(shared, self.idle_spin);
                }
            }
        }
    }

    /// Places the thread, runs the start hook and records how that went.
    fn start(&self) {
        let pin_error = match self.cpu {
            Some(cpu) if !cfg!(loom) => placement::pin_current_thread(cpu)
                .err()
                .map(|e| e.to_string()),
            _ => None,
        };
        if !cfg!(loom) {
            placement::tighten_timer_slack();
        }
        if let Some(on_start) = &self.on_start {
            on_start(self.index);
        }
        let info = HelperThread {
            worker: self.index,
            tid: if cfg!(loom) {
                0
            } else {
                placement::current_thread_id()
            },
            cpu: self.cpu,
            pin_error,
        };
        let mut started = self
            .shared
            .started
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        started[self.index - 1] = Some(info);
    }

    /// Sleeps until the caller opens a new block, the pool shuts down, `until` (nanoseconds
    /// since the epoch) passes, or spuriously.
    fn park(&self, seen: usize, until: Option<u64>) {
        let shared = &*self.shared;
        let flag = &shared.parked[self.index - 1];
        flag.store(true, Ordering::Relaxed);
        // Pairs with the fence in `Pool::run` (and `Drop`): see the note there.
        fence(Ordering::SeqCst);
        let state = shared.state.load(Ordering::Relaxed);
        let fresh_block = state & OPEN != 0 && state != seen;
        if !fresh_block && !shared.shutdown.load(Ordering::Relaxed) {
            match until {
                #[cfg(not(loom))]
                Some(until) => {
                    let now = shared.now();
                    if until > now {
                        thread::park_timeout(Duration::from_nanos(until - now));
                    }
                }
                _ => thread::park(),
            }
        }
        flag.store(false, Ordering::Relaxed);
    }
}

/// What an idle helper does next once its spin budget is spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nap {
    /// Sleep until this time (ns since the epoch), then spin for the block.
    Until(u64),
    /// The block is due very soon: keep spinning until this time.
    Spin(u64),
    /// No block is expected at a known time: park until woken.
    Park,
}

/// The shortest margin a paced helper wakes ahead of the block it expects.
const MIN_MARGIN_NS: f64 = 20_000.0;
/// How long past the expected opening a paced helper keeps spinning at least.
const MIN_GRACE_NS: f64 = 100_000.0;
/// Forecast errors beyond this are an xrun or a restart, not jitter, and are not learned.
const MAX_LEARNED_ERROR_NS: f64 = 10_000_000.0;

/// A helper's model of the caller's pace: how the caller's forecasts of its next block compare
/// with when blocks really open, and how late the helper's own timed sleeps end. From these it
/// picks when to wake so that it is spinning when the block opens.
#[derive(Debug, Default)]
struct Pace {
    /// Mean of (opened - forecast), ns.
    offset: f64,
    /// Mean absolute deviation of that.
    jitter: f64,
    /// Mean of how late a timed sleep ended, ns.
    lateness: f64,
    /// Mean spacing of successive forecasts (the period), ns.
    period: f64,
    /// The forecast last learned from.
    last_due: u64,
}

impl Pace {
    /// Learns from the block just joined, and counts how soon after its opening we joined.
    fn joined(&mut self, shared: &Shared) {
        if cfg!(loom) {
            return;
        }
        let opened = shared.opened_at.load(Ordering::Relaxed);
        shared
            .first_join
            .fetch_min(shared.now().saturating_sub(opened), Ordering::Relaxed);
        self.learn(shared.next_due.load(Ordering::Relaxed), opened);
    }

    /// Learns from a block forecast for `due` that opened at `opened`.
    fn learn(&mut self, due: u64, opened: u64) {
        // Only the first block after a forecast is the one it forecast.
        if due == 0 || due == self.last_due {
            return;
        }
        if self.last_due != 0 && due > self.last_due {
            let spacing = (due - self.last_due) as f64;
            if self.period == 0.0 {
                self.period = spacing;
            }
            self.period += (spacing - self.period) / 8.0;
        }
        self.last_due = due;
        let error = opened as f64 - due as f64;
        if error.abs() < MAX_LEARNED_ERROR_NS {
            self.offset += (error - self.offset) / 16.0;
            self.jitter += ((error - self.offset).abs() - self.jitter) / 16.0;
        }
    }

    /// How far ahead of the expected opening to wake.
    fn margin(&self) -> f64 {
        let margin = 2.0 * self.lateness + 3.0 * self.jitter + MIN_MARGIN_NS;
        if self.period > 0.0 {
            margin.min(self.period / 2.0)
        } else {
            margin
        }
    }

    /// Until when to keep spinning for the block forecast for `due` before parking for good.
    fn give_up_at(&self, due: u64) -> u64 {
        (due as f64 + self.offset + self.margin().max(MIN_GRACE_NS)) as u64
    }

    fn next_nap(&self, shared: &Shared) -> Nap {
        if cfg!(loom) {
            return Nap::Park;
        }
        self.plan(shared.now(), shared.next_due.load(Ordering::Relaxed))
    }

    /// What to do at `now` when the next block is forecast for `due` (0: no forecast).
    fn plan(&self, now: u64, due: u64) -> Nap {
        if due == 0 {
            return Nap::Park;
        }
        let give_up = self.give_up_at(due);
        if now >= give_up {
            return Nap::Park;
        }
        let wake = due as f64 + self.offset - self.margin();
        if wake <= now as f64 + MIN_MARGIN_NS / 2.0 {
            Nap::Spin(give_up)
        } else {
            Nap::Until(wake as u64)
        }
    }

    /// Learns how late a timed sleep meant to end at `target` really ended.
    fn woke(&mut self, shared: &Shared, target: u64) {
        let now = shared.now();
        let state = shared.state.load(Ordering::Relaxed);
        // Woken early by a block: that says nothing about the timer.
        if now < target || state & OPEN != 0 {
            return;
        }
        self.overslept(now - target);
    }

    /// Learns that a timed sleep ended `late` nanoseconds after it was meant to.
    fn overslept(&mut self, late: u64) {
        let late = (late as f64).min(MAX_LEARNED_ERROR_NS / 10.0);
        self.lateness += (late - self.lateness) / 8.0;
    }
}

/// An idle helper's spin budget before it naps or parks.
struct Idle {
    /// Until when to spin, on the shared clock (`Shared::now`).
    #[cfg(not(loom))]
    until: u64,
    #[cfg(not(loom))]
    backoff: crossbeam_utils::Backoff,
}

impl Idle {
    /// Spins for `spin` from now.
    #[cfg(not(loom))]
    fn spin_for(shared: &Shared, spin: Duration) -> Idle {
        Idle::until(shared.now() + spin.as_nanos() as u64)
    }

    /// Spins until `until` on the shared clock.
    #[cfg(not(loom))]
    fn until(until: u64) -> Idle {
        Idle {
            until,
            backoff: crossbeam_utils::Backoff::new(),
        }
    }

    /// Spins (or yields) once; false when the budget is spent.
    #[cfg(not(loom))]
    fn spin(&mut self, shared: &Shared) -> bool {
        if shared.now() >= self.until {
            return false;
        }
        // Snoozing soon yields the CPU; a helper expecting a block any moment wants only the
        // cheap pause.
        if self.backoff.is_completed() {
            std::hint::spin_loop();
        } else {
            self.backoff.snooze();
        }
        true
    }

    // Under loom a helper goes straight to the parking protocol, the part worth checking.
    #[cfg(loom)]
    fn spin_for(_shared: &Shared, _spin: Duration) -> Idle {
        Idle {}
    }

    #[cfg(loom)]
    fn until(_until: u64) -> Idle {
        Idle {}
    }

    #[cfg(loom)]
    fn spin(&mut self, _shared: &Shared) -> bool {
        false
    }
}

/// The items of [`Pool::run_each`], shared with the workers.
struct Items<T>(*mut T);

impl<T> Items<T> {
    /// Item `k`'s address (through a method, so closures capture the whole wrapper); valid to
    /// dereference for `k` below the slice's length.
    fn at(&self, k: usize) -> *mut T {
        self.0.wrapping_add(k)
    }
}

// SAFETY: each worker reaches only the items of the jobs it runs, each job's item alone (see
// `run_each`); moving `T` between threads is what `T: Send` allows.
unsafe impl<T: Send> Sync for Items<T> {}

/// The stage table of [`Pool::run_slots`], shared with the workers.
struct StageTable(*const [u32]);

impl StageTable {
    /// The table.
    ///
    /// # Safety
    /// Only while the `Stages` it was taken from is alive and its table unchanged.
    unsafe fn get(&self) -> &[u32] {
        // SAFETY: as the caller guarantees.
        unsafe { &*self.0 }
    }
}

// SAFETY: the table is only read while `run_slots` runs.
unsafe impl Sync for StageTable {}

/// What a job of [`Pool::run_slots`] may read of the other jobs' outputs: those of jobs in other
/// stages, which nobody writes while its stage runs.
pub struct Slots<'a, O> {
    outputs: *mut O,
    count: usize,
    stage_of: &'a [u32],
    stage: u32,
    _borrow: std::marker::PhantomData<&'a O>,
}

impl<'a, O> Slots<'a, O> {
    /// Job `j`'s output: this block's if `j` runs in an earlier stage, the last block's if in a
    /// later one; `None` for a job of the running stage (this job's own included) or past the
    /// job count.
    pub fn get(&self, j: usize) -> Option<&'a O> {
        if j >= self.count || self.stage_of[j] == self.stage {
            return None;
        }
        // SAFETY: `j` is in bounds and in another stage: finished before this stage began (its
        // writes visible through the stage counters) or not yet started, so nobody writes it
        // while this `Slots` lives (one job's run).
        Some(unsafe { &*self.outputs.wrapping_add(j) })
    }
}

/// When the caller stops waiting: at `take_back` it runs the unstarted jobs of others' ranges;
/// from `stall` on it waits for a started job in short sleeps, so a worker starved on its CPU
/// can finish (a blocking call, but only when the block is already twice over its deadline).
struct Deadline {
    #[cfg(not(loom))]
    take_back: Instant,
    #[cfg(not(loom))]
    stall: Instant,
    stalled: bool,
}

impl Deadline {
    fn after(budget: Duration) -> Deadline {
        #[cfg(not(loom))]
        {
            let now = Instant::now();
            Deadline {
                take_back: now + budget,
                stall: now + budget * 2,
                stalled: false,
            }
        }
        // Loom has no clock: the take-back path runs at once, so the models cover it.
        #[cfg(loom)]
        {
            let _ = budget;
            Deadline { stalled: false }
        }
    }

    fn passed(&self) -> bool {
        #[cfg(not(loom))]
        return Instant::now() >= self.take_back;
        #[cfg(loom)]
        return true;
    }

    /// One pause while waiting for another worker past the deadline.
    fn wait(&mut self, shared: &Shared) {
        #[cfg(not(loom))]
        if Instant::now() >= self.stall {
            if !self.stalled {
                self.stalled = true;
                shared.stalled_blocks.fetch_add(1, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_micros(20));
            return;
        }
        #[cfg(loom)]
        let _ = (shared, self.stalled);
        spin_hint();
    }
}

/// Runs tasks of the open block until its last stage has finished. With a deadline (the
/// caller's), takes back other workers' unstarted jobs once it has passed.
fn work(
    shared: &Shared,
    worker: usize,
    local: &Local,
    arena: &Bump,
    block: Block,
    mut next: Option<Task>,
    mut deadline: Option<&mut Deadline>,
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
            None => match deadline.as_deref_mut() {
                Some(d) if d.passed() => {
                    next = take_back(shared, stages, block, &ctx);
                    if next.is_none() {
                        d.wait(shared);
                    }
                }
                _ => spin_hint(),
            },
        }
    }
}

/// Runs every job of the current stage that no worker has claimed, for the caller past its
/// deadline. Returns the next stage's work when this finished the stage.
fn take_back(shared: &Shared, stages: &Stages, block: Block, ctx: &JobContext<'_>) -> Option<Task> {
    let stage = stages.current_stage()?;
    let (lo, hi) = stages.span(stage);
    let ran = run_unclaimed(shared, stages, block, ctx, lo, hi);
    if ran == 0 {
        return None;
    }
    shared
        .taken_back
        .fetch_add(u64::from(ran), Ordering::Relaxed);
    finish(shared, stages, stage as u32, ran)
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
    // Jobs already claimed were taken back by the caller (or run elsewhere).
    let ran = run_unclaimed(shared, stages, block, ctx, lo, hi);
    if ran == 0 {
        return None;
    }
    finish(shared, stages, stage, ran)
}

/// Claims and runs each job at positions `lo..hi` no worker has claimed; returns how many.
fn run_unclaimed(
    shared: &Shared,
    stages: &Stages,
    block: Block,
    ctx: &JobContext<'_>,
    lo: u32,
    hi: u32,
) -> u32 {
    let mut ran = 0;
    for position in lo..hi {
        if stages.claim(position) {
            run_job(shared, block, stages.job_at(position) as usize, ctx);
            ran += 1;
        }
    }
    ran
}

/// Counts `finished` jobs of `stage` done; returns the next stage's work to whoever finished
/// the stage, or marks the block done after the last.
fn finish(shared: &Shared, stages: &Stages, stage: u32, finished: u32) -> Option<Task> {
    // AcqRel: publishes these jobs' writes and, for the one who brings it to zero, acquires
    // every other job's writes before the next stage is released.
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn without_a_forecast_a_helper_parks() {
        assert_eq!(Pace::default().plan(5 * MS, 0), Nap::Park);
    }

    #[test]
    fn a_paced_helper_sleeps_until_just_before_the_forecast_then_spins() {
        let mut pace = Pace::default();
        // Blocks every 1.333 ms, each opening 30 µs after its forecast, give or take 5 µs.
        let period = 1_333_333;
        for k in 1..200u64 {
            let due = k * period;
            let wobble = if k % 2 == 0 { 5_000 } else { 0 };
            pace.learn(due, due + 27_500 + wobble);
        }
        assert!((pace.offset - 30_000.0).abs() < 3_000.0, "{}", pace.offset);
        assert!((pace.period - period as f64).abs() < 1.0);
        let due = 200 * period;
        let expected = due as f64 + pace.offset;
        match pace.plan(due - period + 100_000, due) {
            Nap::Until(wake) => {
                let ahead = expected - wake as f64;
                assert!(
                    (20_000.0..=period as f64 / 2.0).contains(&ahead),
                    "wakes {ahead} ns ahead"
                );
            }
            other => panic!("{other:?}"),
        }
        // Close to the block: spin, up to a grace past it; long past it: park.
        assert!(matches!(pace.plan(due, due), Nap::Spin(end) if end as f64 > expected));
        assert_eq!(pace.plan(due + 10 * MS, due), Nap::Park);
    }

    #[test]
    fn a_late_timer_moves_the_wake_earlier_within_half_a_period() {
        let mut pace = Pace::default();
        let period = 2 * MS;
        for k in 1..50 {
            pace.learn(k * period, k * period);
        }
        let before = pace.margin();
        for _ in 0..50 {
            pace.overslept(200_000);
        }
        assert!(
            pace.margin() > before + 300_000.0,
            "{before} -> {}",
            pace.margin()
        );
        for _ in 0..50 {
            pace.overslept(5 * MS);
        }
        assert!(pace.margin() <= period as f64 / 2.0);
    }

    #[test]
    fn an_xrun_sized_error_is_not_learned() {
        let mut pace = Pace::default();
        pace.learn(MS, MS + 50 * MS);
        assert_eq!(pace.offset, 0.0);
        // The same forecast seen twice (a second block within one period) is learned once.
        pace.learn(2 * MS, 2 * MS + 10_000);
        let once = pace.offset;
        pace.learn(2 * MS, 2 * MS + 900_000);
        assert_eq!(pace.offset, once);
    }
}
