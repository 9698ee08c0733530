//! How many helpers a block gets: as many as make blocks measurably shorter, and no more.
//!
//! A helper costs its CPU's time whether or not the graph has work for it: it spins for the
//! next block, or wakes shortly before it. A graph that is one chain, a light patch, or a
//! helper starved by another process's real-time thread gains nothing from it. So the pool
//! runs only the helpers that help and parks the rest. No count can be known in advance, so
//! [`Staffing`] measures: now and then it runs the block with one helper more or fewer, in
//! interleaved windows (the music changes from beat to beat, so the two counts must see the
//! same stretch of it), and keeps the smaller count unless the larger one makes the median
//! block clearly shorter (a median, because a preempted block says nothing about the count it
//! ran with) without making the mean longer (a helper starved by another program's real-time
//! thread leaves most blocks fast and a few very slow). A block heavy against its deadline
//! always gets every helper the graph can use.

/// Blocks in one window of a probe.
const WINDOW: u32 = 16;
/// Windows in a probe, alternating between the two counts compared.
const PROBE_WINDOWS: u32 = 8;
/// Blocks a probe measures with each count.
const PER_COUNT: usize = (WINDOW * PROBE_WINDOWS / 2) as usize;
/// Blocks between probes once settled. Each probe in a row that leaves a helper parked doubles
/// it, up to `SETTLED_BLOCKS << MAX_BACKOFF` (about three minutes at 128 frames), for a probe
/// wakes the parked helper: a patch whose blocks grow heavy gets every helper at once anyway.
const SETTLED_BLOCKS: u64 = 4096;
const MAX_BACKOFF: u32 = 4;
/// Blocks before the first probe after a start or a new graph, for caches and helpers to warm.
/// Kept short, for an offline render pays for every block its helpers spin through; a probe
/// misled by start-up work (samples loading) is corrected by the next, 4,096 blocks later.
const WARM_UP: u64 = 64;
/// More helpers are kept only when they cut the median block time by at least this fraction
/// and this many ns (and do not make the mean longer). A helper is busy or paced through the
/// whole block, so it roughly doubles the block's CPU time; a graph that is mostly one chain
/// (eight oscillators into a filter, a reverb and a delay) gains 10-20% from it, which a block
/// far from its deadline does not need, while a wide graph gains 40% or more.
const WORTH: f64 = 0.25;
const WORTH_NS: f64 = 10_000.0;
/// A block whose mean time is over this fraction of its budget keeps every helper it can use.
const HEAVY: f64 = 0.25;
/// Blocks with fewer helpers taking over this fraction of their budget end the probe at once,
/// keeping the helper, once there are `TOO_SLOW_BLOCKS` of them and they are at least half of
/// the blocks run with fewer: a slow block here and there is as likely a preemption (a
/// hypervisor's stolen time, another program's real-time thread) as the count, and would keep
/// a helper that gains nothing for the next 4,096 blocks.
const TOO_SLOW: f64 = 0.5;
const TOO_SLOW_BLOCKS: u32 = 2;

/// A probe in progress: block times with `fewer` helpers against `fewer + 1`.
#[derive(Debug, Clone, Copy)]
struct Probe {
    fewer: usize,
    /// The window being run; even windows run `fewer + 1` helpers, odd ones `fewer`.
    window: u32,
    /// Blocks run in the current window.
    blocks: u32,
    /// Block times in ns, `[more, fewer]`, and how many of each are filled in.
    times: [[u64; PER_COUNT]; 2],
    counted: [usize; 2],
    /// Blocks with fewer helpers that passed `TOO_SLOW` of their budget.
    too_slow: u32,
}

impl Probe {
    fn new(fewer: usize) -> Probe {
        Probe {
            fewer,
            window: 0,
            blocks: 0,
            times: [[0; PER_COUNT]; 2],
            counted: [0; 2],
            too_slow: 0,
        }
    }

    /// The count the current window runs.
    fn helpers(&self) -> usize {
        self.fewer + (self.window % 2 == 0) as usize
    }

    /// The mean block time, in ns, of `[more, fewer]`.
    fn means(&self) -> [f64; 2] {
        [0, 1].map(|k| {
            let times = &self.times[k][..self.counted[k]];
            times.iter().sum::<u64>() as f64 / times.len().max(1) as f64
        })
    }

    /// The median block time, in ns, of `[more, fewer]`.
    fn medians(&mut self) -> [u64; 2] {
        [0, 1].map(|k| {
            let times = &mut self.times[k][..self.counted[k]];
            if times.is_empty() {
                return 0;
            }
            let middle = times.len() / 2;
            *times.select_nth_unstable(middle).1
        })
    }
}

/// Chooses, block by block, how many helpers to run (see the module's documentation).
#[derive(Debug, Clone)]
pub struct Staffing {
    /// The count chosen, outside probes.
    settled: usize,
    probe: Option<Probe>,
    /// Blocks since the last probe ended (or since a reset).
    since: u64,
    /// When to probe next, in `since` blocks.
    next_probe: u64,
    /// The next probe compares the settled count with one more (else one fewer), when both are
    /// possible.
    upward: bool,
    /// The mean block time at the settled count, as a fraction of the budget (negative until
    /// the first block with a budget).
    load: f64,
    /// The mean block time at the settled count, in ns (negative until the first block).
    block_ns: f64,
    /// What this block was run with.
    running: usize,
    /// Probes in a row that left a helper parked.
    unchanged: u32,
}

impl Default for Staffing {
    fn default() -> Self {
        Staffing::new()
    }
}

impl Staffing {
    /// Starts with every helper, probing after the warm-up.
    pub fn new() -> Staffing {
        Staffing {
            settled: usize::MAX,
            probe: None,
            since: 0,
            next_probe: WARM_UP,
            upward: false,
            load: -1.0,
            block_ns: -1.0,
            running: 0,
            unchanged: 0,
        }
    }

    /// Starts over for a new graph: every helper it can use, then a probe after the warm-up.
    pub fn reset(&mut self) {
        *self = Staffing::new();
    }

    /// The helpers to run the next block with, when the graph can keep `useful` of them busy
    /// at once (its widest stage, less the caller).
    pub fn plan(&mut self, useful: usize) -> usize {
        self.settled = self.settled.min(useful);
        if let Some(probe) = &self.probe {
            if probe.fewer + 1 > useful {
                // The graph narrowed under the probe (a new program): it says nothing now.
                self.probe = None;
                self.since = 0;
            }
        }
        if self.probe.is_none() && self.since >= self.next_probe && useful > 0 {
            let heavy = self.load > HEAVY;
            // A block shorter than a helper must save cannot gain enough from one: an idle
            // `phonon dirt` or a light patch never wakes a parked helper to find that out.
            let too_short = (0.0..WORTH_NS).contains(&self.block_ns);
            let up = self.settled < useful && !too_short;
            let down = self.settled > 0 && !heavy;
            let fewer = match (up, down) {
                (true, true) if self.upward => Some(self.settled),
                (true, true) => Some(self.settled - 1),
                (true, false) => Some(self.settled),
                (false, true) => Some(self.settled - 1),
                (false, false) => None,
            };
            self.upward = !self.upward;
            match fewer {
                Some(fewer) => self.probe = Some(Probe::new(fewer)),
                None => self.schedule_next(),
            }
        }
        if self.load > HEAVY && self.probe.is_none() {
            // Heavy blocks take no chances: every helper the graph can use, at once.
            self.settled = useful;
        }
        self.running = match &self.probe {
            Some(probe) => probe.helpers(),
            None => self.settled,
        }
        .min(useful);
        self.running
    }

    /// Records how long the block planned last took, and its budget (its length in audio
    /// time; `None` offline, where only speed counts).
    pub fn record(&mut self, elapsed_ns: u64, budget_ns: Option<u64>) {
        let Some(probe) = &mut self.probe else {
            self.since += 1;
            if self.block_ns < 0.0 {
                self.block_ns = elapsed_ns as f64;
            }
            self.block_ns += (elapsed_ns as f64 - self.block_ns) / 32.0;
            if let Some(budget) = budget_ns.filter(|&b| b > 0) {
                let fraction = elapsed_ns as f64 / budget as f64;
                if self.load < 0.0 {
                    self.load = fraction;
                }
                self.load += (fraction - self.load) / 32.0;
            }
            return;
        };
        let fewer_too_slow = budget_ns.is_some_and(|b| elapsed_ns as f64 > TOO_SLOW * b as f64);
        if self.running == probe.fewer && fewer_too_slow {
            probe.too_slow += 1;
            let fewer_blocks = probe.counted[1] as u32 + 1;
            if probe.too_slow >= TOO_SLOW_BLOCKS && 2 * probe.too_slow >= fewer_blocks {
                // Fewer helpers bring blocks near their deadline: the answer is plain already.
                self.settled = probe.fewer + 1;
                self.probe = None;
                self.schedule_next();
                return;
            }
        }
        let k = (probe.helpers() == probe.fewer) as usize;
        if probe.helpers() == self.running && probe.counted[k] < PER_COUNT {
            probe.times[k][probe.counted[k]] = elapsed_ns;
            probe.counted[k] += 1;
        }
        probe.blocks += 1;
        if probe.blocks < WINDOW {
            return;
        }
        probe.blocks = 0;
        probe.window += 1;
        if probe.window < PROBE_WINDOWS {
            return;
        }
        let [more_mean, fewer_mean] = probe.means();
        let [more, fewer] = probe.medians().map(|ns| ns as f64);
        let gains = more < (1.0 - WORTH) * fewer && fewer - more >= WORTH_NS;
        let chosen = if gains && more_mean <= fewer_mean {
            probe.fewer + 1
        } else {
            probe.fewer
        };
        let settled_mean = if chosen > probe.fewer {
            more_mean
        } else {
            fewer_mean
        };
        if let Some(budget) = budget_ns.filter(|&b| b > 0) {
            self.load = settled_mean / budget as f64;
        }
        self.unchanged = if chosen == self.settled && chosen == probe.fewer {
            (self.unchanged + 1).min(MAX_BACKOFF)
        } else {
            0
        };
        self.settled = chosen;
        self.probe = None;
        self.schedule_next();
    }

    /// Whether a probe is running.
    pub fn probing(&self) -> bool {
        self.probe.is_some()
    }

    fn schedule_next(&mut self) {
        self.since = 0;
        self.next_probe = SETTLED_BLOCKS << self.unchanged;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `blocks` blocks where a block with `h` helpers takes `time(h)` ns; returns the
    /// helpers of the last block.
    fn run(
        staffing: &mut Staffing,
        useful: usize,
        blocks: usize,
        budget: Option<u64>,
        mut time: impl FnMut(usize) -> u64,
    ) -> usize {
        let mut last = 0;
        for _ in 0..blocks {
            last = staffing.plan(useful);
            staffing.record(time(last), budget);
        }
        last
    }

    const PROBE_BLOCKS: usize = (WINDOW * PROBE_WINDOWS) as usize;

    #[test]
    fn a_chain_gets_no_helper_and_is_never_probed() {
        let mut s = Staffing::new();
        for _ in 0..10_000 {
            assert_eq!(s.plan(0), 0);
            assert!(!s.probing());
            s.record(50_000, Some(2_666_000));
        }
    }

    #[test]
    fn helpers_that_halve_the_block_stay() {
        let mut s = Staffing::new();
        let helpers = run(&mut s, 1, 10_000, Some(2_666_000), |h| {
            if h == 1 {
                90_000
            } else {
                165_000
            }
        });
        assert_eq!(helpers, 1);
    }

    #[test]
    fn helpers_that_gain_little_are_parked() {
        let mut s = Staffing::new();
        let before = run(&mut s, 1, WARM_UP as usize, Some(2_666_000), |_| 6_000);
        assert_eq!(before, 1, "every helper until the first probe");
        let after = run(&mut s, 1, PROBE_BLOCKS, Some(2_666_000), |h| {
            if h == 1 {
                5_500
            } else {
                6_000
            }
        });
        assert_eq!(after, 0);
        assert!(!s.probing());
    }

    #[test]
    fn preempted_blocks_do_not_decide_a_probe() {
        // No gain from the helper, but one block in eight without it was preempted for 5 ms.
        let mut s = Staffing::new();
        let mut block = 0u64;
        let helpers = run(&mut s, 1, WARM_UP as usize + PROBE_BLOCKS, None, |h| {
            block += 1;
            if h == 0 && block % 8 == 0 {
                5_000_000
            } else {
                100_000
            }
        });
        assert_eq!(helpers, 0);
    }

    #[test]
    fn a_helper_that_cuts_a_mostly_serial_block_by_a_fifth_is_parked() {
        // `benches/patches/chain.ph` at 128 frames: 58 µs alone, 46 µs with the helper.
        let mut s = Staffing::new();
        let helpers = run(
            &mut s,
            1,
            WARM_UP as usize + PROBE_BLOCKS,
            Some(2_666_000),
            |h| {
                if h == 1 {
                    46_000
                } else {
                    58_000
                }
            },
        );
        assert_eq!(helpers, 0);
    }

    #[test]
    fn a_few_microseconds_saved_are_not_worth_a_helper() {
        let mut s = Staffing::new();
        let helpers = run(&mut s, 1, WARM_UP as usize + PROBE_BLOCKS, None, |h| {
            if h == 1 {
                6_000
            } else {
                12_000
            }
        });
        assert_eq!(helpers, 0);
    }

    #[test]
    fn a_helper_that_is_sometimes_starved_is_parked() {
        // Most blocks are faster with the helper, but one in eight waits 2 ms for a job it
        // holds while another program's thread has its CPU.
        let mut s = Staffing::new();
        let mut block = 0u64;
        let helpers = run(&mut s, 1, WARM_UP as usize + PROBE_BLOCKS, None, |h| {
            block += 1;
            match (h, block % 8) {
                (1, 0) => 2_000_000,
                (1, _) => 100_000,
                _ => 200_000,
            }
        });
        assert_eq!(helpers, 0);
    }

    #[test]
    fn a_starved_helper_is_parked() {
        // With the helper, blocks wait for the jobs it holds: slower than without it.
        let mut s = Staffing::new();
        let helpers = run(&mut s, 1, 5_000, None, |h| {
            if h == 1 {
                400_000
            } else {
                200_000
            }
        });
        assert_eq!(helpers, 0);
    }

    #[test]
    fn blocks_shorter_than_a_helper_must_save_never_wake_a_parked_one() {
        let mut s = Staffing::new();
        let parked = run(&mut s, 1, WARM_UP as usize + PROBE_BLOCKS, None, |_| 8_000);
        assert_eq!(parked, 0);
        for _ in 0..(SETTLED_BLOCKS << MAX_BACKOFF) * 2 {
            assert_eq!(s.plan(1), 0);
            assert!(!s.probing());
            s.record(8_000, Some(2_666_000));
        }
    }

    #[test]
    fn a_parked_helper_comes_back_when_the_music_grows() {
        let mut s = Staffing::new();
        run(
            &mut s,
            1,
            WARM_UP as usize + PROBE_BLOCKS,
            Some(2_666_000),
            |_| 10_000,
        );
        assert_eq!(s.plan(1), 0);
        s.record(10_000, Some(2_666_000));
        let helpers = run(
            &mut s,
            1,
            SETTLED_BLOCKS as usize + 500,
            Some(2_666_000),
            |h| {
                if h == 1 {
                    100_000
                } else {
                    200_000
                }
            },
        );
        assert_eq!(helpers, 1);
    }

    #[test]
    fn heavy_blocks_keep_every_helper_without_probing_down() {
        let mut s = Staffing::new();
        // Equal times (no gain), but a third of the budget: too close to the deadline to probe.
        for _ in 0..20_000 {
            let h = s.plan(3);
            assert_eq!(h, 3, "a heavy graph never runs short of helpers");
            s.record(900_000, Some(2_666_000));
        }
    }

    #[test]
    fn a_probe_that_nears_the_deadline_ends_at_once() {
        let mut s = Staffing::new();
        run(&mut s, 1, WARM_UP as usize, Some(1_000_000), |_| 200_000);
        // The first window runs the helper; the second, without it, is far slower: its first
        // two blocks end the probe.
        run(
            &mut s,
            1,
            (WINDOW + TOO_SLOW_BLOCKS) as usize,
            Some(1_000_000),
            |h| {
                if h == 1 {
                    200_000
                } else {
                    600_000
                }
            },
        );
        assert!(!s.probing());
        assert_eq!(s.plan(1), 1);
    }

    #[test]
    fn blocks_preempted_here_and_there_do_not_end_a_probe() {
        // No gain from the helper; the first and the fifth block without it were preempted
        // past the deadline.
        let mut s = Staffing::new();
        run(&mut s, 1, WARM_UP as usize, Some(2_666_000), |_| 150_000);
        let mut without = 0;
        let helpers = run(&mut s, 1, PROBE_BLOCKS, Some(2_666_000), |h| {
            if h == 1 {
                return 150_000;
            }
            without += 1;
            if without == 1 || without == 5 {
                3_000_000
            } else {
                150_000
            }
        });
        assert_eq!(without, PROBE_BLOCKS / 2, "the probe ran to its end");
        assert!(!s.probing());
        assert_eq!(helpers, 0);
    }

    #[test]
    fn probes_alternate_the_counts_in_windows() {
        let mut s = Staffing::new();
        run(&mut s, 2, WARM_UP as usize, None, |_| 1_000);
        let counts: Vec<usize> = (0..PROBE_BLOCKS)
            .map(|_| {
                let h = s.plan(2);
                s.record(1_000, None);
                h
            })
            .collect();
        for (w, window) in counts.chunks(WINDOW as usize).enumerate() {
            let want = if w % 2 == 0 { 2 } else { 1 };
            assert!(window.iter().all(|&h| h == want), "window {w}: {window:?}");
        }
    }

    #[test]
    fn a_narrower_graph_caps_the_count_at_once() {
        let mut s = Staffing::new();
        run(&mut s, 3, 10, None, |_| 1_000);
        assert_eq!(s.plan(1), 1);
        s.record(1_000, None);
        assert_eq!(s.plan(0), 0);
    }
}
