//! The syntax tree of a mini-notation string.

use crate::time::Time;

/// A node of mini-notation, with the column (1-based, in characters) where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// What the node is.
    pub kind: TermKind,
    /// Where it starts in the source, 1-based.
    pub column: usize,
}

/// A step of a sequence: a node and its relative length.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The node played in the step.
    pub node: Term,
    /// Its length relative to the other steps (`@`, `_`).
    pub weight: Time,
}

/// The kinds of mini-notation node.
#[derive(Clone, Debug, PartialEq)]
pub enum TermKind {
    /// A word or number, read according to the pattern's type when compiled.
    Atom(String),
    /// `~` or `-`: nothing.
    Rest,
    /// Steps played one after another within a cycle.
    Sequence(Vec<Step>),
    /// `a, b`: layers played together.
    Stack(Vec<Term>),
    /// `a | b`: one layer chosen at random each cycle.
    Choose {
        /// The random stream's seed (Tidal numbers them in order of appearance).
        seed: u32,
        /// The choices.
        options: Vec<Term>,
    },
    /// `<a b>` and `{a b, c d e}%n`: layers of steps played at `steps` steps per cycle.
    Polymeter {
        /// Each layer's steps.
        layers: Vec<Vec<Step>>,
        /// Steps per cycle; `None` means the first layer's step count.
        steps: Option<Box<Term>>,
    },
    /// `x*n`.
    Fast(Box<Term>, Box<Term>),
    /// `x/n`.
    Slow(Box<Term>, Box<Term>),
    /// `x?` and `x?0.3`.
    Degrade {
        /// What is degraded.
        node: Box<Term>,
        /// The random stream's seed.
        seed: u32,
        /// The probability of removal (0.5 when not given).
        amount: Option<f64>,
    },
    /// `x(k, n, rotation)`.
    Euclid {
        /// What plays on the hits.
        node: Box<Term>,
        /// Hits.
        hits: Box<Term>,
        /// Steps.
        steps: Box<Term>,
        /// Left rotation in steps.
        rotation: Option<Box<Term>>,
    },
    /// `a:b:c`: values joined into a list.
    Tail(Vec<Term>),
    /// `a .. b`: the whole numbers from a to b, as a sequence.
    Range(Box<Term>, Box<Term>),
    /// `root'name'modifier…`: a chord.
    Chord {
        /// The root note (0 when absent).
        root: Option<Box<Term>>,
        /// The chord name.
        name: Box<Term>,
        /// Modifiers (`i`, `o`, `d1`, `5`).
        modifiers: Vec<Term>,
    },
}
