//! Pruning: only the nodes an output depends on are kept, renumbered in their original order.

use super::Compiler;
use crate::ir::{Graph, GraphNodeKind, Input, NodeId, Output};

impl Compiler<'_> {
    pub(super) fn prune(
        &mut self,
        outputs: Vec<Output>,
        cps: f64,
        lines: std::collections::BTreeMap<String, u32>,
    ) -> Graph {
        let mut keep = vec![false; self.nodes.len()];
        let mut stack: Vec<NodeId> = outputs.iter().map(|o| o.node).collect();
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut keep[id.index()], true) {
                continue;
            }
            let node = &self.nodes[id.index()];
            for (_, input) in &node.inputs {
                if let Input::Node(dep) = input {
                    stack.push(*dep);
                }
            }
            if let GraphNodeKind::Feedback { source, .. } = &node.kind {
                stack.push(*source);
            }
        }
        let mut renumber = vec![NodeId(0); self.nodes.len()];
        let mut nodes = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if keep[i] {
                renumber[i] = NodeId(nodes.len() as u32);
                nodes.push(node.clone());
            }
        }
        for node in &mut nodes {
            for (_, input) in &mut node.inputs {
                if let Input::Node(id) = input {
                    *id = renumber[id.index()];
                }
            }
            if let GraphNodeKind::Feedback { source, .. } = &mut node.kind {
                *source = renumber[source.index()];
            }
        }
        let outputs = outputs
            .into_iter()
            .map(|o| Output {
                node: renumber[o.node.index()],
                ..o
            })
            .collect();
        Graph {
            nodes,
            outputs,
            cps,
            lines,
            midi: Vec::new(),
        }
    }
}
