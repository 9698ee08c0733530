//! The function registry: every name a patch can call, its parameters and a one-line doc.
//! The language resolves names only through it; libraries register themselves into it.

pub use pattern::Control;
use std::collections::HashMap;

/// What an argument may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// The signal being processed; `#` fills it from its left side.
    Input,
    /// A number, pattern string, bus or expression, modulatable at audio rate.
    Signal,
    /// A constant number.
    Number,
    /// A number of cycles, or a pattern of them.
    Time,
    /// A mini-notation string of sound names.
    Sounds,
    /// A pattern transform (`rev`, `fast 2`, `(# speed 2)`).
    Transform,
    /// The pattern a transform applies to.
    Pattern,
}

/// How a function is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Makes a signal from its parameters (oscillators, noise, live input).
    Source,
    /// Processes an input signal (filters, effects, levels).
    Processor,
    /// Turns a string of sound names into a sound pattern (`s`).
    Sound,
    /// Transforms a pattern (`fast`, `every`, `jux`).
    Transform,
    /// Only sets a per-event control of a sound pattern, after `#` (`speed`, `n`).
    Control,
}

/// One parameter of a function.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Param {
    /// Its name, as `phonon functions` shows it.
    pub name: &'static str,
    /// What it accepts.
    pub kind: ParamKind,
    /// Its value when left out; `None` makes it required.
    pub default: Option<f64>,
    /// Its unit (`Hz`, `s`, `cycles`), or empty.
    pub unit: &'static str,
}

impl Param {
    /// A required parameter.
    pub const fn required(name: &'static str, kind: ParamKind, unit: &'static str) -> Param {
        Param {
            name,
            kind,
            default: None,
            unit,
        }
    }

    /// A parameter with a default.
    pub const fn optional(
        name: &'static str,
        kind: ParamKind,
        default: f64,
        unit: &'static str,
    ) -> Param {
        Param {
            name,
            kind,
            default: Some(default),
            unit,
        }
    }
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
    pub params: &'static [Param],
    /// The node it makes, for sources and processors.
    pub node: Option<dsp::Kind>,
    /// The control it sets when chained onto a sound pattern with `#`, if any.
    pub control: Option<Control>,
    /// One line on what it does.
    pub doc: &'static str,
}

impl Function {
    /// Parameters other than the input.
    pub fn settings(&self) -> impl Iterator<Item = &Param> {
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

    /// Everything Phonon ships: pattern functions, sound controls and the node library.
    pub fn standard() -> Registry {
        let mut r = Registry::new();
        crate::transforms::register(&mut r);
        crate::library::register(&mut r);
        r
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
