//! The function registry: every name a patch can call, its parameters and a one-line doc.
//! The language resolves names only through it; libraries register themselves into it.

pub use crate::params::{ParamKind, ParamSpec};
use crate::values::PatternFn;
pub use pattern::Control;
use std::collections::HashMap;

/// How a function is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Makes a signal from its parameters (oscillators, noise, live input).
    Source,
    /// Processes an input signal (filters, effects, levels).
    Processor,
    /// Turns a string of sound names into a sound pattern (`s`).
    Sound,
    /// Transforms a pattern given last (`fast`, `every`, `jux`).
    Transform,
    /// Makes a pattern from its arguments (`cat`, `stack`, `run`, `silence`).
    Pattern,
    /// Only sets a per-event control of a sound pattern, after `#` (`speed`, `n`).
    Control,
}

/// A function a patch can call.
#[derive(Clone, Debug)]
pub struct Function {
    /// Its name.
    pub name: &'static str,
    /// Other names it answers to (Tidal's and Phonon's spellings).
    pub aliases: &'static [&'static str],
    /// How it is used.
    pub role: Role,
    /// Its parameters in order.
    pub params: &'static [ParamSpec],
    /// The node it makes, for sources and processors.
    pub node: Option<dsp::Kind>,
    /// The pattern it makes from its arguments, for transforms and pattern functions; for an
    /// oscillator, the continuous pattern its name means where a pattern is expected (`saw`).
    pub pattern: Option<PatternFn>,
    /// The control it sets when chained onto a sound pattern with `#`, if any.
    pub control: Option<Control>,
    /// One line on what it does.
    pub doc: &'static str,
    /// A one-line patch that plays it, or empty for one made from its parameters.
    pub example: &'static str,
}

impl Function {
    /// Parameters other than the input.
    pub fn settings(&self) -> impl Iterator<Item = &ParamSpec> {
        self.params.iter().filter(|p| p.kind != ParamKind::Input)
    }

    /// True if it processes an input signal.
    pub fn takes_input(&self) -> bool {
        self.params
            .first()
            .is_some_and(|p| p.kind == ParamKind::Input)
    }
}

/// Every function a patch can call, by name.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    functions: Vec<Function>,
    by_name: HashMap<&'static str, usize>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Adds a function; a later registration of the same name replaces the earlier one.
    pub fn register(&mut self, f: Function) {
        let index = match self.by_name.get(f.name) {
            Some(&i) => {
                self.functions[i] = f.clone();
                i
            }
            None => {
                self.functions.push(f.clone());
                self.functions.len() - 1
            }
        };
        for name in std::iter::once(f.name).chain(f.aliases.iter().copied()) {
            self.by_name.insert(name, index);
        }
    }

    /// Looks a name (or alias) up.
    pub fn get(&self, name: &str) -> Option<&Function> {
        self.by_name.get(name).map(|&i| &self.functions[i])
    }

    /// Every function, in registration order.
    pub fn functions(&self) -> &[Function] {
        &self.functions
    }

    /// Every name and alias.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.by_name.keys().copied()
    }
}
