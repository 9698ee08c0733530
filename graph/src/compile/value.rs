//! What an expression is while compiling: a constant, a string not yet read at a type, a
//! pattern, a signal node, a function waiting for arguments, a list or a tuple.

use super::signal::Signal;
use crate::params::ParamKind;
use crate::registry::{Function, Role};
use crate::values::{Arg, Pat, Transform};
use pattern::{Pattern, Sound, Value};
use std::ops::Range;

/// A value while compiling.
#[derive(Clone)]
pub(super) enum Val<'r> {
    Num(f64),
    /// A string literal not yet committed to a type: sounds, numbers, times, words…
    Str {
        text: String,
        at: usize,
    },
    /// A pattern of values (numbers, words, booleans).
    Values(Pattern<Value>),
    Sounds {
        pattern: Pattern<Sound>,
        /// The bus holding it, so that it becomes one sampler however often it is read.
        bus: Option<String>,
    },
    Signal(Signal),
    /// A node function (source, processor, control, `s`) with the arguments given so far.
    Call {
        f: &'r Function,
        args: Vec<(Val<'r>, Range<usize>)>,
    },
    /// A pattern function with the arguments compiled so far.
    Partial {
        f: &'r Function,
        args: Vec<Arg>,
    },
    Transform(Transform),
    /// `fast 2 # lpf 800 0.5` on the right of Phonon's pipe: a pattern function whose result
    /// then goes through `#` with `then`.
    Then {
        first: Box<Val<'r>>,
        then: Box<(Val<'r>, Range<usize>)>,
    },
    List(Vec<(Val<'r>, Range<usize>)>),
    Tuple(Vec<(Val<'r>, Range<usize>)>),
    /// `:q 0.8`: an argument for the parameter `name`.
    Named {
        name: String,
        value: Box<Val<'r>>,
    },
}

impl Val<'_> {
    pub(super) fn describe(&self) -> String {
        match self {
            Val::Num(x) => format!("the number {x}"),
            Val::Str { .. } => "a pattern string".into(),
            Val::Values(_) => "a pattern of values".into(),
            Val::Sounds { .. } => "a sound pattern".into(),
            Val::Signal(_) => "an audio signal".into(),
            Val::Call { f, .. } if f.role == Role::Source => format!("the signal `{}`", f.name),
            Val::Call { f, .. } | Val::Partial { f, .. } => format!("the function `{}`", f.name),
            Val::Transform(_) => "a pattern function".into(),
            Val::Then { .. } => "a pattern function followed by `#`".into(),
            Val::Named { name, .. } => format!("the named argument `:{name}`"),
            Val::List(_) => "a list".into(),
            Val::Tuple(_) => "a tuple".into(),
        }
    }

    /// True for an audio signal or what plays as one (a sound pattern, a source called with
    /// its arguments): a processor's input when it comes first (`reverb ~wet 0.6 0.5`).
    pub(super) fn is_signal(&self) -> bool {
        match self {
            Val::Signal(_) | Val::Sounds { .. } => true,
            Val::Call { f, args } => f.role == Role::Source && !args.is_empty(),
            _ => false,
        }
    }

    /// True for a control called with its value (`n "c4 e4"`, `gain 0.8`).
    pub(super) fn is_control_call(&self) -> bool {
        matches!(self, Val::Call { f, args } if f.control.is_some() && args.len() == 1)
    }

    pub(super) fn is_function(&self) -> bool {
        matches!(
            self,
            Val::Call { .. } | Val::Partial { .. } | Val::Transform(_) | Val::Then { .. }
        )
    }

    /// True for a transform whose next argument is the pattern it applies to (`fast 2`, `rev`),
    /// or a composed function: what `$` pipes a pattern through.
    pub(super) fn wants_pattern(&self) -> bool {
        match self {
            Val::Partial { f, args } => {
                f.role == Role::Transform
                    && f.params
                        .get(args.len())
                        .is_some_and(|p| p.kind == ParamKind::Pattern)
                    && args.len() + 1 == f.params.len()
            }
            Val::Transform(_) | Val::Then { .. } => true,
            _ => false,
        }
    }

    /// The value of a finished pattern function.
    pub(super) fn from_pat(p: Pat) -> Self {
        match p {
            Pat::Sound(pattern) => Val::Sounds { pattern, bus: None },
            Pat::Value(p) => Val::Values(p),
        }
    }
}
