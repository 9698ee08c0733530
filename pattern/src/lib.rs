//! TidalCycles pattern semantics in Rust: exact rational time, mini-notation, Tidal's transforms
//! and operators (`|+|`, `|+`, `+|`… as [`Op`] and [`Structure`]), continuous signals, the
//! [`Sound`] a sound pattern's events hold, and queries that allocate only from a caller's bump
//! arena, so the audio thread can query a pattern once per block. Every transform the patch
//! language offers is implemented here; the language only names them.
//!
//! ```
//! use pattern::{mini, Span, Time};
//!
//! let p = mini("bd*2 [sn cp]").unwrap();
//! let events = p.events(Span::new(Time::ZERO, Time::ONE));
//! let names: Vec<String> = events.iter().map(|e| e.value.to_string()).collect();
//! assert_eq!(names, ["bd", "bd", "sn", "cp"]);
//! ```
//!
//! Semantics follow Tidal; where Strudel differs, Tidal wins. Known differences from Strudel:
//! - note names count from Tidal's `c5` = 0 (MIDI 60); Strudel's `c4` is MIDI 60;
//! - `?` and `|` use Tidal's random stream and seeds, so they choose what Tidal chooses;
//! - `:` joins values into a list (`bd:3`), as Strudel does; Tidal reads `bd:3` as one word;
//! - `compress` (and so `timecat` and `@`) keeps an event that crosses a cycle inside its whole,
//!   as Strudel does; [`Pattern::fast_gap`] follows Tidal there.

#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod arpeggio;
pub mod budget;
mod controls;
mod event;
pub mod mini;
mod ops;
mod pattern;
pub mod scale;
mod signal;
mod squeeze;
mod time;
mod transform;
mod value;

pub use arpeggio::ArpMode;
pub use controls::{sound, Control, Controls, Sound};
pub use event::Event;
pub use mini::{mini, mini_as, ParseError, ValueType};
pub use ops::{Op, Structure};
pub use pattern::{
    bound, fastcat, patterned, pure, silence, slowcat, stack, timecat, Events, Item, Pattern, Query,
};
pub use signal::{
    cosine, int_seed_to_rand, irand, isaw, rand, saw, signal, sine, square, time_to_int_seed,
    time_to_rand, time_to_rand_f64, time_to_rands, tri, xorwise,
};
pub use squeeze::{ascii, binary, necklace, rand_struct, randrun, squeeze, squeeze_join, stretch};
pub use time::{t, Cycles, Span, Time};
pub use transform::{bjorklund, markov, randcat, run, wrandcat, MAX_SHUFFLE, MAX_STEPS};
pub use value::{
    chord, chord_for, chords, modify_chord, note_number, ChordModifier, Value, MAX_CHORD_NOTES,
};
