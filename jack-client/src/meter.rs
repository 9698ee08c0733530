//! Per-node times as a musician reads them: the heaviest nodes by name and patch line, and the
//! critical path that bounds what more workers can gain.

use graph::{Graph, NodeId};
use runtime::{critical_path, NodeTiming};
use std::time::Duration;

/// `sampler (o1, line 3)`: what a node is and where the patch made it.
pub fn node_name(graph: &Graph, node: NodeId) -> String {
    let n = &graph.nodes[node.index()];
    match graph.line_of(node) {
        Some(line) => format!("{} ({}, line {line})", n.kind.label(), n.identity.owner),
        None => format!("{} ({})", n.kind.label(), n.identity.owner),
    }
}

/// Node indices by mean time, heaviest first.
fn heaviest(means: &[Duration]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..means.len()).collect();
    order.sort_by(|&a, &b| means[b].cmp(&means[a]).then(a.cmp(&b)));
    order
}

/// The table `phonon bench --nodes` prints: every node with its patch line, mean and p99 µs
/// per block and its share of the block's duration, heaviest first; then the critical path.
pub fn table(graph: &Graph, timings: &[NodeTiming], block: Duration) -> String {
    let means: Vec<Duration> = timings.iter().map(NodeTiming::mean).collect();
    let mut out = format!(
        "{:<34} {:>5} {:>9} {:>9} {:>8}\n",
        "node", "line", "mean µs", "p99 µs", "block %"
    );
    for i in heaviest(&means) {
        let n = &graph.nodes[i];
        let line = graph
            .line_of(NodeId(i as u32))
            .map_or_else(|| "-".into(), |l| l.to_string());
        out.push_str(&format!(
            "{:<34} {:>5} {:>9.2} {:>9.2} {:>8.2}\n",
            format!("{} ({})", n.kind.label(), n.identity.owner),
            line,
            micros(means[i]),
            micros(timings[i].p99),
            100.0 * means[i].as_secs_f64() / block.as_secs_f64(),
        ));
    }
    out.push_str(&critical_path_line(graph, &means));
    out.push('\n');
    out
}

/// `critical path 41.2 µs of 160.3 µs in all nodes (workers can speed a block up 3.9× at
/// most): sampler (o1, line 2) → lpf (o1, line 2)`.
pub fn critical_path_line(graph: &Graph, means: &[Duration]) -> String {
    let (path_time, path) = critical_path(graph, means);
    let all: Duration = means.iter().sum();
    let bound = if path_time.is_zero() {
        String::new()
    } else {
        format!(
            " (workers can speed a block up {:.1}× at most)",
            all.as_secs_f64() / path_time.as_secs_f64()
        )
    };
    let names: Vec<String> = path.iter().map(|&n| node_name(graph, n)).collect();
    format!(
        "critical path {:.1} µs of {:.1} µs in all nodes{bound}: {}",
        micros(path_time),
        micros(all),
        names.join(" → ")
    )
}

/// `sampler@3 41 µs, lpf@2 12 µs, …`: the `count` heaviest nodes over a window, for a status
/// line.
pub fn top(graph: &Graph, means: &[Duration], count: usize) -> String {
    heaviest(means)
        .into_iter()
        .take(count)
        .filter(|&i| !means[i].is_zero())
        .map(|i| {
            let node = &graph.nodes[i];
            // A patch's node by its kind and line (`lpf@3`); one the host added by its output
            // (`orbit2`).
            let name = match graph.line_of(NodeId(i as u32)) {
                Some(line) => format!("{}@{line}", node.kind.label()),
                None => node.identity.owner.clone(),
            };
            format!("{name} {:.0} µs", micros(means[i]))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}
