//! Turns a mini-notation tree into a pattern, reading atoms according to the pattern's type.

use super::ast::{Step, Term, TermKind};
use super::number::parse_number;
use super::parse::ParseError;
use crate::event::Event;
use crate::pattern::{patterned, pure, silence, stack, timecat, Pattern};
use crate::time::{Span, Time};
use crate::value::{chord_for, modify_chord, note_number, ChordModifier, Value, MAX_CHORD_NOTES};
use std::sync::Arc;

/// How the atoms of a pattern are read, as Tidal reads a pattern by its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ValueType {
    /// Numbers become numbers and everything else words (Strudel's reading; Tidal's `String`).
    #[default]
    Untyped,
    /// Floating-point numbers; note names and fraction letters count (Tidal's `Double`).
    Double,
    /// Exact ratios (Tidal's `Rational`).
    Rational,
    /// Whole numbers and note names (Tidal's `Int`).
    Int,
    /// Note numbers: note names first, then numbers (Tidal's `Note`).
    Note,
    /// Booleans: `t`, `true`, `1` and `f`, `false`, `0` (Tidal's `Bool`).
    Bool,
}

impl ValueType {
    fn is_numeric(self) -> bool {
        !matches!(self, ValueType::Untyped | ValueType::Bool)
    }
}

type Compiled = Result<Pattern<Value>, ParseError>;

fn error(column: usize, expected: &str, found: &str) -> ParseError {
    ParseError {
        column,
        expected: expected.to_string(),
        found: format!("'{found}'"),
    }
}

/// Reads one atom as a value of `kind`.
pub fn atom_value(text: &str, kind: ValueType, column: usize) -> Result<Value, ParseError> {
    let number = |t: Time| match kind {
        ValueType::Rational => Value::Rational(t),
        _ => Value::Num(t.to_f64()),
    };
    let note = || note_number(text).map(|n| number(Time::from_f64(n)));
    let value = match kind {
        ValueType::Untyped => {
            Some(parse_number(text, false).map_or_else(|| Value::word(text), number))
        }
        ValueType::Double | ValueType::Rational => {
            parse_number(text, true).map(number).or_else(note)
        }
        ValueType::Int => parse_number(text, false)
            .filter(|n| n.denom() == 1)
            .map(number)
            .or_else(note),
        ValueType::Note => note().or_else(|| parse_number(text, false).map(number)),
        ValueType::Bool => match text {
            "t" | "true" | "1" => Some(Value::Bool(true)),
            "f" | "false" | "0" => Some(Value::Bool(false)),
            _ => None,
        },
    };
    value.ok_or_else(|| {
        let expected = match kind {
            ValueType::Bool => "a boolean (t, f, true, false, 1, 0)",
            ValueType::Int => "a whole number or a note name",
            _ => "a number or a note name",
        };
        error(column, expected, text)
    })
}

/// Compiles a tree into a pattern whose atoms are read as `kind`.
pub fn compile(node: &Term, kind: ValueType) -> Compiled {
    let column = node.column;
    match &node.kind {
        TermKind::Atom(text) => Ok(pure(atom_value(text, kind, column)?)),
        TermKind::Rest => Ok(silence()),
        TermKind::Sequence(steps) => sequence(steps, kind),
        TermKind::Stack(layers) => Ok(stack(
            layers
                .iter()
                .map(|l| compile(l, kind))
                .collect::<Result<_, _>>()?,
        )),
        TermKind::Choose { seed, options } => Ok(Pattern::choose_cycle(
            *seed,
            options
                .iter()
                .map(|o| compile(o, kind))
                .collect::<Result<_, _>>()?,
        )),
        TermKind::Polymeter { layers, steps } => polymeter(layers, steps.as_deref(), kind),
        TermKind::Fast(inner, factor) => {
            check_speed(factor, true)?;
            let p = compile(inner, kind)?;
            Ok(match constant_time(factor)? {
                Some(f) => p.fast(f),
                None => p.fast_p(&time_pattern(factor)?),
            })
        }
        TermKind::Slow(inner, factor) => {
            check_speed(factor, false)?;
            let p = compile(inner, kind)?;
            Ok(match constant_time(factor)? {
                Some(f) => p.slow(f),
                None => p.slow_p(&time_pattern(factor)?),
            })
        }
        TermKind::Degrade { node, seed, amount } => {
            Ok(compile(node, kind)?.degrade_by_seeded(*seed, amount.unwrap_or(0.5)))
        }
        TermKind::Euclid {
            node,
            hits,
            steps,
            rotation,
        } => euclid(node, hits, steps, rotation.as_deref(), kind),
        TermKind::Tail(items) => tail(items, kind),
        TermKind::Range(from, to) => range(from, to, kind),
        TermKind::Chord {
            root,
            name,
            modifiers,
        } => chord_pattern(root.as_deref(), name, modifiers, kind, column),
    }
}

fn sequence(steps: &[Step], kind: ValueType) -> Compiled {
    let parts = steps
        .iter()
        .map(|s| Ok((s.weight, compile(&s.node, kind)?)))
        .collect::<Result<Vec<_>, ParseError>>()?;
    Ok(timecat(parts))
}

fn total_weight(steps: &[Step]) -> Time {
    steps.iter().fold(Time::ZERO, |acc, s| acc + s.weight)
}

fn polymeter(layers: &[Vec<Step>], steps: Option<&Term>, kind: ValueType) -> Compiled {
    let Some(base) = layers.first().map(|l| total_weight(l)) else {
        return Ok(silence());
    };
    let rate = match steps {
        None => Rate::Constant(base),
        Some(node) => match constant_time(node)? {
            Some(r) => Rate::Constant(r),
            None => Rate::Patterned(time_pattern(node)?),
        },
    };
    let mut out = Vec::with_capacity(layers.len());
    for layer in layers {
        let weight = total_weight(layer);
        if !weight.is_positive() {
            continue;
        }
        let p = sequence(layer, kind)?;
        out.push(match &rate {
            Rate::Constant(r) => p.fast(*r / weight),
            Rate::Patterned(r) => p.fast_p(&r.fmap(move |&r| r / weight)),
        });
    }
    Ok(stack(out))
}

enum Rate {
    Constant(Time),
    Patterned(Pattern<Time>),
}

/// The largest speed-up a literal factor may ask for (`bd*4096`, `bd/0.00025`): beyond it a
/// block would hold more events than any sound system plays.
pub const MAX_FACTOR: i64 = 4096;

/// Every number written in a factor (`*1e9`, `*<2 1e9>`) must speed up by at most
/// [`MAX_FACTOR`]; `fast` says whether the factor multiplies (`*`) or divides (`/`).
fn check_speed(factor: &Term, fast: bool) -> Result<(), ParseError> {
    let mut stack = vec![factor];
    while let Some(node) = stack.pop() {
        match &node.kind {
            TermKind::Atom(text) => {
                let Ok(Value::Rational(t)) = atom_value(text, ValueType::Rational, node.column)
                else {
                    continue;
                };
                let limit = Time::from_int(MAX_FACTOR);
                let speed = if fast {
                    t
                } else if t == Time::ZERO {
                    Time::ZERO
                } else {
                    Time::ONE / t
                };
                if speed > limit || -speed > limit {
                    let expected = format!(
                        "a factor that speeds up at most {MAX_FACTOR} times ({})",
                        if fast {
                            "`*` up to 4096"
                        } else {
                            "`/` down to 1/4096"
                        }
                    );
                    return Err(error(node.column, &expected, text));
                }
            }
            TermKind::Rest => {}
            TermKind::Sequence(steps) => stack.extend(steps.iter().map(|s| &s.node)),
            TermKind::Polymeter { layers, steps } => {
                stack.extend(layers.iter().flatten().map(|s| &s.node));
                stack.extend(steps.as_deref());
            }
            TermKind::Stack(items)
            | TermKind::Choose { options: items, .. }
            | TermKind::Tail(items) => stack.extend(items),
            TermKind::Fast(a, b) | TermKind::Slow(a, b) | TermKind::Range(a, b) => {
                stack.push(a);
                stack.push(b);
            }
            TermKind::Degrade { node, .. } | TermKind::Euclid { node, .. } => stack.push(node),
            TermKind::Chord { .. } => {}
        }
    }
    Ok(())
}

/// A factor written as a single number, if it is one.
fn constant_time(node: &Term) -> Result<Option<Time>, ParseError> {
    match &node.kind {
        TermKind::Atom(text) => match atom_value(text, ValueType::Rational, node.column)? {
            Value::Rational(t) => Ok(Some(t)),
            _ => Ok(None),
        },
        TermKind::Sequence(steps) if steps.len() == 1 => constant_time(&steps[0].node),
        _ => Ok(None),
    }
}

fn time_pattern(node: &Term) -> Result<Pattern<Time>, ParseError> {
    Ok(compile(node, ValueType::Rational)?.fmap(|v| v.as_time().unwrap_or(Time::ZERO)))
}

fn int_pattern(node: &Term) -> Result<Pattern<i64>, ParseError> {
    Ok(compile(node, ValueType::Rational)?.fmap(|v| v.as_time().map_or(0, |t| t.floor().numer())))
}

fn euclid(
    node: &Term,
    hits: &Term,
    steps: &Term,
    rotation: Option<&Term>,
    kind: ValueType,
) -> Compiled {
    let p = compile(node, kind)?;
    let rests = if kind == ValueType::Bool {
        p.fmap(|v| match v {
            Value::Bool(b) => Value::Bool(!b),
            other => other.clone(),
        })
    } else {
        silence()
    };
    // A literal step count past the limit would only ever play silence: say so instead.
    if let Some(n) = constant_time(steps)? {
        if n > Time::from_int(crate::MAX_STEPS) {
            return Err(error(
                steps.column,
                &format!("a Euclidean rhythm of at most {} steps", crate::MAX_STEPS),
                &format!("{n} steps"),
            ));
        }
    }
    let k = int_pattern(hits)?;
    let n = int_pattern(steps)?;
    let r = match rotation {
        Some(node) => int_pattern(node)?,
        None => pure(0),
    };
    let args = k
        .zip_both(&n, |&k, &n| (k, n))
        .zip_both(&r, |&(k, n), &r| (k, n, r));
    Ok(p.euclid_p_with_rests(&args, &rests))
}

/// A node whose value never changes, if it is one: an atom, or a list or group of them.
fn constant_value(node: &Term, kind: ValueType) -> Result<Option<Value>, ParseError> {
    match &node.kind {
        TermKind::Atom(text) => Ok(Some(atom_value(text, kind, node.column)?)),
        TermKind::Sequence(steps) if steps.len() == 1 => constant_value(&steps[0].node, kind),
        TermKind::Tail(items) => {
            let mut values = Vec::with_capacity(items.len());
            for item in items {
                match constant_value(item, kind)? {
                    Some(v) => values.push(v),
                    None => return Ok(None),
                }
            }
            Ok(Some(Value::List(values.into())))
        }
        _ => Ok(None),
    }
}

/// Every value an item could take: the atoms (and constant lists) anywhere in it.
fn possible_values(node: &Term, kind: ValueType, out: &mut Vec<Value>) -> Result<(), ParseError> {
    if let Some(v) = constant_value(node, kind)? {
        if !out.contains(&v) {
            out.push(v);
        }
        return Ok(());
    }
    match &node.kind {
        // A nested patterned list's combinations are enumerated by `tail` itself, so only its
        // constant lists (handled above) are values here.
        TermKind::Atom(_)
        | TermKind::Rest
        | TermKind::Range(..)
        | TermKind::Chord { .. }
        | TermKind::Tail(_) => Ok(()),
        TermKind::Sequence(steps) => steps
            .iter()
            .try_for_each(|s| possible_values(&s.node, kind, out)),
        TermKind::Polymeter { layers, .. } => layers
            .iter()
            .flatten()
            .try_for_each(|s| possible_values(&s.node, kind, out)),
        TermKind::Stack(items) | TermKind::Choose { options: items, .. } => {
            items.iter().try_for_each(|n| possible_values(n, kind, out))
        }
        TermKind::Fast(n, _)
        | TermKind::Slow(n, _)
        | TermKind::Degrade { node: n, .. }
        | TermKind::Euclid { node: n, .. } => possible_values(n, kind, out),
    }
}

/// The most lists a `:` with patterned parts may produce.
const MAX_TAIL_COMBINATIONS: usize = 4096;

/// `a:b:c`. Lists are built when the pattern is compiled, never while it is queried: a constant
/// list is one value, and a patterned one picks from every combination of its items' values.
fn tail(items: &[Term], kind: ValueType) -> Compiled {
    let column = items.first().map_or(1, |n| n.column);
    if let Some(list) = constant_value(
        &Term {
            kind: TermKind::Tail(items.to_vec()),
            column,
        },
        kind,
    )? {
        return Ok(pure(list));
    }
    let mut choices: Vec<Vec<Value>> = Vec::with_capacity(items.len());
    for item in items {
        let mut values = Vec::new();
        possible_values(item, kind, &mut values)?;
        if values.is_empty() {
            return Err(error(
                item.column,
                "words or numbers after ':'",
                "a pattern without values",
            ));
        }
        choices.push(values);
    }
    let combinations = choices
        .iter()
        .try_fold(1usize, |acc, c| acc.checked_mul(c.len()))
        .filter(|&n| n <= MAX_TAIL_COMBINATIONS)
        .ok_or_else(|| error(column, "a ':' list with fewer combinations", "too many"))?;
    let mut table: Vec<Value> = Vec::with_capacity(combinations);
    for index in 0..combinations {
        let mut rest = index;
        let mut list = vec![Value::Num(0.0); choices.len()];
        for (slot, values) in list.iter_mut().zip(&choices).rev() {
            *slot = values[rest % values.len()].clone();
            rest /= values.len();
        }
        table.push(Value::List(list.into()));
    }
    let table: Arc<[Value]> = table.into();
    let mut combined: Option<Pattern<usize>> = None;
    for (item, values) in items.iter().zip(choices) {
        let values: Arc<[Value]> = values.into();
        let size = values.len();
        let indices =
            compile(item, kind)?.fmap(move |v| values.iter().position(|x| x == v).unwrap_or(0));
        combined = Some(match combined {
            None => indices,
            Some(left) => left.zip_left(&indices, move |&l, &r| l * size + r),
        });
    }
    let combined = combined.unwrap_or_else(|| pure(0));
    Ok(combined.fmap(move |&i| table[i].clone()))
}

fn numeric(kind: ValueType) -> ValueType {
    if kind.is_numeric() {
        kind
    } else {
        ValueType::Double
    }
}

/// `a .. b`: the whole numbers between two (patterned) numbers, as one step.
fn range(from: &Term, to: &Term, kind: ValueType) -> Compiled {
    let k = numeric(kind);
    let a = compile(from, k)?.fmap(|v| v.as_f64().unwrap_or(0.0));
    let b = compile(to, k)?.fmap(|v| v.as_f64().unwrap_or(0.0));
    let ends = a.zip_both(&b, |&a, &b| (a, b));
    Ok(patterned(&ends, move |&(a, b), span, _, out| {
        let count = (b - a).abs().floor() as i64 + 1;
        if count > crate::transform::MAX_STEPS {
            return;
        }
        let direction = if b >= a { 1.0 } else { -1.0 };
        let value = |i: i64| {
            let x = a + direction * i as f64;
            if kind == ValueType::Rational {
                Value::Rational(Time::from_f64(x))
            } else {
                Value::Num(x)
            }
        };
        steps(count, span, value, out);
    }))
}

/// Emits `count` equal steps per cycle over `span`, step `i` holding `value(i)`.
fn steps(count: i64, span: Span, value: impl Fn(i64) -> Value, out: &mut crate::Events<'_, Value>) {
    if count <= 0 {
        return;
    }
    let width = Time::new(1, count);
    for piece in span.cycles() {
        let cycle = piece.begin.floor();
        let first = ((piece.begin - cycle) / width).floor().numer();
        for i in first..count {
            let begin = cycle + width * Time::from_int(i);
            let whole = Span::new(begin, begin + width);
            match whole.intersect(piece) {
                Some(part) if crate::budget::spend() => out.push(Event {
                    whole: Some(whole),
                    part,
                    value: value(i),
                }),
                _ => break,
            }
        }
    }
}

/// A chord's parts once its patterns have been sampled; `Copy`, so queries need no allocation.
#[derive(Clone, Copy)]
struct ChordSpec {
    root: f64,
    intervals: Option<&'static [i8]>,
    modifiers: [Option<ChordModifier>; 8],
}

fn chord_pattern(
    root: Option<&Term>,
    name: &Term,
    modifiers: &[Term],
    kind: ValueType,
    column: usize,
) -> Compiled {
    if modifiers.len() > 8 {
        return Err(error(column, "at most 8 chord modifiers", "more"));
    }
    let note_kind = if kind.is_numeric() {
        kind
    } else {
        ValueType::Note
    };
    let root = match root {
        Some(r) => compile(r, note_kind)?.fmap(|v| v.as_f64().unwrap_or(0.0)),
        None => pure(0.0),
    };
    if let Some(v) = constant_value(name, ValueType::Untyped)? {
        if chord_for(&v).is_none() {
            return Err(error(
                name.column,
                "a chord name (major, minor, dom7, dim7, …)",
                &v.to_string(),
            ));
        }
    }
    let intervals = compile(name, ValueType::Untyped)?.fmap(chord_for);
    let mut spec = root.zip_both(&intervals, |&root, &intervals| ChordSpec {
        root,
        intervals,
        modifiers: [None; 8],
    });
    for (i, m) in modifiers.iter().enumerate() {
        if let Some(v) = constant_value(m, ValueType::Untyped)? {
            if ChordModifier::from_value(&v).is_none() {
                return Err(error(
                    m.column,
                    "a chord modifier (i, i2, o, d1, or a note count)",
                    &v.to_string(),
                ));
            }
        }
        let m = compile(m, ValueType::Untyped)?.fmap(ChordModifier::from_value);
        spec = spec.zip_both(&m, move |&s, &m| {
            let mut s = s;
            s.modifiers[i] = m;
            s
        });
    }
    Ok(patterned(&spec, move |s, span, _, out| {
        let Some(intervals) = s.intervals else { return };
        let mut notes = [0.0; MAX_CHORD_NOTES];
        let mut len = intervals.len().min(MAX_CHORD_NOTES);
        for (n, &i) in notes.iter_mut().zip(intervals) {
            *n = s.root + f64::from(i);
        }
        for m in s.modifiers.iter().flatten() {
            len = modify_chord(&mut notes, len, *m);
        }
        for piece in span.cycles() {
            for &note in &notes[..len] {
                out.push(Event {
                    whole: Some(piece.whole_cycle()),
                    part: piece,
                    value: if kind == ValueType::Rational {
                        Value::Rational(Time::from_f64(note))
                    } else {
                        Value::Num(note)
                    },
                });
            }
        }
    }))
}

#[cfg(test)]
mod speed_tests {
    use crate::mini::{mini, mini_as, ValueType};

    #[test]
    fn a_runaway_factor_is_an_error_at_its_column() {
        let e = mini("bd*1000000000").unwrap_err();
        assert_eq!(e.column, 4);
        assert!(e.expected.contains("at most 4096"), "{e}");
        let e = mini("[bd sn]*<2 1e9>").unwrap_err();
        assert_eq!(e.column, 12);
        let e = mini("bd/0.0000001").unwrap_err();
        assert_eq!(e.column, 4);
        assert!(mini("bd*4096 sn/4096 hh*<2 3>").is_ok());
        assert!(mini_as("1*0.5", ValueType::Double).is_ok());
    }
}

#[cfg(test)]
mod tests {
    use crate::mini::mini;

    #[test]
    fn a_literal_euclid_past_the_step_limit_is_an_error_at_its_column() {
        let Err(e) = mini("bd(3,1e9)") else {
            panic!("accepted a Euclidean rhythm of 1e9 steps");
        };
        assert_eq!(e.column, 6, "{e}");
        assert!(e.expected.contains("at most 4096 steps"), "{e}");
        // At the limit it plays; patterned counts past it stay silent at run time.
        assert!(mini("bd(3,4096)").is_ok());
        assert!(mini("bd(3,<8 1e9>)").is_ok());
    }
}
