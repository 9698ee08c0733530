//! Lowering, the pass after evaluation: the signals that reach an output become the graph's
//! nodes, numbered in the order evaluation made them, with a bus's reads of itself pointed at
//! the node the bus became. What no output reaches is left out.

use super::signal::{Signal, SignalInput, SignalKind, SignalNode};
use crate::ir::{Graph, GraphNode, GraphNodeKind, Input, MidiPart, NodeId, Output};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// What evaluation hands to lowering.
pub(super) struct Evaluated {
    /// Each output's signal, in the order the patch declares them.
    pub(super) outputs: Vec<(String, Signal)>,
    /// The signal each bus that reads itself became: where its feedback reads read from.
    pub(super) feedback_sources: HashMap<String, Signal>,
    /// Tempo in cycles per second.
    pub(super) cps: f64,
    /// The line each statement that owns nodes is defined on.
    pub(super) lines: BTreeMap<String, u32>,
    /// The `midi:` statements.
    pub(super) midi: Vec<MidiPart>,
}

/// The lowering pass: from signals to numbered nodes.
pub(super) struct Lowering<'e> {
    feedback_sources: &'e HashMap<String, Signal>,
    /// The node each reached signal becomes, by the signal's address.
    ids: HashMap<*const SignalNode, NodeId>,
}

impl<'e> Lowering<'e> {
    /// The graph of `evaluated`.
    pub(super) fn graph(evaluated: Evaluated) -> Graph {
        let lowering = Lowering {
            feedback_sources: &evaluated.feedback_sources,
            ids: HashMap::new(),
        };
        lowering.run(
            &evaluated.outputs,
            evaluated.cps,
            evaluated.lines,
            evaluated.midi,
        )
    }

    fn run(
        mut self,
        outputs: &[(String, Signal)],
        cps: f64,
        lines: BTreeMap<String, u32>,
        midi: Vec<MidiPart>,
    ) -> Graph {
        let reached = self.reached(outputs);
        for (i, signal) in reached.iter().enumerate() {
            self.ids.insert(Rc::as_ptr(signal), NodeId(i as u32));
        }
        let nodes = reached.iter().map(|s| self.node(s)).collect();
        let outputs = outputs
            .iter()
            .map(|(name, signal)| Output {
                name: name.clone(),
                node: self.id(signal),
            })
            .collect();
        Graph {
            nodes,
            outputs,
            cps,
            lines,
            midi,
        }
    }

    /// Every signal an output reads, directly or through others, in the order evaluation made
    /// them. Walks with a stack of its own: a long chain is a deep tree.
    fn reached(&self, outputs: &[(String, Signal)]) -> Vec<Signal> {
        let mut seen = std::collections::HashSet::new();
        let mut reached = Vec::new();
        let mut stack: Vec<Signal> = outputs.iter().map(|(_, s)| s.clone()).collect();
        while let Some(signal) = stack.pop() {
            if !seen.insert(Rc::as_ptr(&signal)) {
                continue;
            }
            for (_, input) in &signal.inputs {
                if let SignalInput::Signal(dep) = input {
                    stack.push(dep.clone());
                }
            }
            if let Some(source) = self.feedback_source(&signal) {
                stack.push(source.clone());
            }
            reached.push(signal);
        }
        reached.sort_by_key(|s| s.made);
        reached
    }

    /// The signal a feedback read reads the previous block of.
    fn feedback_source(&self, signal: &SignalNode) -> Option<&'e Signal> {
        match &signal.kind {
            SignalKind::Feedback { bus } => self.feedback_sources.get(bus),
            SignalKind::Dsp(_) => None,
        }
    }

    fn id(&self, signal: &Signal) -> NodeId {
        self.ids[&Rc::as_ptr(signal)]
    }

    fn node(&self, signal: &Signal) -> GraphNode {
        let inputs = signal
            .inputs
            .iter()
            .map(|(name, input)| {
                let input = match input {
                    SignalInput::Const(x) => Input::Const(*x),
                    SignalInput::Signal(s) => Input::Node(self.id(s)),
                };
                (*name, input)
            })
            .collect();
        let (kind, channels) = match &signal.kind {
            SignalKind::Dsp(kind) => (GraphNodeKind::Dsp(kind.clone()), signal.channels),
            SignalKind::Feedback { bus } => {
                // Evaluation closes every bus it reads as feedback, or reports an error, so a
                // source is there; without one the read would read itself: silence.
                let source = self.feedback_source(signal).unwrap_or(signal);
                let kind = GraphNodeKind::Feedback {
                    bus: bus.clone(),
                    source: self.id(source),
                };
                (kind, source.channels)
            }
        };
        GraphNode {
            kind,
            inputs,
            channels,
            identity: signal.identity.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Identity;

    fn signal(
        kind: SignalKind,
        inputs: Vec<(&'static str, SignalInput)>,
        channels: u8,
        made: u32,
    ) -> Signal {
        Rc::new(SignalNode {
            kind,
            inputs,
            channels,
            identity: Identity {
                owner: "out".into(),
                position: made,
            },
            made,
        })
    }

    fn math(op: dsp::MathOp, a: &Signal, b: SignalInput, made: u32) -> Signal {
        let inputs = vec![("a", SignalInput::Signal(a.clone())), ("b", b)];
        signal(SignalKind::Dsp(dsp::Kind::Math(op)), inputs, 1, made)
    }

    fn number(x: f64, made: u32) -> Signal {
        let kind = SignalKind::Dsp(dsp::Kind::Numbers(pattern::pure(x)));
        signal(kind, Vec::new(), 1, made)
    }

    fn lowered(outputs: Vec<(&str, Signal)>, feedback_sources: HashMap<String, Signal>) -> Graph {
        Lowering::graph(Evaluated {
            outputs: outputs
                .into_iter()
                .map(|(name, s)| (name.to_string(), s))
                .collect(),
            feedback_sources,
            cps: 0.5,
            lines: BTreeMap::new(),
            midi: Vec::new(),
        })
    }

    #[test]
    fn what_an_output_reaches_is_numbered_in_the_order_it_was_made_and_the_rest_left_out() {
        let a = number(1.0, 0);
        let checked_only = number(2.0, 1);
        let b = number(3.0, 2);
        let sum = math(dsp::MathOp::Add, &a, SignalInput::Signal(b), 3);
        let twice = math(dsp::MathOp::Mul, &sum, SignalInput::Signal(sum.clone()), 4);
        let graph = lowered(vec![("out", twice)], HashMap::new());
        let positions: Vec<u32> = graph.nodes.iter().map(|n| n.identity.position).collect();
        assert_eq!(
            positions,
            [0, 2, 3, 4],
            "the signal no output reads is left out"
        );
        assert_eq!(
            graph.nodes[2].inputs,
            [("a", Input::Node(NodeId(0))), ("b", Input::Node(NodeId(1)))]
        );
        assert_eq!(
            graph.nodes[3].inputs,
            [("a", Input::Node(NodeId(2))), ("b", Input::Node(NodeId(2)))],
            "a signal read twice is one node"
        );
        assert_eq!(graph.outputs[0].node, NodeId(3));
        drop(checked_only);
    }

    #[test]
    fn a_bus_reading_itself_reads_the_node_it_became_at_its_width() {
        let read = signal(
            SignalKind::Feedback { bus: "echo".into() },
            Vec::new(),
            2,
            0,
        );
        let echo = math(dsp::MathOp::Mul, &read, SignalInput::Const(0.5), 1);
        let sources = HashMap::from([("echo".to_string(), echo.clone())]);
        let graph = lowered(vec![("out", echo)], sources);
        match &graph.nodes[0].kind {
            GraphNodeKind::Feedback { bus, source } => {
                assert_eq!((bus.as_str(), *source), ("echo", NodeId(1)));
            }
            other => panic!("expected the feedback read first, found {other:?}"),
        }
        assert_eq!(graph.nodes[0].channels, 1, "as wide as the bus it reads");
        assert_eq!(graph.nodes[1].inputs[0], ("a", Input::Node(NodeId(0))));
    }

    #[test]
    fn a_chain_fifty_thousand_signals_long_lowers_and_drops_without_recursion() {
        let mut chain = number(0.0, 0);
        for made in 1..=50_000 {
            chain = math(dsp::MathOp::Add, &chain, SignalInput::Const(1.0), made);
        }
        let graph = lowered(vec![("out", chain)], HashMap::new());
        assert_eq!(graph.nodes.len(), 50_001);
        assert_eq!(graph.outputs[0].node, NodeId(50_000));
    }
}
