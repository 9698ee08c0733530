//! A recursive-descent parser for mini-notation.

use super::ast::{Step, Term, TermKind};
use crate::time::Time;
use std::fmt;

/// A syntax error: where it is (1-based column, in characters) and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based column of the offending character.
    pub column: usize,
    /// What the parser wanted.
    pub expected: String,
    /// What it found instead.
    pub found: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "column {}: expected {}, found {}",
            self.column, self.expected, self.found
        )
    }
}

impl std::error::Error for ParseError {}

/// Parses a whole mini-notation string.
pub fn parse(source: &str) -> Result<Term, ParseError> {
    let mut p = Parser {
        chars: source.chars().collect(),
        pos: 0,
        seed: 0,
        budget: MAX_NODES,
        depth: 0,
    };
    p.skip_ws();
    let node = p.layers(None)?;
    p.skip_ws();
    if p.pos < p.chars.len() {
        return Err(p.error("a step, ',', '|' or the end of the pattern"));
    }
    Ok(node)
}

/// The most nodes a pattern may expand to (`!` copies steps), so a typo such as `[a!999]!999`
/// is an error rather than an exhausted machine.
pub const MAX_NODES: usize = 1 << 16;

struct Parser {
    chars: Vec<char>,
    pos: usize,
    seed: u32,
    /// Nodes that `!` copies may still add.
    budget: usize,
    /// Groups (`[ ]`, `< >`, `{ }`, `( )`) open around the current position.
    depth: usize,
}

/// How deeply groups may nest: deeper patterns would exhaust the stack of every pass that
/// walks them (compiling, querying, dropping).
pub const MAX_DEPTH: usize = 64;

fn size(node: &Term) -> usize {
    1 + match &node.kind {
        TermKind::Atom(_) | TermKind::Rest => 0,
        TermKind::Sequence(steps) => steps.iter().map(|s| size(&s.node)).sum(),
        TermKind::Stack(items)
        | TermKind::Choose { options: items, .. }
        | TermKind::Tail(items) => items.iter().map(size).sum(),
        TermKind::Polymeter { layers, steps } => {
            layers
                .iter()
                .flatten()
                .map(|s| size(&s.node))
                .sum::<usize>()
                + steps.as_ref().map_or(0, |n| size(n))
        }
        TermKind::Fast(a, b) | TermKind::Slow(a, b) | TermKind::Range(a, b) => size(a) + size(b),
        TermKind::Degrade { node, .. } => size(node),
        TermKind::Euclid {
            node,
            hits,
            steps,
            rotation,
        } => size(node) + size(hits) + size(steps) + rotation.as_ref().map_or(0, |r| size(r)),
        TermKind::Chord {
            root,
            name,
            modifiers,
        } => {
            root.as_ref().map_or(0, |r| size(r))
                + size(name)
                + modifiers.iter().map(size).sum::<usize>()
        }
    }
}

fn is_atom_start(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '#'
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn column(&self) -> usize {
        self.pos + 1
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn error(&self, expected: &str) -> ParseError {
        let found = match self.peek() {
            Some(c) => format!("'{c}'"),
            None => "the end of the pattern".to_string(),
        };
        ParseError {
            column: self.column(),
            expected: expected.to_string(),
            found,
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), ParseError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    /// Spends expansion budget on `nodes` copies, or fails with a clear error.
    fn charge(&mut self, nodes: usize) -> Result<(), ParseError> {
        match self.budget.checked_sub(nodes) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(ParseError {
                column: self.column(),
                expected: format!(
                    "a pattern of at most {MAX_NODES} steps after repeating with `!`"
                ),
                found: "a larger one".into(),
            }),
        }
    }

    /// Adds the pending `!` copies of the last step.
    fn flush_repeats(
        &mut self,
        steps: &mut Vec<Step>,
        repeats: &mut usize,
    ) -> Result<(), ParseError> {
        if let Some(last) = steps.last() {
            let copy = last.clone();
            self.charge(size(&copy.node).saturating_mul(*repeats - 1))?;
            for _ in 1..*repeats {
                steps.push(copy.clone());
            }
        }
        *repeats = 1;
        Ok(())
    }

    fn next_seed(&mut self) -> u32 {
        let s = self.seed;
        self.seed += 1;
        s
    }

    /// A lone `.` that separates groups (not part of `..` or a number).
    fn at_group_dot(&self) -> bool {
        self.peek() == Some('.')
            && self.peek_at(1) != Some('.')
            && self.peek_at(1).is_none_or(|c| c.is_whitespace())
    }

    /// Sequences separated by all `,`, all `|` or all lone `.`.
    fn layers(&mut self, close: Option<char>) -> Result<Term, ParseError> {
        let column = self.column();
        let first = self.sequence(close)?;
        let separator = match self.peek() {
            Some(',') => ',',
            Some('|') => '|',
            _ if self.at_group_dot() => '.',
            _ => return Ok(first),
        };
        let mut items = vec![first];
        while self.peek() == Some(separator) && (separator != '.' || self.at_group_dot()) {
            self.pos += 1;
            self.skip_ws();
            items.push(self.sequence(close)?);
        }
        let kind = match separator {
            ',' => TermKind::Stack(items),
            '|' => TermKind::Choose {
                seed: self.next_seed(),
                options: items,
            },
            _ => TermKind::Sequence(
                items
                    .into_iter()
                    .map(|node| Step {
                        node,
                        weight: Time::ONE,
                    })
                    .collect(),
            ),
        };
        Ok(Term { kind, column })
    }

    /// Steps until a separator or closing bracket, as one node.
    fn sequence(&mut self, close: Option<char>) -> Result<Term, ParseError> {
        let column = self.column();
        let steps = self.steps(close)?;
        Ok(Term {
            kind: TermKind::Sequence(steps),
            column,
        })
    }

    fn steps(&mut self, close: Option<char>) -> Result<Vec<Step>, ParseError> {
        self.depth += 1;
        // The whole pattern is a sequence too: `MAX_DEPTH` counts the groups inside it.
        if self.depth > MAX_DEPTH + 1 {
            return Err(self.error(&format!("groups nested at most {MAX_DEPTH} deep")));
        }
        let steps = self.steps_within(close);
        self.depth -= 1;
        steps
    }

    fn steps_within(&mut self, close: Option<char>) -> Result<Vec<Step>, ParseError> {
        let mut steps: Vec<Step> = Vec::new();
        // Copies of the last step still to add (`!`).
        let mut repeats = 1usize;
        loop {
            self.skip_ws();
            let Some(c) = self.peek() else { break };
            if Some(c) == close || c == ',' || c == '|' || self.at_group_dot() {
                break;
            }
            if matches!(c, ']' | '>' | '}' | ')') {
                return Err(match close {
                    Some(expected) => self.error(&format!("a step or '{expected}'")),
                    None => self.error("a step (this bracket was never opened)"),
                });
            }
            match c {
                '_' | '@' if !steps.is_empty() => {
                    self.pos += 1;
                    let n = self.optional_number()?.unwrap_or(Time::from_int(2));
                    if let Some(last) = steps.last_mut() {
                        last.weight = last.weight + n - Time::ONE;
                    }
                }
                '!' if !steps.is_empty() => {
                    self.pos += 1;
                    repeats += self.optional_count()?.unwrap_or(2).saturating_sub(1);
                }
                '.' if self.peek_at(1) == Some('.') && !steps.is_empty() => {
                    self.pos += 2;
                    self.skip_ws();
                    let Some(last) = steps.pop() else { break };
                    let column = last.node.column;
                    let end = self.term()?;
                    steps.push(Step {
                        node: Term {
                            kind: TermKind::Range(Box::new(last.node), Box::new(end)),
                            column,
                        },
                        weight: last.weight,
                    });
                }
                _ => {
                    self.flush_repeats(&mut steps, &mut repeats)?;
                    let (node, weight, reps) = self.step()?;
                    steps.push(Step { node, weight });
                    repeats = reps;
                }
            }
        }
        self.flush_repeats(&mut steps, &mut repeats)?;
        Ok(steps)
    }

    /// One step with its modifiers; returns the node, its weight and how many copies to play.
    fn step(&mut self) -> Result<(Term, Time, usize), ParseError> {
        let mut node = self.term()?;
        let mut weight = Time::ONE;
        let mut reps = 1usize;
        loop {
            let column = node.column;
            let wrap = |kind| Term { kind, column };
            // A modifier after `!` applies to the repeated group as one step, as in Tidal, where
            // `a!8?` means `[a!8]?`.
            if reps > 1 && matches!(self.peek(), Some('*' | '/' | '?' | '(' | ':' | '\'')) {
                self.charge(size(&node) * (reps - 1))?;
                let step = Step {
                    node,
                    weight: Time::ONE,
                };
                node = wrap(TermKind::Sequence(vec![step; reps]));
                reps = 1;
                continue;
            }
            match self.peek() {
                Some('*') => {
                    self.pos += 1;
                    let factor = self.term()?;
                    node = wrap(TermKind::Fast(Box::new(node), Box::new(factor)));
                }
                Some('/') => {
                    self.pos += 1;
                    let factor = self.term()?;
                    node = wrap(TermKind::Slow(Box::new(node), Box::new(factor)));
                }
                Some('!') => {
                    self.pos += 1;
                    let n = self.optional_count()?.unwrap_or(2);
                    reps += n.saturating_sub(1);
                }
                Some('@') | Some('_') => {
                    self.pos += 1;
                    let n = self.optional_number()?.unwrap_or(Time::from_int(2));
                    weight = weight + n - Time::ONE;
                }
                Some('?') => {
                    self.pos += 1;
                    let amount = self.optional_number()?.map(Time::to_f64);
                    node = wrap(TermKind::Degrade {
                        node: Box::new(node),
                        seed: self.next_seed(),
                        amount,
                    });
                }
                Some('(') => node = self.euclid(node)?,
                Some(':') => {
                    self.pos += 1;
                    node = tail(node, self.term()?);
                }
                Some('\'') => {
                    self.pos += 1;
                    node = chord(node, self.term()?);
                }
                _ => break,
            }
        }
        Ok((node, weight, reps))
    }

    /// `node(hits, steps[, rotation])`: a Euclidean rhythm, read from its `(`.
    fn euclid(&mut self, node: Term) -> Result<Term, ParseError> {
        let column = node.column;
        self.pos += 1;
        self.skip_ws();
        let hits = self.euclid_arg()?;
        self.expect(
            ',',
            "',' between the hits and the steps of a Euclidean rhythm",
        )?;
        self.skip_ws();
        let steps = self.euclid_arg()?;
        let rotation = if self.peek() == Some(',') {
            self.pos += 1;
            self.skip_ws();
            Some(Box::new(self.euclid_arg()?))
        } else {
            None
        };
        self.expect(')', "')' to close the Euclidean rhythm")?;
        Ok(Term {
            kind: TermKind::Euclid {
                node: Box::new(node),
                hits: Box::new(hits),
                steps: Box::new(steps),
                rotation,
            },
            column,
        })
    }

    fn euclid_arg(&mut self) -> Result<Term, ParseError> {
        let column = self.column();
        let steps = self.steps(Some(')'))?;
        if steps.is_empty() {
            return Err(self.error("a number or pattern for the Euclidean rhythm"));
        }
        self.skip_ws();
        Ok(Term {
            kind: TermKind::Sequence(steps),
            column,
        })
    }

    /// A single term: an atom, a rest or a bracketed group.
    fn term(&mut self) -> Result<Term, ParseError> {
        let column = self.column();
        let node = |kind| Term { kind, column };
        match self.peek() {
            Some('[') => {
                self.pos += 1;
                self.skip_ws();
                let inner = self.layers(Some(']'))?;
                self.skip_ws();
                self.expect(']', "']' to close the group")?;
                Ok(inner)
            }
            Some('<') => {
                self.pos += 1;
                self.skip_ws();
                let layers = self.polymeter_layers('>')?;
                self.expect('>', "'>' to close the alternation")?;
                Ok(node(TermKind::Polymeter {
                    layers,
                    steps: Some(Box::new(Term {
                        kind: TermKind::Atom("1".into()),
                        column,
                    })),
                }))
            }
            Some('{') => {
                self.pos += 1;
                self.skip_ws();
                let layers = self.polymeter_layers('}')?;
                self.expect('}', "'}' to close the polymeter")?;
                let steps = if self.peek() == Some('%') {
                    self.pos += 1;
                    Some(Box::new(self.term()?))
                } else {
                    None
                };
                Ok(node(TermKind::Polymeter { layers, steps }))
            }
            Some('~') if self.peek_at(1).is_some_and(|c| c.is_ascii_alphabetic()) => {
                // Phonon's `~name`: a bus played where it appears (`s "~kick sn"`).
                self.pos += 1;
                Ok(node(TermKind::Atom(format!("~{}", self.atom_text()))))
            }
            Some('~') => {
                self.pos += 1;
                Ok(node(TermKind::Rest))
            }
            Some('-') if !self.peek_at(1).is_some_and(is_atom_start) => {
                self.pos += 1;
                Ok(node(TermKind::Rest))
            }
            Some('\'') => {
                // A chord with no root: `'major`.
                self.pos += 1;
                let name = self.term()?;
                Ok(node(TermKind::Chord {
                    root: None,
                    name: Box::new(name),
                    modifiers: Vec::new(),
                }))
            }
            Some(c) if is_atom_start(c) || c == '-' => {
                let text = self.atom_text();
                if text.is_empty() || text == "-" {
                    self.pos = column - 1;
                    return Err(self.error("a word, a number, '~', '[', '<' or '{'"));
                }
                Ok(node(TermKind::Atom(text)))
            }
            _ => Err(self.error("a word, a number, '~', '[', '<' or '{'")),
        }
    }

    fn polymeter_layers(&mut self, close: char) -> Result<Vec<Vec<Step>>, ParseError> {
        let mut layers = vec![self.steps(Some(close))?];
        while self.peek() == Some(',') {
            self.pos += 1;
            layers.push(self.steps(Some(close))?);
        }
        self.skip_ws();
        Ok(layers)
    }

    /// A maximal run of word and number characters: `bd`, `-3.5e2q`, `1%3`, `superpiano.2`.
    fn atom_text(&mut self) -> String {
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while let Some(c) = self.peek() {
            let next = self.peek_at(1);
            let ok = match c {
                '#' => true,
                '.' | '_' => next.is_some_and(char::is_alphanumeric),
                '%' => next.is_some_and(|d| is_atom_start(d) || d == '-'),
                '-' => next.is_some_and(|d| d.is_ascii_digit() || d == '.'),
                c => c.is_alphanumeric(),
            };
            if !ok {
                break;
            }
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// An optional number right after an operator (`@3`, `?0.3`, `_2`).
    fn optional_number(&mut self) -> Result<Option<Time>, ParseError> {
        if !self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '-')
        {
            return Ok(None);
        }
        let column = self.column();
        let text = self.atom_text();
        match super::number::parse_number(&text, false) {
            Some(n) => Ok(Some(n)),
            None => Err(ParseError {
                column,
                expected: "a number".into(),
                found: format!("'{text}'"),
            }),
        }
    }

    /// A repeat count after `!`; the expansion budget ([`MAX_NODES`] steps) bounds the total.
    fn optional_count(&mut self) -> Result<Option<usize>, ParseError> {
        let column = self.column();
        let Some(n) = self.optional_number()? else {
            return Ok(None);
        };
        let found = if n.denom() != 1 {
            "a fraction".to_string()
        } else if n.numer() < 0 {
            "a negative number".to_string()
        } else if n.numer() as u64 > MAX_NODES as u64 {
            n.numer().to_string()
        } else {
            return Ok(Some(n.numer() as usize));
        };
        Err(ParseError {
            column,
            expected: format!("a whole number of repeats (0 to {MAX_NODES})"),
            found,
        })
    }
}

/// `node:next`: the items of a `:` list, flattened as they are written.
fn tail(node: Term, next: Term) -> Term {
    let column = node.column;
    let kind = match node.kind {
        TermKind::Tail(mut items) => {
            items.push(next);
            TermKind::Tail(items)
        }
        kind => TermKind::Tail(vec![Term { kind, column }, next]),
    };
    Term { kind, column }
}

/// `node'part`: a chord's name after its root, then its modifiers.
fn chord(node: Term, part: Term) -> Term {
    let column = node.column;
    let kind = match node.kind {
        TermKind::Chord {
            root,
            name,
            mut modifiers,
        } => {
            modifiers.push(part);
            TermKind::Chord {
                root,
                name,
                modifiers,
            }
        }
        kind => TermKind::Chord {
            root: Some(Box::new(Term { kind, column })),
            name: Box::new(part),
            modifiers: Vec::new(),
        },
    };
    Term { kind, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        let e = parse("bd [sn cp").unwrap_err();
        assert_eq!(e.column, 10);
        assert_eq!(e.expected, "']' to close the group");
        let e = parse("bd sn]").unwrap_err();
        assert_eq!(e.column, 6);
        let e = parse("bd(3 8)").unwrap_err();
        assert_eq!(e.column, 7);
        assert!(e.expected.contains("','"), "{e}");
        let e = parse("bd*").unwrap_err();
        assert_eq!((e.column, e.found.as_str()), (4, "the end of the pattern"));
    }

    #[test]
    fn groups_nested_past_the_limit_are_an_error_not_a_stack_overflow() {
        let deep = |n: usize| format!("{}bd{}", "[".repeat(n), "]".repeat(n));
        // At the limit a pattern parses and compiles, even on a test thread's small stack.
        assert!(crate::mini::mini(&deep(MAX_DEPTH)).is_ok());
        let e = parse(&deep(MAX_DEPTH + 1)).unwrap_err();
        assert!(e.expected.contains("nested at most 64 deep"), "{e}");
        let e = parse(&deep(10_000)).unwrap_err();
        assert!(e.expected.contains("nested at most"), "{e}");
        assert_eq!(e.column, MAX_DEPTH + 2);
        let alternations = format!("{}bd{}", "<".repeat(5_000), ">".repeat(5_000));
        assert!(parse(&alternations).is_err());
    }

    #[test]
    fn repeat_counts_say_what_is_wrong_with_them_and_the_budget_bounds_the_total() {
        // Up to the budget a count is accepted (the docs promise 65,536 steps).
        assert!(parse("bd!4097").is_ok());
        assert!(parse(&format!("bd!{MAX_NODES}")).is_ok());
        let e = parse(&format!("bd!{}", MAX_NODES + 1)).unwrap_err();
        assert_eq!((e.column, e.found.as_str()), (4, "65537"));
        assert!(e.expected.contains("0 to 65536"), "{e}");
        let e = parse("bd!2.5").unwrap_err();
        assert_eq!(e.found, "a fraction");
        // Several counts share the budget.
        let e = parse("bd!40000 sn!40000").unwrap_err();
        assert!(e.expected.contains("at most 65536 steps"), "{e}");
    }

    #[test]
    fn a_stray_dot_is_an_error() {
        assert_eq!(parse("{bd s.}").unwrap_err().column, 6);
        assert_eq!(parse("a .}").unwrap_err().column, 3);
    }

    #[test]
    fn runaway_repetition_is_an_error_not_an_exhausted_machine() {
        let e = parse("[[a!999]!999]!999").unwrap_err();
        assert!(e.expected.contains("at most"), "{e}");
        assert!(parse("a!999 b!999").is_ok());
    }

    #[test]
    fn replication_and_weights_attach_to_the_previous_step() {
        let TermKind::Sequence(steps) = parse("a!3 b@2 c _ _").unwrap().kind else {
            panic!("not a sequence")
        };
        let weights: Vec<Time> = steps.iter().map(|s| s.weight).collect();
        assert_eq!(
            weights,
            vec![
                Time::ONE,
                Time::ONE,
                Time::ONE,
                Time::from_int(2),
                Time::from_int(3)
            ]
        );
    }
}
