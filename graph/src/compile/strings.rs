//! Strings read as mini-notation at the type their use asks for: sounds, numbers, frequencies,
//! times, booleans; and the diagnostics that point into a string at the column of an error.

use super::value::Val;
use super::Evaluator;
use crate::diagnostic::{closest, quoted, Diagnostic};
use pattern::mini::{self, TermKind as MiniKind, ValueType};
use pattern::{note_number, Pattern, Sound, Time, Value};
use std::ops::Range;

pub(super) fn mini_error(text: &str, at: usize, e: &pattern::ParseError) -> Diagnostic {
    let (offset, width) = text
        .char_indices()
        .nth(e.column.saturating_sub(1))
        .map_or((text.len(), 1), |(i, c)| (i, c.len_utf8()));
    let start = at + offset;
    Diagnostic::error(
        start..start + width,
        format!("in the pattern: expected {}, found {}", e.expected, e.found),
    )
}

/// The sound names in a pattern, with their columns: words, and the first item of `name:index`.
fn sound_names(node: &mini::Term, out: &mut Vec<(usize, String)>) {
    match &node.kind {
        MiniKind::Atom(text) => {
            if mini::parse_number(text, false).is_none() {
                out.push((node.column, text.clone()));
            }
        }
        MiniKind::Tail(items) => {
            if let Some(first) = items.first() {
                sound_names(first, out);
            }
        }
        MiniKind::Rest | MiniKind::Range(..) | MiniKind::Chord { .. } => {}
        MiniKind::Sequence(steps) => steps.iter().for_each(|s| sound_names(&s.node, out)),
        MiniKind::Polymeter { layers, .. } => layers
            .iter()
            .flatten()
            .for_each(|s| sound_names(&s.node, out)),
        MiniKind::Stack(items) | MiniKind::Choose { options: items, .. } => {
            items.iter().for_each(|n| sound_names(n, out))
        }
        MiniKind::Fast(n, _) | MiniKind::Slow(n, _) => sound_names(n, out),
        MiniKind::Degrade { node, .. } | MiniKind::Euclid { node, .. } => sound_names(node, out),
    }
}

/// Checks that every atom of a frequency pattern is a number or a note name.
fn check_frequency_atoms(node: &mini::Term) -> Result<(), (usize, String)> {
    let children: Vec<&mini::Term> = match &node.kind {
        MiniKind::Atom(text) => {
            return if mini::parse_number(text, false).is_some() || note_number(text).is_some() {
                Ok(())
            } else {
                Err((node.column, text.clone()))
            }
        }
        MiniKind::Rest => vec![],
        MiniKind::Sequence(steps) => steps.iter().map(|s| &s.node).collect(),
        MiniKind::Polymeter { layers, .. } => layers.iter().flatten().map(|s| &s.node).collect(),
        MiniKind::Stack(items)
        | MiniKind::Choose { options: items, .. }
        | MiniKind::Tail(items) => items.iter().collect(),
        MiniKind::Fast(n, _) | MiniKind::Slow(n, _) => vec![n],
        MiniKind::Degrade { node, .. } | MiniKind::Euclid { node, .. } => vec![node],
        MiniKind::Range(a, b) => vec![a, b],
        // Chord notes are semitones, which a frequency pattern cannot tell from Hz.
        MiniKind::Chord { .. } => {
            return Err((
                node.column,
                "a chord (not available in frequency patterns yet)".into(),
            ))
        }
    };
    children.into_iter().try_for_each(check_frequency_atoms)
}

/// The frequency of a note: 0 is middle C, as in Tidal.
pub(super) fn note_frequency(note: f64) -> f64 {
    440.0 * ((note - 9.0) / 12.0).exp2()
}

fn frequency(v: &Value) -> f64 {
    match v {
        Value::Str(name) => note_number(name).map_or(0.0, note_frequency),
        other => other.as_f64().unwrap_or(0.0),
    }
}

impl<'r> Evaluator<'r> {
    /// `text` read as mini-notation of `kind`.
    pub(super) fn read(
        &mut self,
        text: &str,
        at: usize,
        kind: ValueType,
    ) -> Option<Pattern<Value>> {
        match mini::mini_as(text, kind) {
            Ok(p) => Some(p),
            Err(e) => {
                self.diagnostics.push(mini_error(text, at, &e));
                None
            }
        }
    }

    /// A number literal as a value of the type strings are read at.
    pub(super) fn literal(&self, x: f64) -> Value {
        match self.string_type {
            ValueType::Rational => Value::Rational(Time::from_f64(x)),
            ValueType::Bool => Value::Bool(x != 0.0),
            _ => Value::Num(x),
        }
    }

    /// A string of sound names where numbers were expected (`~kick: "bd*4"`), read as sounds,
    /// as Phonon did: `None` unless it does not read as `kind` but does as sound names.
    pub(super) fn words_as_sounds(
        &mut self,
        text: &str,
        at: usize,
        kind: ValueType,
    ) -> Option<Pattern<Sound>> {
        if kind == ValueType::Untyped
            || kind == ValueType::Bool
            || mini::mini_as(text, kind).is_ok()
        {
            return None;
        }
        let tree = mini::parse(text).ok()?;
        let mut names = Vec::new();
        sound_names(&tree, &mut names);
        if names.is_empty() {
            return None;
        }
        self.sounds(text, at)
    }

    pub(super) fn numbers(&mut self, text: &str, at: usize) -> Option<Pattern<f64>> {
        match mini::mini_as(text, ValueType::Double) {
            Ok(p) => Some(p.fmap(|v| v.as_f64().unwrap_or(0.0))),
            Err(e) => {
                self.diagnostics.push(mini_error(text, at, &e));
                None
            }
        }
    }

    pub(super) fn frequencies(&mut self, text: &str, at: usize) -> Option<Pattern<f64>> {
        let tree = match mini::parse(text) {
            Ok(tree) => tree,
            Err(e) => {
                self.diagnostics.push(mini_error(text, at, &e));
                return None;
            }
        };
        if let Err((column, word)) = check_frequency_atoms(&tree) {
            let e = pattern::ParseError {
                column,
                expected: "a frequency in Hz or a note name".into(),
                found: format!("'{word}'"),
            };
            self.diagnostics.push(mini_error(text, at, &e));
            return None;
        }
        match mini::compile(&tree, ValueType::Untyped) {
            Ok(p) => Some(p.fmap(frequency)),
            Err(e) => {
                self.diagnostics.push(mini_error(text, at, &e));
                None
            }
        }
    }

    pub(super) fn sounds(&mut self, text: &str, at: usize) -> Option<Pattern<Sound>> {
        let mut names = Vec::new();
        if let Ok(tree) = mini::parse(text) {
            sound_names(&tree, &mut names);
        }
        // `~name` steps play a bus, not a sample.
        for (column, name) in names.iter().filter(|(_, n)| n.starts_with('~')) {
            self.bus_voices_named = true;
            if !self.buses.contains_key(&name[1..]) {
                let offset = text.char_indices().nth(column - 1).map_or(0, |(i, _)| i);
                let start = at + offset;
                let buses: Vec<String> = self.buses.keys().map(|k| format!("~{k}")).collect();
                let suggestions = closest(name, buses.iter().map(String::as_str));
                let mut d = Diagnostic::error(
                    start..start + name.len(),
                    format!("unknown bus `{name}` (a `~name` step plays that bus)"),
                );
                if !suggestions.is_empty() {
                    d = d.with_help(format!("did you mean `{}`?", suggestions[0]));
                }
                self.diagnostics.push(d);
            }
        }
        names.retain(|(_, name)| !name.starts_with('~'));
        for (_, name) in &names {
            if !self.sounds_used.contains(name) {
                self.sounds_used.push(name.clone());
            }
        }
        if let Some(known) = &self.known_sounds {
            let mut reported: Vec<&str> = Vec::new();
            for (column, name) in &names {
                if known.iter().any(|k| k == name) || reported.contains(&name.as_str()) {
                    continue;
                }
                reported.push(name);
                let offset = text.char_indices().nth(column - 1).map_or(0, |(i, _)| i);
                let start = at + offset;
                let mut d = Diagnostic::warning(
                    start..start + name.len(),
                    format!("sound `{name}` is not in the sample bank, so its events are silent"),
                );
                let suggestions = closest(name, known.iter().map(String::as_str));
                if !suggestions.is_empty() {
                    d = d.with_help(format!("the closest sounds are {}", quoted(&suggestions)));
                }
                self.diagnostics.push(d);
            }
        }
        match mini::mini(text) {
            Ok(p) => Some(p.fmap(|v| Sound::new(v.clone()))),
            Err(e) => {
                self.diagnostics.push(mini_error(text, at, &e));
                None
            }
        }
    }

    /// A value as a pattern of times (a factor, a shift, a number of cycles).
    pub(super) fn times(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Pattern<Time>> {
        match v {
            Val::Num(x) => Some(pattern::pure(Time::from_f64(x))),
            Val::Str { text, at } => Some(
                self.read(&text, at, ValueType::Rational)?
                    .fmap(|v| v.as_time().unwrap_or(Time::ZERO)),
            ),
            other => {
                let p = self.values(other, span, "a number of cycles or a pattern of them")?;
                Some(p.fmap(|v| v.as_time().unwrap_or(Time::ZERO)))
            }
        }
    }

    /// A value as a pattern of values, reading a string at `kind`.
    pub(super) fn values_at(
        &mut self,
        v: Val<'r>,
        span: Range<usize>,
        kind: ValueType,
        wanted: &str,
    ) -> Option<Pattern<Value>> {
        match v {
            Val::Str { text, at } => self.read(&text, at, kind),
            Val::Num(x) => Some(pattern::pure(Value::Num(x))),
            other => self.values(other, span, wanted),
        }
    }

    /// A value as a pattern of booleans (`"t f"`, `"1 0"`).
    pub(super) fn bools(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Pattern<bool>> {
        let p = self.values_at(
            v,
            span,
            ValueType::Bool,
            "a pattern of booleans such as \"t f\"",
        )?;
        Some(p.fmap(Value::truthy))
    }
}
