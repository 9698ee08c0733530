//! Where the time goes: each node's time per block, read by the control thread while the
//! audio plays, and the critical path through a graph that bounds the speed-up from workers.
//!
//! A node's meter is written only by the job running that node (one writer per block, as with
//! its state), so relaxed loads and stores suffice; the control thread reads them at any time
//! and may see a block half-counted, which a running mean does not mind.

use graph::{Graph, NodeId};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Histogram bins: quarter octaves from 64 ns up (the last, 67 ms and over).
const BINS: usize = 80;
/// The lowest bin's lower edge, in ns.
const FLOOR_NS: u64 = 64;

/// One node's times.
struct NodeMeter {
    total_ns: AtomicU64,
    blocks: AtomicU64,
    bins: [AtomicU32; BINS],
}

/// One block in this many is timed: a quarter of the clock reads, and the same means.
pub const SAMPLE_EVERY: u64 = 4;

/// Every node's meter for one program; shared by the program and the control thread.
pub struct NodeMeters {
    enabled: AtomicBool,
    /// Whether the block being run is one of the sampled ones.
    timing: AtomicBool,
    /// Blocks begun, for the sampling.
    begun: AtomicU64,
    nodes: Box<[NodeMeter]>,
}

/// What a node's meter says.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct NodeTiming {
    /// Blocks timed.
    pub blocks: u64,
    /// Time spent in all of them.
    pub total: Duration,
    /// The 99th percentile of one block's time (to a quarter octave).
    pub p99: Duration,
}

impl NodeTiming {
    /// The mean time per block.
    pub fn mean(&self) -> Duration {
        match self.blocks {
            0 => Duration::ZERO,
            n => self.total / n.min(u64::from(u32::MAX)) as u32,
        }
    }

    /// The mean over the blocks since `earlier` (the same node's timing read before).
    pub fn mean_since(&self, earlier: &NodeTiming) -> Duration {
        let blocks = self.blocks.saturating_sub(earlier.blocks);
        match blocks {
            0 => Duration::ZERO,
            n => self.total.saturating_sub(earlier.total) / n.min(u64::from(u32::MAX)) as u32,
        }
    }
}

fn bin_of(ns: u64) -> usize {
    if ns < FLOOR_NS {
        return 0;
    }
    let octave = 63 - ns.leading_zeros() as usize;
    let quarter = ((ns >> (octave - 2)) & 3) as usize;
    ((octave - 6) * 4 + quarter).min(BINS - 1)
}

/// The middle of a bin, geometrically.
fn bin_middle(bin: usize) -> Duration {
    let ns = FLOOR_NS as f64 * 2f64.powf((bin as f64 + 0.5) / 4.0);
    Duration::from_nanos(ns as u64)
}

impl NodeMeters {
    /// Meters for `nodes` nodes, counting if `enabled`.
    pub fn new(nodes: usize, enabled: bool) -> NodeMeters {
        NodeMeters {
            enabled: AtomicBool::new(enabled),
            timing: AtomicBool::new(false),
            begun: AtomicU64::new(0),
            nodes: (0..nodes)
                .map(|_| NodeMeter {
                    total_ns: AtomicU64::new(0),
                    blocks: AtomicU64::new(0),
                    bins: std::array::from_fn(|_| AtomicU32::new(0)),
                })
                .collect(),
        }
    }

    /// Whether nodes are being timed.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Turns the timing on or off (off: no clock is read).
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::Relaxed);
    }

    /// Called by the audio thread before each block: decides whether this block is timed.
    pub(crate) fn begin_block(&self) {
        let begun = self.begun.load(Ordering::Relaxed);
        self.begun.store(begun + 1, Ordering::Relaxed);
        let timing = self.enabled() && begun % SAMPLE_EVERY == 0;
        self.timing.store(timing, Ordering::Relaxed);
    }

    /// The clock at a node's start, if this block is timed.
    #[inline]
    pub(crate) fn start(&self) -> Option<Instant> {
        self.timing.load(Ordering::Relaxed).then(Instant::now)
    }

    /// Counts node `i`'s block that began at `started`. Called only by the job running it.
    #[inline]
    pub(crate) fn stop(&self, i: usize, started: Option<Instant>) {
        let (Some(started), Some(meter)) = (started, self.nodes.get(i)) else {
            return;
        };
        let ns = started.elapsed().as_nanos().min(u128::from(u64::MAX)) as u64;
        let add = |counter: &AtomicU64, by: u64| {
            counter.store(counter.load(Ordering::Relaxed) + by, Ordering::Relaxed);
        };
        add(&meter.total_ns, ns);
        add(&meter.blocks, 1);
        let bin = &meter.bins[bin_of(ns)];
        bin.store(
            bin.load(Ordering::Relaxed).saturating_add(1),
            Ordering::Relaxed,
        );
    }

    /// Every node's timing so far, by node index.
    pub fn timings(&self) -> Vec<NodeTiming> {
        self.nodes
            .iter()
            .map(|m| {
                let bins: Vec<u64> = m
                    .bins
                    .iter()
                    .map(|b| u64::from(b.load(Ordering::Relaxed)))
                    .collect();
                let count: u64 = bins.iter().sum();
                let rank = (count * 99).div_ceil(100).max(1);
                let mut seen = 0;
                let p99 = bins
                    .iter()
                    .position(|&n| {
                        seen += n;
                        seen >= rank
                    })
                    .map_or(Duration::ZERO, bin_middle);
                NodeTiming {
                    blocks: m.blocks.load(Ordering::Relaxed),
                    total: Duration::from_nanos(m.total_ns.load(Ordering::Relaxed)),
                    p99: if count == 0 { Duration::ZERO } else { p99 },
                }
            })
            .collect()
    }
}

/// The longest chain of nodes that must run one after another in a block, by their mean
/// times: no number of workers makes a block shorter than this. Returns its time and its
/// nodes, first to last. Feedback reads are not links (they read the previous block).
pub fn critical_path(graph: &Graph, times: &[Duration]) -> (Duration, Vec<NodeId>) {
    let n = graph.nodes.len();
    // Longest chain ending at each node; nodes are visited after their inputs.
    let mut best: Vec<Option<(Duration, Option<usize>)>> = vec![None; n];
    fn visit(
        graph: &Graph,
        times: &[Duration],
        best: &mut [Option<(Duration, Option<usize>)>],
        start: usize,
    ) {
        // Iterative depth-first order: deep graphs must not overflow the stack.
        let mut stack = vec![(start, false)];
        while let Some((i, expanded)) = stack.pop() {
            if best[i].is_some() {
                continue;
            }
            if !expanded {
                stack.push((i, true));
                for dep in graph.dependencies(NodeId(i as u32)) {
                    if best[dep.index()].is_none() {
                        stack.push((dep.index(), false));
                    }
                }
                continue;
            }
            let before = graph
                .dependencies(NodeId(i as u32))
                .filter_map(|d| best[d.index()].map(|(t, _)| (t, d.index())))
                .max_by_key(|&(t, _)| t);
            let own = times.get(i).copied().unwrap_or_default();
            best[i] = Some(match before {
                Some((t, d)) => (t + own, Some(d)),
                None => (own, None),
            });
        }
    }
    for i in 0..n {
        visit(graph, times, &mut best, i);
    }
    let Some(end) = (0..n).max_by_key(|&i| best[i].map(|(t, _)| t)) else {
        return (Duration::ZERO, Vec::new());
    };
    let total = best[end].map_or(Duration::ZERO, |(t, _)| t);
    let mut path = vec![NodeId(end as u32)];
    let mut at = end;
    while let Some((_, Some(prev))) = best[at] {
        path.push(NodeId(prev as u32));
        at = prev;
    }
    path.reverse();
    (total, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use graph::{diagnostic::Source, Registry};

    #[test]
    fn bins_are_quarter_octaves() {
        assert_eq!(bin_of(0), 0);
        assert_eq!(bin_of(64), 0);
        assert_eq!(bin_of(128), 4);
        assert_eq!(bin_of(160), 5);
        assert_eq!(bin_of(1 << 40), BINS - 1);
        for ns in [100u64, 1_000, 10_000, 1_000_000] {
            let middle = bin_middle(bin_of(ns)).as_nanos() as f64;
            assert!((middle / ns as f64 - 1.0).abs() < 0.2, "{ns}: {middle}");
        }
    }

    #[test]
    fn timings_count_blocks_mean_and_p99() {
        let meters = NodeMeters::new(2, true);
        let timed = (0..SAMPLE_EVERY * 3)
            .filter(|_| {
                meters.begin_block();
                meters.start().is_some()
            })
            .count();
        assert_eq!(timed, 3, "one block in {SAMPLE_EVERY} is timed");
        for _ in 0..99 {
            meters.stop(0, Some(Instant::now()));
        }
        let slow = Instant::now() - Duration::from_millis(5);
        meters.stop(0, Some(slow));
        meters.stop(1, None);
        let t = meters.timings();
        assert_eq!(t[0].blocks, 100);
        assert_eq!(t[1].blocks, 0);
        assert!(t[0].mean() >= Duration::from_micros(50), "{:?}", t[0]);
        assert!(
            t[0].p99 < Duration::from_millis(1),
            "one slow block in 100 is above p99"
        );
        meters.set_enabled(false);
        for _ in 0..SAMPLE_EVERY {
            meters.begin_block();
            assert!(meters.start().is_none());
        }
    }

    #[test]
    fn the_critical_path_is_the_longest_chain() {
        let text = "~a: sine 100\n~b: ~a * 0.5\nout: ~b + sine 200\n";
        let graph = graph::compile(
            &Source::new("p.ph", text.to_string()),
            &Registry::standard(),
        )
        .graph
        .expect("compiles");
        let times: Vec<Duration> = (0..graph.nodes.len())
            .map(|i| Duration::from_micros(10 * (i as u64 + 1)))
            .collect();
        let (total, path) = critical_path(&graph, &times);
        let sum: Duration = path.iter().map(|n| times[n.index()]).sum();
        assert_eq!(total, sum);
        for pair in path.windows(2) {
            assert!(graph.dependencies(pair[1]).any(|d| d == pair[0]));
        }
        // No chain is longer than the sum of all, and it ends where an output is taken.
        assert!(total <= times.iter().sum());
        assert!(graph.outputs.iter().any(|o| Some(&o.node) == path.last()));
    }
}
