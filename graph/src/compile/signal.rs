//! What evaluation makes of a value that plays as audio: a signal, a node-to-be with its inputs
//! and identity. Signals hold each other, not node ids: a bus read twice is one shared signal,
//! and lowering numbers what reaches an output.

use crate::ir::Identity;
use std::rc::Rc;

/// A signal, shared by everything that reads it.
pub(super) type Signal = Rc<SignalNode>;

/// One node-to-be of the graph.
pub(super) struct SignalNode {
    /// What it computes.
    pub(super) kind: SignalKind,
    /// Its inputs, by parameter name.
    pub(super) inputs: Vec<(&'static str, SignalInput)>,
    /// Output channels: 1 or 2.
    pub(super) channels: u8,
    /// Its stable identity: the statement that made it and its place among that statement's.
    pub(super) identity: Identity,
    /// Its place among every signal the patch made, which the graph's node order keeps.
    pub(super) made: u32,
}

/// What a signal computes.
#[derive(Clone)]
pub(super) enum SignalKind {
    /// A node of the DSP library.
    Dsp(dsp::Kind),
    /// The previous block of the bus `bus`, read inside its own definition; lowering points it
    /// at the signal the bus became.
    Feedback {
        /// The bus read.
        bus: String,
    },
}

/// Where a signal's input comes from.
#[derive(Clone)]
pub(super) enum SignalInput {
    /// A constant (folded while evaluating).
    Const(f64),
    /// Another signal, in the same block.
    Signal(Signal),
}

impl SignalInput {
    /// How many channels it carries.
    pub(super) fn channels(&self) -> u8 {
        match self {
            SignalInput::Const(_) => 1,
            SignalInput::Signal(s) => s.channels,
        }
    }
}

impl Drop for SignalNode {
    /// Drops the signals only this one holds in a loop, not by recursion: a chain of fifty
    /// thousand operators is a tree that deep.
    fn drop(&mut self) {
        let mut pending = held(&mut self.inputs);
        while let Some(signal) = pending.pop() {
            if let Ok(mut node) = Rc::try_unwrap(signal) {
                pending.extend(held(&mut node.inputs));
            }
        }
    }
}

/// The signals among `inputs`, taken out of them.
fn held(inputs: &mut Vec<(&'static str, SignalInput)>) -> Vec<Signal> {
    std::mem::take(inputs)
        .into_iter()
        .filter_map(|(_, input)| match input {
            SignalInput::Signal(signal) => Some(signal),
            SignalInput::Const(_) => None,
        })
        .collect()
}
