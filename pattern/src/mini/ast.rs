//! The syntax tree of a mini-notation string.

use crate::time::Time;

/// A node of mini-notation, with the column (1-based, in characters) where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Where it starts in the source, 1-based.
    pub column: usize,
}

/// A step of a sequence: a node and its relative length.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The node played in the step.
    pub node: Node,
    /// Its length relative to the other steps (`@`, `_`).
    pub weight: Time,
}

/// The kinds of mini-notation node.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A word or number, read according to the pattern's type when compiled.
    Atom(String),
    /// `~` or `-`: nothing.
    Rest,
    /// Steps played one after another within a cycle.
    Sequence(Vec<Step>),
    /// `a, b`: layers played together.
    Stack(Vec<Node>),
    /// `a | b`: one layer chosen at random each cycle.
    Choose {
        /// The random stream's seed (Tidal numbers them in order of appearance).
        seed: u32,
        /// The choices.
        options: Vec<Node>,
    },
    /// `<a b>` and `{a b, c d e}%n`: layers of steps played at `steps` steps per cycle.
    Polymeter {
        /// Each layer's steps.
        layers: Vec<Vec<Step>>,
        /// Steps per cycle; `None` means the first layer's step count.
        steps: Option<Box<Node>>,
    },
    /// `x*n`.
    Fast(Box<Node>, Box<Node>),
    /// `x/n`.
    Slow(Box<Node>, Box<Node>),
    /// `x?` and `x?0.3`.
    Degrade {
        /// What is degraded.
        node: Box<Node>,
        /// The random stream's seed.
        seed: u32,
        /// The probability of removal (0.5 when not given).
        amount: Option<f64>,
    },
    /// `x(k, n, rotation)`.
    Euclid {
        /// What plays on the hits.
        node: Box<Node>,
        /// Hits.
        hits: Box<Node>,
        /// Steps.
        steps: Box<Node>,
        /// Left rotation in steps.
        rotation: Option<Box<Node>>,
    },
    /// `a:b:c`: values joined into a list.
    Tail(Vec<Node>),
    /// `a .. b`: the whole numbers from a to b, as a sequence.
    Range(Box<Node>, Box<Node>),
    /// `root'name'modifier…`: a chord.
    Chord {
        /// The root note (0 when absent).
        root: Option<Box<Node>>,
        /// The chord name.
        name: Box<Node>,
        /// Modifiers (`i`, `o`, `d1`, `5`).
        modifiers: Vec<Node>,
    },
}
