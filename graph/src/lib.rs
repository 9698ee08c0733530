//! The `.ph` patch language: lexing, parsing, diagnostics, the function registry, compilation to
//! a graph IR and staging into a scheduler plan.

pub mod ast;
pub mod diagnostic;
pub mod lexer;
pub mod parser;
pub mod plan;

pub use diagnostic::{Diagnostic, Severity, Source};
pub mod compile;
pub mod ir;
pub mod library;
pub mod registry;
pub mod transforms;

pub use compile::{compile, compile_with_sounds, Compilation};
pub use dsp;
pub use ir::{Graph, Identity, Input, Node, NodeId, NodeKind, Output};
pub use plan::{plan, Plan};
pub use registry::{Function, Param, ParamKind, Registry, Role};
