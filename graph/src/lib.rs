//! The `.ph` patch language and its graph: lexing, parsing, diagnostics, the function registry
//! (names, parameters and docs, each mapped to a `dsp::Kind` or a pattern function), the
//! compiler to a graph IR, `phonon query`'s pattern evaluation, and staging into a scheduler
//! plan. The nodes themselves live in the `dsp` crate.

#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod ast;
pub mod compile;
pub mod diagnostic;
pub mod ir;
pub mod lexer;
pub mod library;
pub mod params;
pub mod parser;
pub mod plan;
pub mod query;
pub mod registry;
pub mod transforms;
pub mod values;

pub use diagnostic::{Diagnostic, Severity, Source};

pub use compile::{compile, compile_with_sounds, Compilation};
pub use dsp;
pub use ir::{Graph, GraphNode, GraphNodeKind, Identity, Input, MidiPart, NodeId, Output};
pub use plan::{plan, Plan};
pub use registry::{Function, ParamKind, ParamSpec, Registry, Role};
