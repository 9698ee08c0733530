//! The values mini-notation produces, note names and Tidal's chord table.

use crate::time::Time;
use std::fmt;
use std::sync::Arc;

/// A value in a mini-notation pattern.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// A word: a sound name, a chord name, a symbol.
    Str(Arc<str>),
    /// A number (integers, decimals and note numbers).
    Num(f64),
    /// An exact ratio, for patterns read as rationals (`1%3`).
    Rational(Time),
    /// A boolean (`t`/`f`, `1`/`0` in boolean patterns).
    Bool(bool),
    /// Values joined with `:`, as in `bd:3`.
    List(Arc<[Value]>),
}

impl Value {
    /// A word.
    pub fn word(s: &str) -> Value {
        // The empty word (a control pattern's sound) is made while patterns are queried:
        // shared, so that costs no allocation on the audio thread.
        static EMPTY: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from(""));
        if s.is_empty() {
            return Value::Str(EMPTY.clone());
        }
        Value::Str(Arc::from(s))
    }

    /// The value as a number, if it is one (booleans count as 0 and 1).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Num(x) => Some(*x),
            Value::Rational(r) => Some(r.to_f64()),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Str(_) | Value::List(_) => None,
        }
    }

    /// The value as an exact time, if it is numeric.
    pub fn as_time(&self) -> Option<Time> {
        match self {
            Value::Rational(r) => Some(*r),
            other => other.as_f64().map(Time::from_f64),
        }
    }

    /// The word, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value's truth: booleans as they are, numbers when non-zero.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            other => other.as_f64().is_some_and(|x| x != 0.0),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Num(x) => write!(f, "{x}"),
            Value::Rational(r) => write!(f, "{r}"),
            Value::Bool(b) => f.write_str(if *b { "t" } else { "f" }),
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(":")?;
                    }
                    write!(f, "{item}")?;
                }
                Ok(())
            }
        }
    }
}

/// A note name (`c`, `eb2`, `fs4`, `a5`) as semitones from `c5`, following Tidal: `c5` is 0,
/// the octave defaults to 5, `s`/`#` sharpen and `f`/`b` flatten. (Strudel counts `c4` as
/// middle C instead.) The solfège syllables (`do re mi fa sol la ti`, also `so` and `si`) are
/// the notes of c5's octave, as the original Phonon read them. `None` if `word` is not a note
/// name.
pub fn note_number(word: &str) -> Option<f64> {
    let solfege = match word {
        "do" => Some(0.0),
        "re" => Some(2.0),
        "mi" => Some(4.0),
        "fa" => Some(5.0),
        "sol" | "so" => Some(7.0),
        "la" => Some(9.0),
        "ti" | "si" => Some(11.0),
        _ => None,
    };
    if solfege.is_some() {
        return solfege;
    }
    let mut chars = word.chars().peekable();
    let base = match chars.next()? {
        'c' => 0,
        'd' => 2,
        'e' => 4,
        'f' => 5,
        'g' => 7,
        'a' => 9,
        'b' => 11,
        _ => return None,
    };
    let mut semis = base;
    while let Some(&m) = chars.peek() {
        match m {
            's' | '#' => semis += 1,
            'f' | 'b' => semis -= 1,
            'n' => {}
            _ => break,
        }
        chars.next();
    }
    let rest: String = chars.collect();
    let octave = if rest.is_empty() {
        5
    } else {
        rest.parse::<i32>().ok()?
    };
    Some(f64::from(semis + (octave - 5) * 12))
}

/// Tidal's chord table: names (with their aliases) and intervals in semitones.
const CHORDS: &[(&[&str], &[i8])] = &[
    (&["major", "maj", "M"], &[0, 4, 7]),
    (&["aug", "plus", "sharp5"], &[0, 4, 8]),
    (&["six", "6", "sixby"], &[0, 4, 7, 9]),
    (&["sixNine", "six9", "sixby9", "6by9"], &[0, 4, 7, 9, 14]),
    (&["major7", "maj7"], &[0, 4, 7, 11]),
    (&["major9", "maj9"], &[0, 4, 7, 11, 14]),
    (&["add9"], &[0, 4, 7, 14]),
    (&["major11", "maj11"], &[0, 4, 7, 11, 14, 17]),
    (&["add11"], &[0, 4, 7, 17]),
    (&["major13", "maj13"], &[0, 4, 7, 11, 14, 21]),
    (&["add13"], &[0, 4, 7, 21]),
    (&["dom7"], &[0, 4, 7, 10]),
    (&["dom9"], &[0, 4, 7, 14]),
    (&["dom11"], &[0, 4, 7, 17]),
    (&["dom13"], &[0, 4, 7, 21]),
    (&["sevenFlat5", "7f5"], &[0, 4, 6, 10]),
    (&["sevenSharp5", "7s5"], &[0, 4, 8, 10]),
    (&["sevenFlat9", "7f9"], &[0, 4, 7, 10, 13]),
    (&["nine"], &[0, 4, 7, 10, 14]),
    (&["eleven", "11"], &[0, 4, 7, 10, 14, 17]),
    (&["thirteen", "13"], &[0, 4, 7, 10, 14, 17, 21]),
    (&["minor", "min", "m"], &[0, 3, 7]),
    (&["diminished", "dim"], &[0, 3, 6]),
    (&["minorSharp5", "msharp5", "mS5"], &[0, 3, 8]),
    (&["minor6", "min6", "m6"], &[0, 3, 7, 9]),
    (
        &[
            "minorSixNine",
            "minor69",
            "min69",
            "minSixNine",
            "m69",
            "mSixNine",
            "m6by9",
        ],
        &[0, 3, 9, 7, 14],
    ),
    (
        &[
            "minor7flat5",
            "minor7f5",
            "min7flat5",
            "min7f5",
            "m7flat5",
            "m7f5",
        ],
        &[0, 3, 6, 10],
    ),
    (&["minorMajor7", "minMaj7", "mmaj7"], &[0, 3, 7, 11]),
    (&["diminished7", "dim7"], &[0, 3, 6, 9]),
    (&["minor7", "min7", "m7"], &[0, 3, 7, 10]),
    (
        &[
            "minor7flat9",
            "minor7f9",
            "min7flat9",
            "min7f9",
            "m7flat9",
            "m7f9",
        ],
        &[0, 3, 7, 10, 13],
    ),
    (
        &[
            "minor7sharp9",
            "minor7s9",
            "min7sharp9",
            "min7s9",
            "m7sharp9",
            "m7s9",
        ],
        &[0, 3, 7, 10, 14],
    ),
    (&["minor9", "min9", "m9"], &[0, 3, 7, 10, 14]),
    (&["minor11", "min11", "m11"], &[0, 3, 7, 10, 14, 17]),
    (&["minor13", "min13", "m13"], &[0, 3, 7, 10, 14, 17, 21]),
    (&["minorMajor9", "minMaj9", "mmaj9"], &[0, 3, 7, 11, 14]),
    (&["one", "1"], &[0]),
    (&["five", "5"], &[0, 7]),
    (&["sus2"], &[0, 2, 7]),
    (&["sus4"], &[0, 5, 7]),
    (&["sevenSus2", "7sus2"], &[0, 2, 7, 10]),
    (&["sevenSus4", "7sus4"], &[0, 5, 7, 10]),
    (&["nineSus4", "ninesus4", "9sus4"], &[0, 5, 7, 10, 14]),
    (&["sevenFlat10", "7f10"], &[0, 4, 7, 10, 15]),
    (&["nineSharp5", "9sharp5", "9s5"], &[0, 1, 13]),
    (
        &[
            "minor9sharp5",
            "minor9s5",
            "min9sharp5",
            "min9s5",
            "m9sharp5",
            "m9s5",
        ],
        &[0, 1, 14],
    ),
    (&["sevenSharp5flat9", "7s5f9"], &[0, 4, 8, 10, 13]),
    (
        &[
            "minor7sharp5",
            "minor7s5",
            "min7sharp5",
            "min7s5",
            "m7sharp5",
            "m7s5",
        ],
        &[0, 3, 8, 10],
    ),
    (&["minor7sharp5flat9", "m7sharp5flat9"], &[0, 3, 8, 10, 13]),
    (&["elevenSharp", "11s"], &[0, 4, 7, 10, 14, 18]),
    (
        &["minor11sharp", "m11sharp", "m11s"],
        &[0, 3, 7, 10, 14, 18],
    ),
];

/// Tidal's chord names, each with its other spellings and its intervals in semitones.
pub fn chords() -> impl Iterator<Item = (&'static [&'static str], &'static [i8])> {
    CHORDS.iter().copied()
}

/// The intervals of a chord name from Tidal's table, if it has one.
pub fn chord(name: &str) -> Option<&'static [i8]> {
    CHORDS
        .iter()
        .find(|(names, _)| names.contains(&name))
        .map(|(_, notes)| *notes)
}

/// The intervals of a chord named by a pattern value: a word, or a number such as `6` or `11`.
pub fn chord_for(value: &Value) -> Option<&'static [i8]> {
    match value {
        Value::Str(name) => chord(name),
        Value::Num(x) => CHORDS
            .iter()
            .find(|(names, _)| names.iter().any(|n| n.parse::<f64>() == Ok(*x)))
            .map(|(_, notes)| *notes),
        _ => None,
    }
}

/// A change applied to a chord after `'`: `i` inverts, `o` opens, `d1` drops, `5` ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChordModifier {
    /// Move the lowest note up an octave, this many times (`i`, `i2`).
    Invert(u8),
    /// Spread a chord of three or more notes: first and third notes down an octave (`o`).
    Open,
    /// Move the n-th note from the top down an octave (`d1`).
    Drop(u8),
    /// Extend or cut the chord to this many notes, repeating it up the octaves (`5`).
    Range(u8),
}

impl ChordModifier {
    /// Reads a modifier word; `None` if it is not one.
    pub fn parse(word: &str) -> Option<ChordModifier> {
        let count = |rest: &str| -> Option<u8> {
            if rest.is_empty() {
                Some(1)
            } else {
                rest.parse().ok()
            }
        };
        if let Some(rest) = word.strip_prefix('i') {
            return count(rest).map(ChordModifier::Invert);
        }
        if word == "o" {
            return Some(ChordModifier::Open);
        }
        if let Some(rest) = word.strip_prefix('d') {
            return count(rest).map(ChordModifier::Drop);
        }
        word.parse().ok().map(ChordModifier::Range)
    }

    /// Reads a modifier from a pattern value: a word (`i2`) or a note count (`5`).
    pub fn from_value(value: &Value) -> Option<ChordModifier> {
        match value {
            Value::Str(word) => ChordModifier::parse(word),
            Value::Num(x) if x.fract() == 0.0 && (0.0..=255.0).contains(x) => {
                Some(ChordModifier::Range(*x as u8))
            }
            _ => None,
        }
    }
}

/// The most notes a chord may hold after modifiers.
pub const MAX_CHORD_NOTES: usize = 32;

/// Applies modifiers to chord notes in place; returns the new note count.
pub fn modify_chord(
    notes: &mut [f64; MAX_CHORD_NOTES],
    len: usize,
    modifier: ChordModifier,
) -> usize {
    match modifier {
        ChordModifier::Invert(times) => {
            for _ in 0..times {
                if len == 0 {
                    break;
                }
                let lowest = notes[0];
                notes.copy_within(1..len, 0);
                notes[len - 1] = lowest + 12.0;
            }
            len
        }
        ChordModifier::Open => {
            if len > 2 {
                let (first, third) = (notes[0] - 12.0, notes[2] - 12.0);
                let second = notes[1];
                notes.copy_within(3..len, 3);
                notes[0] = first;
                notes[1] = third;
                notes[2] = second;
            }
            len
        }
        ChordModifier::Drop(n) => {
            let n = usize::from(n);
            if n >= 1 && n <= len {
                let index = len - n;
                let dropped = notes[index] - 12.0;
                notes.copy_within(0..index, 1);
                notes[0] = dropped;
            }
            len
        }
        ChordModifier::Range(count) => {
            let count = usize::from(count).min(MAX_CHORD_NOTES);
            if len == 0 {
                return 0;
            }
            let base: [f64; MAX_CHORD_NOTES] = *notes;
            for (i, note) in notes.iter_mut().enumerate().take(count) {
                *note = base[i % len] + 12.0 * (i / len) as f64;
            }
            count
        }
    }
}

impl crate::pattern::Pattern<Value> {
    /// Each event holding a list (`0:4:7`) played as one event per element, all at once
    /// (Tidal's `flatpat`); other events stay as they are.
    pub fn flat(&self) -> crate::pattern::Pattern<Value> {
        let p = self.clone();
        crate::pattern::Pattern::from_fn(move |span, arena, out| {
            for e in p.query(span, arena).iter() {
                match &e.value {
                    Value::List(items) => {
                        out.extend(items.iter().map(|v| e.with_value(v.clone())));
                    }
                    _ => out.push(e.clone()),
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_names_follow_tidal() {
        assert_eq!(note_number("c"), Some(0.0));
        assert_eq!(note_number("c5"), Some(0.0));
        assert_eq!(note_number("a5"), Some(9.0));
        assert_eq!(note_number("eb2"), Some(-33.0));
        // The original Phonon's solfège.
        let solfege: Vec<Option<f64>> = ["do", "re", "mi", "fa", "sol", "la", "ti", "si", "so"]
            .iter()
            .map(|w| note_number(w))
            .collect();
        assert_eq!(
            solfege,
            [0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 11.0, 11.0, 7.0].map(Some)
        );
        assert_eq!(note_number("dog"), None);
        assert_eq!(note_number("cs4"), Some(-11.0));
        assert_eq!(note_number("x"), None);
        assert_eq!(note_number("bd"), None);
    }

    fn apply(notes: &[f64], m: ChordModifier) -> Vec<f64> {
        let mut buf = [0.0; MAX_CHORD_NOTES];
        buf[..notes.len()].copy_from_slice(notes);
        let n = modify_chord(&mut buf, notes.len(), m);
        buf[..n].to_vec()
    }

    #[test]
    fn chord_modifiers_match_tidal() {
        let major = [0.0, 4.0, 7.0];
        assert_eq!(
            apply(&major, ChordModifier::Invert(1)),
            vec![4.0, 7.0, 12.0]
        );
        assert_eq!(
            apply(&major, ChordModifier::Invert(2)),
            vec![7.0, 12.0, 16.0]
        );
        assert_eq!(apply(&major, ChordModifier::Open), vec![-12.0, -5.0, 4.0]);
        assert_eq!(apply(&major, ChordModifier::Drop(1)), vec![-5.0, 0.0, 4.0]);
        assert_eq!(
            apply(&major, ChordModifier::Range(5)),
            vec![0.0, 4.0, 7.0, 12.0, 16.0]
        );
        assert_eq!(ChordModifier::parse("i2"), Some(ChordModifier::Invert(2)));
        assert_eq!(ChordModifier::parse("d1"), Some(ChordModifier::Drop(1)));
        assert_eq!(ChordModifier::parse("x"), None);
    }
}
