//! Tidal's controller inputs (`cF`, `cI`, `cB`, `cN`, `cR`, `cT` and their `0`/`_` forms):
//! patterns of the values a controller sets by name over the control port (`/ctrl` or `/set`),
//! read from the process's table of named values each time they are queried — an atomic load,
//! so the audio thread reads them without a lock. Also `sec` and `msec`, which read the
//! engine's tempo from the same table (`_cps`), as Tidal's do.

use super::{maker, number, transform, values, with_example, Out};
use crate::params::{ParamKind, ParamSpec};
use crate::registry::Function;
use crate::values::{Args, Pat, PatItem};
use dsp::named::NamedValues;
use pattern::{Pattern, Time, Value};
use std::sync::Arc;

/// How a controller's number becomes the pattern's value.
#[derive(Clone, Copy)]
enum Reading {
    /// A number (`cF`, `cN`).
    Number,
    /// A whole number, rounded down (`cI`).
    Whole,
    /// A boolean: anything but 0 is true (`cB`).
    Bool,
    /// An exact ratio (`cR`, `cT`).
    Ratio,
}

impl Reading {
    fn value(self, x: f64) -> Value {
        match self {
            Reading::Number => Value::Num(x),
            Reading::Whole => Value::Num(x.floor()),
            Reading::Bool => Value::Bool(x != 0.0),
            Reading::Ratio => Value::Rational(Time::from_f64(x)),
        }
    }
}

/// One event a cycle holding the controller's value of `name`, or `default` while it has set
/// none (Tidal's `_cX`, whose `pure` gives whole cycles); with no default, no events until it
/// does (`_cX_`).
fn controller(name: &str, default: Option<f64>, reading: Reading) -> Result<Pat, String> {
    let table = NamedValues::shared();
    let Some(slot) = table.slot(name) else {
        return Err(format!(
            "more than {} names are in use; `{name}` has no room",
            dsp::named::NAMED_VALUES
        ));
    };
    let read = move |table: &Arc<NamedValues>| {
        let x = f64::from(table.get(slot));
        if x.is_finite() {
            Some(x)
        } else {
            default
        }
    };
    let present = {
        let table = table.clone();
        move |_: &()| read(&table).is_some()
    };
    let valued = pattern::pure(())
        .filter_values(present)
        .fmap(move |_| reading.value(read(&table).unwrap_or(0.0)));
    Ok(Pat::Value(valued))
}

/// The name argument, and the default before it when the form takes one.
fn read_with_default(a: &mut Args, reading: Reading) -> Result<Pat, String> {
    let default = a.number()?;
    let name = a.text()?;
    controller(&name, Some(default), reading)
}

fn read_with_zero(a: &mut Args, reading: Reading) -> Result<Pat, String> {
    let name = a.text()?;
    controller(&name, Some(0.0), reading)
}

fn read_or_silence(a: &mut Args, reading: Reading) -> Result<Pat, String> {
    let name = a.text()?;
    controller(&name, None, reading)
}

macro_rules! readers {
    ($($name:ident, $zero:ident, $silent:ident: $reading:expr;)*) => {
        $(
            fn $name(a: &mut Args) -> Result<Pat, String> {
                read_with_default(a, $reading)
            }
            fn $zero(a: &mut Args) -> Result<Pat, String> {
                read_with_zero(a, $reading)
            }
            fn $silent(a: &mut Args) -> Result<Pat, String> {
                read_or_silence(a, $reading)
            }
        )*
    };
}

readers! {
    c_f, c_f0, c_f_: Reading::Number;
    c_i, c_i0, c_i_: Reading::Whole;
    c_b, c_b0, c_b_: Reading::Bool;
    c_r, c_r0, c_r_: Reading::Ratio;
}

/// `sec p = (realToFrac <$> cF 1 "_cps") *| p`: seconds as cycles at the engine's tempo.
fn seconds_as_cycles(a: &mut Args, per: f64, name: &str) -> Result<Pat, String> {
    let p = values(a, name)?;
    let table = NamedValues::shared();
    let slot = table.slot(dsp::named::CPS);
    Ok(Pat::Value(p.fmap(move |v| {
        let cps = slot
            .map(|k| f64::from(table.get(k)))
            .filter(|c| c.is_finite())
            .unwrap_or(1.0);
        match v.as_f64() {
            Some(x) => Value::Num(x * cps / per),
            None => v.clone(),
        }
    })))
}

fn sec(a: &mut Args) -> Result<Pat, String> {
    seconds_as_cycles(a, 1.0, "sec")
}

fn msec(a: &mut Args) -> Result<Pat, String> {
    seconds_as_cycles(a, 1000.0, "msec")
}

/// The cycle the engine is playing as the patch is compiled: 0 when none plays (offline).
fn cycle_now() -> f64 {
    let table = NamedValues::shared();
    table
        .slot(dsp::named::CYCLE)
        .map(|k| f64::from(table.get(k)))
        .filter(|c| c.is_finite())
        .unwrap_or(0.0)
}

/// `triggerWith f k pat = rotR (f t) pat`, `t` the time pattern `k` was last set: here, the
/// cycle playing when the patch was loaded, so an edit restarts the pattern from its cycle 0.
/// Tidal keys the time by `k`; every trigger of a patch shares its load time.
fn triggered<T: PatItem>(a: &mut Args, p: Pattern<T>, at: fn(f64) -> f64) -> Out<T> {
    a.number()?;
    Ok(p.late(Time::from_f64(at(cycle_now()))))
}

fn trigger<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    triggered(a, p, |c| c)
}

/// `qtrigger = ctrigger`: from the next whole cycle.
fn qtrigger<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    triggered(a, p, f64::ceil)
}

fn rtrigger<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    triggered(a, p, f64::round)
}

fn ftrigger<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    triggered(a, p, f64::floor)
}

/// `reset k pat = rotR (floor t) $ when (<= 0) (const silence) pat`: silent up to the end of
/// the cycle it was loaded in, then from the pattern's cycle 1.
fn reset<T: PatItem>(a: &mut Args, p: Pattern<T>) -> Out<T> {
    a.number()?;
    let silent_start = p.when_cycle(|c| c <= 0, &pattern::silence());
    Ok(silent_start.late(Time::from_f64(cycle_now().floor())))
}

const NONE: &[&str] = &[];
const NAME: ParamSpec = ParamSpec::required("name", ParamKind::Text, "");
const P: ParamSpec = super::P;

/// Registers a reader with its three forms: with a default, with 0, and silent until set.
macro_rules! reader_functions {
    ($($name:literal, $zero:literal, $silent:literal, $aliases:expr, $f:ident, $f0:ident, $f_:ident, $what:literal;)*) => {
        &[$(
            with_example(maker($name, $aliases.0, &[number("default"), NAME], concat!("The ", $what, " a controller sets by name (`/ctrl name value` on the control port), the default until it does."), $f), concat!("out: s \"bd*4\" # speed (", $name, " 1 \"speed\")")),
            with_example(maker($zero, $aliases.1, &[NAME], concat!("The ", $what, " a controller sets by name, 0 until it does."), $f0), concat!("out: s \"bd*4\" # speed (", $zero, " \"speed\")")),
            with_example(maker($silent, $aliases.2, &[NAME], concat!("The ", $what, " a controller sets by name; no events until it does."), $f_), concat!("out: s \"bd*4\" # speed (", $silent, " \"speed\")")),
        )*]
    };
}

/// The controller inputs.
pub(super) const FUNCTIONS: &[Function] = reader_functions! {
    "cF", "cF0", "cF_", (&["cN"] as &[&str], &["cN0"] as &[&str], &["cN_"] as &[&str]), c_f, c_f0, c_f_, "number";
    "cI", "cI0", "cI_", (NONE, NONE, NONE), c_i, c_i0, c_i_, "whole number (rounded down)";
    "cB", "cB0", "cB_", (NONE, NONE, NONE), c_b, c_b0, c_b_, "boolean (any number but 0 is true)";
    "cR", "cR0", "cR_", (&["cT"] as &[&str], &["cT0"] as &[&str], &["cT_"] as &[&str]), c_r, c_r0, c_r_, "ratio";
};

/// The tempo conversions and the triggers.
pub(super) const TEMPO: &[Function] = &[
    with_example(transform("trigger", &[], &[number("id"), P], "Start the pattern from its cycle 0 where the patch is loaded.", generic!(trigger)), "out: trigger 1 $ s \"bd sn\" # speed (envL + 1)"),
    with_example(transform("qtrigger", &["qt", "ctrigger"], &[number("id"), P], "Start the pattern from its cycle 0 at the first whole cycle after the patch is loaded.", generic!(qtrigger)), "out: qtrigger 1 $ s \"bd sn\" # speed (envL + 1)"),
    transform("rtrigger", &[], &[number("id"), P], "Start the pattern from its cycle 0 at the whole cycle nearest to where the patch is loaded.", generic!(rtrigger)),
    transform("ftrigger", &[], &[number("id"), P], "Start the pattern from its cycle 0 at the start of the cycle the patch is loaded in.", generic!(ftrigger)),
    transform("reset", &[], &[number("id"), P], "Silent until the end of the cycle the patch is loaded in, then from the pattern's cycle 1.", generic!(reset)),
    with_example(transform("sec", &[], &[P], "Seconds as cycles at the playing tempo.", sec), "out: off (sec 0.125) (# speed 2) $ s \"bd*2\""),
    with_example(transform("msec", &[], &[P], "Milliseconds as cycles at the playing tempo.", msec), "out: off (msec 125) (# speed 2) $ s \"bd*2\""),
];
