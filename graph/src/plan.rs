//! Staging: topological levels of the graph as the scheduler's `Stages`, in a deterministic order.

use crate::ir::{Graph, GraphNodeKind, Input, NodeId};
use scheduler::Stages;
use std::fmt::Write;

/// A graph staged for the scheduler: job `i` runs node `i`.
pub struct Plan {
    /// The stages: every node of stage k reads only nodes of earlier stages.
    pub stages: Stages,
    /// The nodes of each stage, by id.
    pub levels: Vec<Vec<NodeId>>,
}

/// Stages a graph: each node goes one stage after the latest node it reads. Feedback reads the
/// previous block, so it adds no edge.
pub fn plan(graph: &Graph) -> Plan {
    let mut level = vec![0usize; graph.nodes.len()];
    // Compilation creates nodes after their inputs, so one pass in id order suffices.
    for i in 0..graph.nodes.len() {
        level[i] = graph
            .dependencies(NodeId(i as u32))
            .map(|d| level[d.index()] + 1)
            .max()
            .unwrap_or(0);
    }
    let depth = level.iter().max().map_or(0, |&m| m + 1);
    let mut levels = vec![Vec::new(); depth];
    for (i, &l) in level.iter().enumerate() {
        levels[l].push(NodeId(i as u32));
    }
    let stages = Stages::new(
        &levels
            .iter()
            .map(|l| l.iter().map(|id| id.index()).collect::<Vec<_>>())
            .collect::<Vec<_>>(),
    )
    .expect("every node is in exactly one non-empty level");
    Plan { stages, levels }
}

fn input_text(input: &Input) -> String {
    match input {
        Input::Const(x) => format!("{x}"),
        Input::Node(id) => format!("#{}", id.0),
    }
}

/// The stages and nodes as text, for `phonon graph`.
pub fn describe(graph: &Graph, plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} nodes in {} stages, {} cycles per second",
        graph.nodes.len(),
        plan.levels.len(),
        graph.cps
    );
    for (k, level) in plan.levels.iter().enumerate() {
        let _ = writeln!(out, "stage {k}:");
        for id in level {
            let node = &graph.nodes[id.index()];
            let inputs: Vec<String> = node
                .inputs
                .iter()
                .map(|(name, input)| format!("{name}={}", input_text(input)))
                .collect();
            let extra = match &node.kind {
                GraphNodeKind::Feedback { source, .. } => {
                    format!(" (previous block of #{})", source.0)
                }
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  #{:<3} {}({}) {}{} [{}]",
                id.0,
                node.kind.label(),
                inputs.join(", "),
                if node.channels == 2 { "stereo" } else { "mono" },
                extra,
                node.identity
            );
        }
    }
    for o in &graph.outputs {
        let _ = writeln!(out, "output {} <- #{}", o.name, o.node.0);
    }
    out
}

/// The graph in Graphviz's dot language, for `phonon graph --dot`.
pub fn dot(graph: &Graph) -> String {
    let mut out = String::from("digraph phonon {\n  rankdir=LR;\n");
    for (i, node) in graph.nodes.iter().enumerate() {
        let _ = writeln!(
            out,
            "  n{i} [label=\"#{i} {}\\n{}\"];",
            node.kind.label(),
            node.identity
        );
        for (name, input) in &node.inputs {
            if let Input::Node(dep) = input {
                let width = if graph.nodes[dep.index()].channels == 2 {
                    2
                } else {
                    1
                };
                let _ = writeln!(
                    out,
                    "  n{} -> n{i} [label=\"{name}\", penwidth={width}];",
                    dep.0
                );
            }
        }
        if let GraphNodeKind::Feedback { source, .. } = &node.kind {
            let _ = writeln!(
                out,
                "  n{} -> n{i} [style=dashed, label=\"next block\"];",
                source.0
            );
        }
    }
    for o in &graph.outputs {
        let _ = writeln!(
            out,
            "  \"{}\" [shape=box];\n  n{} -> \"{}\";",
            o.name, o.node.0, o.name
        );
    }
    out.push_str("}\n");
    out
}
