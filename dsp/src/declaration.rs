//! A node declared once, beside its code: the name a patch calls it by, its ports (names, kinds,
//! defaults, ranges, units), how many channels it writes, a doc line and an example. The node
//! [`Kind`](crate::Kind), the language's registry and `phonon functions` are all derived from
//! it, and the node reads its inputs through the same ports, by name.
//!
//! ```
//! use dsp::declaration::{Declaration, Port};
//! use dsp::{Context, In, Node, Width};
//!
//! dsp::ports! {
//!     /// What `halve` reads.
//!     pub struct HalvePorts {
//!         input: Port::input(),
//!         amount: Port::signal(0.5, "").within(0.0, 1.0),
//!     }
//! }
//!
//! struct Halve;
//!
//! impl Node for Halve {
//!     fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
//!         let ports = HalvePorts::read(inputs);
//!         for (channel, buffer) in out.iter_mut().enumerate() {
//!             for i in 0..ctx.frames {
//!                 buffer[i] = ports.input.channel(channel, i) * ports.amount.at(i);
//!             }
//!         }
//!     }
//! }
//!
//! /// `halve`: the input scaled by an amount.
//! pub static HALVE: Declaration = Declaration {
//!     name: "halve",
//!     aliases: &[],
//!     ports: HalvePorts::PORTS,
//!     width: Width::AsInput,
//!     make: |_, _| Box::new(Halve),
//!     doc: "The input scaled by an amount.",
//!     example: "out: saw 110 # halve 0.5",
//!     control: None,
//! };
//! # assert_eq!(HALVE.ports[1].name, "amount");
//! ```

use crate::{In, Make, Width};
use pattern::Control;

/// What a port accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortKind {
    /// The signal a processor works on; after `#` the chain's left side fills it.
    Input,
    /// A value that may change every frame: a number, a pattern string, another signal.
    Signal,
    /// A number fixed when the node is made (`in`'s channel).
    Number,
    /// Restarts the node where it rises above 0.5; the language also takes a trigger pattern
    /// (`"x ~ x x"`) and feeds its onsets here. Left out, the node runs once from the start.
    Trigger,
}

/// One input of a node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Port {
    /// Its name, as a patch writes it (`cutoff`).
    pub name: &'static str,
    /// What it accepts.
    pub kind: PortKind,
    /// Its value when left out, or when a signal gives something not finite.
    pub default: f32,
    /// The lowest value the node uses: lower values are raised to it.
    pub low: f32,
    /// The highest value the node uses: higher values are lowered to it.
    pub high: f32,
    /// Its unit (`Hz`, `s`, `dB`), or empty.
    pub unit: &'static str,
}

impl Port {
    const fn new(kind: PortKind, default: f32, unit: &'static str) -> Port {
        Port {
            name: "",
            kind,
            default,
            low: f32::NEG_INFINITY,
            high: f32::INFINITY,
            unit,
        }
    }

    /// The signal a processor works on.
    pub const fn input() -> Port {
        Port::new(PortKind::Input, 0.0, "")
    }

    /// A value that may change every frame, `default` when left out.
    pub const fn signal(default: f32, unit: &'static str) -> Port {
        Port::new(PortKind::Signal, default, unit)
    }

    /// A number fixed when the node is made.
    pub const fn number(default: f32, unit: &'static str) -> Port {
        Port::new(PortKind::Number, default, unit)
    }

    /// How much of an effect is heard, 0 (dry) to 1 (wet).
    pub const fn mix(default: f32) -> Port {
        Port::signal(default, "").within(0.0, 1.0)
    }

    /// A trigger that restarts the node.
    pub const fn trigger() -> Port {
        Port::new(PortKind::Trigger, 0.0, "")
    }

    /// The same port, holding its values to `low..=high`.
    pub const fn within(self, low: f32, high: f32) -> Port {
        Port { low, high, ..self }
    }

    /// The same port under `name` (the [`ports!`](crate::ports) macro names each port after
    /// its field).
    pub const fn named(self, name: &'static str) -> Port {
        Port { name, ..self }
    }

    /// Its range, when it has one.
    pub fn range(&self) -> Option<(f32, f32)> {
        (self.low.is_finite() || self.high.is_finite()).then_some((self.low, self.high))
    }
}

/// One port's input for one block, read through its declaration.
#[derive(Clone, Copy, Debug)]
pub struct Param<'a> {
    /// The signal as the graph gives it.
    pub signal: In<'a>,
    port: &'static Port,
}

impl<'a> Param<'a> {
    /// Input `k` of `inputs` as `port`; a constant of its default when the graph gives none.
    #[inline]
    pub fn read(inputs: &[In<'a>], k: usize, port: &'static Port) -> Param<'a> {
        Param {
            signal: inputs.get(k).copied().unwrap_or(In::Const(port.default)),
            port,
        }
    }

    /// The value at frame `i` (mixed to mono), held to the port's range; its default when not
    /// finite.
    #[inline]
    pub fn at(&self, i: usize) -> f32 {
        let x = self.signal.at(i);
        if x.is_finite() {
            x.clamp(self.port.low, self.port.high)
        } else {
            self.port.default
        }
    }

    /// Channel `channel` (0 or 1) at frame `i`, as given: for the signal a node processes.
    #[inline]
    pub fn channel(&self, channel: usize, i: usize) -> f32 {
        self.signal.channel(channel, i)
    }

    /// The value at frame `i` as given, mixed to mono: not finite stays not finite.
    #[inline]
    pub fn raw(&self, i: usize) -> f32 {
        self.signal.at(i)
    }
}

/// Declares a node's ports: a struct with one [`Param`] field per port, `PORTS` (the table the
/// language, listings and [`Declaration`] read) and `read`, which gives each input its port by
/// position so the node's code only ever names them.
#[macro_export]
macro_rules! ports {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($port:ident : $spec:expr),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug)]
        $vis struct $name<'a> {
            $(
                #[doc = concat!("The `", stringify!($port), "` port.")]
                pub $port: $crate::declaration::Param<'a>,
            )*
        }

        impl<'a> $name<'a> {
            /// The ports, in the order the node reads its inputs.
            pub const PORTS: &'static [$crate::declaration::Port] =
                &[$($spec.named(stringify!($port))),*];

            /// The block's inputs, each as its port.
            #[inline]
            pub fn read(inputs: &[$crate::In<'a>]) -> $name<'a> {
                Self::read_with(inputs, Self::PORTS)
            }

            /// The block's inputs as the ports of `table`: another node's table with the same
            /// names in the same order and its own defaults or ranges.
            #[inline]
            #[allow(unused_assignments)]
            pub fn read_with(
                inputs: &[$crate::In<'a>],
                table: &'static [$crate::declaration::Port],
            ) -> $name<'a> {
                let mut k = 0;
                $(
                    let $port = $crate::declaration::Param::read(inputs, k, &table[k]);
                    k += 1;
                )*
                $name { $($port),* }
            }
        }
    };
}

/// Everything the engine and the language know of a node, in one place beside its code.
#[derive(Debug)]
pub struct Declaration {
    /// The name a patch calls it by, and its label in listings and meters.
    pub name: &'static str,
    /// Other names it answers to (Tidal's and the original Phonon's spellings).
    pub aliases: &'static [&'static str],
    /// Its inputs, in the order it reads them (from a [`ports!`](crate::ports) struct).
    pub ports: &'static [Port],
    /// How many channels it writes.
    pub width: Width,
    /// Makes it (on the control thread).
    pub make: Make,
    /// One line on what it does.
    pub doc: &'static str,
    /// A one-line patch that plays it.
    pub example: &'static str,
    /// The control it sets instead when chained onto a sound pattern with `#`, if any.
    pub control: Option<Control>,
}

impl Declaration {
    /// True for a processor: its first port is the signal it works on.
    pub fn takes_input(&self) -> bool {
        self.ports
            .first()
            .is_some_and(|p| p.kind == PortKind::Input)
    }

    /// True if a trigger restarts it.
    pub fn has_trigger(&self) -> bool {
        self.ports.iter().any(|p| p.kind == PortKind::Trigger)
    }
}

impl PartialEq for Declaration {
    fn eq(&self, other: &Declaration) -> bool {
        std::ptr::eq(self, other)
    }
}
