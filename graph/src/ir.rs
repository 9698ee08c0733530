//! The graph IR: nodes with their inputs, channel counts and stable identities, and named outputs.

use std::fmt;

/// A node's index in [`Graph::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    /// As an index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a node computes.
#[derive(Clone)]
pub enum GraphNodeKind {
    /// A node of the DSP library.
    Dsp(dsp::Kind),
    /// Last block's output of `source`, for a bus that reads itself (a one-block feedback delay).
    Feedback {
        /// The bus read.
        bus: String,
        /// The node whose previous block is read.
        source: NodeId,
    },
}

impl fmt::Debug for GraphNodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

impl GraphNodeKind {
    /// A short name for listings.
    pub fn label(&self) -> String {
        match self {
            GraphNodeKind::Dsp(kind) => kind.label().to_string(),
            GraphNodeKind::Feedback { bus, .. } => format!("feedback ~{bus}"),
        }
    }
}

/// Where an input's value comes from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input {
    /// A constant (folded at compile time).
    Const(f64),
    /// Another node's output in the same block.
    Node(NodeId),
}

/// A node's stable identity: the statement that owns it and its position there. The runtime
/// carries state across a reload between nodes with the same identity and kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity {
    /// The owning statement: `~bass`, `out`, `out2`.
    pub owner: String,
    /// The node's position among the owner's nodes, in the order they were built.
    pub position: u32,
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.position)
    }
}

/// One node of the graph.
#[derive(Clone, Debug)]
pub struct GraphNode {
    /// What it computes.
    pub kind: GraphNodeKind,
    /// Its inputs, by parameter name.
    pub inputs: Vec<(&'static str, Input)>,
    /// Output channels: 1 or 2.
    pub channels: u8,
    /// Its stable identity.
    pub identity: Identity,
}

/// A named output of the patch.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    /// `out`, `out1`, `o2`, `d3`.
    pub name: String,
    /// The node it plays.
    pub node: NodeId,
}

/// A `midi:` statement: a pattern whose events are sent as MIDI messages.
#[derive(Clone, Debug)]
pub struct MidiPart {
    /// `midi`, `midi2`.
    pub name: String,
    /// The events it sends.
    pub pattern: pattern::Pattern<pattern::Sound>,
}

/// A compiled patch.
#[derive(Clone, Debug)]
pub struct Graph {
    /// Every node that reaches an output, in a deterministic order.
    pub nodes: Vec<GraphNode>,
    /// The outputs, in the order the patch declares them.
    pub outputs: Vec<Output>,
    /// Tempo in cycles per second.
    pub cps: f64,
    /// The line each statement that owns nodes (`~bass`, `out`) is defined on, from 1.
    pub lines: std::collections::BTreeMap<String, u32>,
    /// The `midi:` statements, in the order the patch declares them.
    pub midi: Vec<MidiPart>,
}

impl Graph {
    /// A graph with no nodes or outputs at `cps` cycles per second.
    pub fn empty(cps: f64) -> Graph {
        Graph {
            nodes: Vec::new(),
            outputs: Vec::new(),
            cps,
            lines: Default::default(),
            midi: Vec::new(),
        }
    }

    /// Adds a node of the host's (an orbit of `phonon dirt`) as the output `name`: a stereo
    /// node without inputs, owned by that output. An output of that name already there is
    /// replaced.
    pub fn add_hosted(&mut self, hosted: dsp::Hosted, name: &str) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(GraphNode {
            kind: GraphNodeKind::Dsp(dsp::Kind::Hosted(hosted)),
            inputs: Vec::new(),
            channels: 2,
            identity: Identity {
                owner: name.to_string(),
                position: 0,
            },
        });
        self.outputs.retain(|o| o.name != name);
        self.outputs.push(Output {
            name: name.to_string(),
            node: id,
        });
        id
    }

    /// The patch line node `node` comes from, where known.
    pub fn line_of(&self, node: NodeId) -> Option<u32> {
        self.lines
            .get(&self.nodes[node.index()].identity.owner)
            .copied()
    }

    /// The nodes whose outputs `node` reads in the same block.
    pub fn dependencies(&self, node: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes[node.index()]
            .inputs
            .iter()
            .filter_map(|(_, input)| match input {
                Input::Node(id) => Some(*id),
                Input::Const(_) => None,
            })
    }
}
