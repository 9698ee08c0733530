//! The pass between parsing and evaluation that rewrites the original Phonon's older spellings
//! into the one form evaluation reads, so evaluation has no special cases for them:
//!
//! - arithmetic after a chain applies to the chain: `a # lpf 800 0.7 * 0.3` is
//!   `(a # lpf 800 0.7) * 0.3`, not `a # (lpf 800 0.7 * 0.3)`;
//! - the call style gives a node or control its arguments as a tuple: `lpf(800, 0.7)` is
//!   `lpf 800 0.7`;
//! - `synth "c4 e4" "saw" a d s r`, a note pattern played through a waveform and an envelope,
//!   is `saw_trig "c4 e4" a d s r`;
//! - `stutter 4` with its count alone, the original's repeat of each event, is `ply 4`;
//! - a span given as two numbers, `zoom 0.25 0.75`, is the pair `zoom (0.25, 0.75)`;
//! - `select ~index ~a ~b ~c`, a choice among signals rather than Tidal's list of patterns, is
//!   `switch ~index 3 ~a ~b ~c`.
//!
//! Spellings a token or a line settles are read where they are met: `>>` for `#` by the lexer;
//! `hush`, `name $ expr`, `tempo 2` and `noise()` by the parser.

use crate::ast::{BinOp, Expr, ExprKind, Statement};
use crate::registry::{Registry, Role};
use std::ops::Range;

/// The rewriting pass: it reads the registry to know which names are chained into.
pub(crate) struct OlderSpellings<'r> {
    registry: &'r Registry,
}

impl<'r> OlderSpellings<'r> {
    /// A pass reading names through `registry`.
    pub(crate) fn new(registry: &'r Registry) -> OlderSpellings<'r> {
        OlderSpellings { registry }
    }

    /// Rewrites every statement's expression.
    pub(crate) fn statements(&self, statements: &mut [Statement]) {
        for s in statements {
            self.expr(&mut s.expr);
        }
    }

    /// Rewrites an expression in place. Nesting is bounded by the parser; a left-associative
    /// chain of any length is walked in a loop.
    pub(crate) fn expr(&self, e: &mut Expr) {
        match &mut e.kind {
            ExprKind::Binary(..) => self.spine(e),
            ExprKind::Apply(head, args) => {
                synth_as_trig(head, args);
                stutter_as_ply(head, args);
                select_of_signals_as_switch(head, args);
                self.span_from_two_numbers(head, args);
                self.expr(head);
                args.iter_mut().for_each(|a| self.expr(a));
                if self.takes_tuples_apart(head) {
                    *args = std::mem::take(args)
                        .into_iter()
                        .flat_map(|mut a| match &mut a.kind {
                            ExprKind::Tuple(items) => std::mem::take(items),
                            _ => vec![a],
                        })
                        .collect();
                }
            }
            ExprKind::Neg(x)
            | ExprKind::Section(_, x)
            | ExprKind::LeftSection(_, x)
            | ExprKind::Named(_, x) => self.expr(x),
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                items.iter_mut().for_each(|i| self.expr(i));
            }
            ExprKind::Number(_) | ExprKind::Str { .. } | ExprKind::Bus(_) | ExprKind::Name(_) => {}
        }
    }

    /// A left spine of binary operators, taken apart, each right side rewritten, and put back
    /// together from the innermost.
    fn spine(&self, e: &mut Expr) {
        let mut parts = Vec::new();
        let mut first = take(e);
        while let ExprKind::Binary(op, left, right) = &mut first.kind {
            parts.push((*op, take(right), first.span.clone()));
            let left = take(left);
            // What is left of `first` holds two leaves: dropping it is shallow.
            first = left;
        }
        self.expr(&mut first);
        let mut value = first;
        for (op, mut right, span) in parts.into_iter().rev() {
            self.expr(&mut right);
            value = if op == BinOp::Chain && self.arithmetic_after_a_call_chained_into(&right) {
                rechain(value, right)
            } else {
                binary(op, value, right, span)
            };
        }
        *e = value;
    }

    /// True if `right`, the right side of `#`, is arithmetic whose first operand is a call of a
    /// function that `#` feeds (a processor or a control).
    fn arithmetic_after_a_call_chained_into(&self, right: &Expr) -> bool {
        let mut e = right;
        let mut arithmetic = false;
        while let ExprKind::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, l, _) =
            &e.kind
        {
            arithmetic = true;
            e = l;
        }
        let name = match &e.kind {
            ExprKind::Apply(f, _) => match &f.kind {
                ExprKind::Name(n) => n,
                _ => return false,
            },
            ExprKind::Name(n) => n,
            _ => return false,
        };
        arithmetic
            && self
                .registry
                .get(name)
                .is_some_and(|f| f.takes_input() || f.control.is_some())
    }

    /// `zoom 0.25 0.75` as `zoom (0.25, 0.75)`, for a function whose first parameter is a span.
    fn span_from_two_numbers(&self, head: &Expr, args: &mut Vec<Expr>) {
        let ExprKind::Name(name) = &head.kind else {
            return;
        };
        let takes_span = self
            .registry
            .get(name)
            .and_then(|f| f.params.first())
            .is_some_and(|p| p.kind == crate::params::ParamKind::Span);
        let number = |e: &Expr| match &e.kind {
            ExprKind::Number(_) => true,
            ExprKind::Neg(x) => matches!(x.kind, ExprKind::Number(_)),
            _ => false,
        };
        if takes_span && args.len() >= 2 && number(&args[0]) && number(&args[1]) {
            let rest = args.split_off(2);
            let pair = std::mem::take(args);
            let span = pair[0].span.start..pair[1].span.end;
            args.push(Expr {
                kind: ExprKind::Tuple(pair),
                span,
            });
            args.extend(rest);
        }
    }

    /// True if `head` names a function whose tuple arguments are its arguments (anything but
    /// a transform or a pattern function, which take tuples as spans and steps).
    fn takes_tuples_apart(&self, head: &Expr) -> bool {
        let ExprKind::Name(name) = &head.kind else {
            return false;
        };
        self.registry
            .get(name)
            .is_some_and(|f| !matches!(f.role, Role::Transform | Role::Pattern))
    }
}

/// The waveforms `synth` takes, and the oscillator that plays each per event.
const SYNTH_WAVES: &[(&str, &str)] = &[
    ("saw", "saw_trig"),
    ("sine", "sine_trig"),
    ("square", "square_trig"),
    ("tri", "tri_trig"),
    ("triangle", "tri_trig"),
];

/// `synth NOTES WAVE a d s r` (or called with a tuple) as `WAVE_trig NOTES a d s r`, the
/// waveform `saw` when it is left out. `synth "saw"` alone, the original's MIDI-played synth,
/// is left for evaluation to report.
fn synth_as_trig(head: &mut Expr, args: &mut Vec<Expr>) {
    if !matches!(&head.kind, ExprKind::Name(n) if n == "synth") {
        return;
    }
    if let [Expr {
        kind: ExprKind::Tuple(items),
        ..
    }] = &mut args[..]
    {
        *args = std::mem::take(items);
    }
    let wave_of = |e: &Expr| match &e.kind {
        ExprKind::Str { text, .. } | ExprKind::Name(text) => SYNTH_WAVES
            .iter()
            .find(|(w, _)| w == text)
            .map(|(_, oscillator)| *oscillator),
        _ => None,
    };
    let notes = matches!(args.first(), Some(e) if matches!(e.kind, ExprKind::Str { .. }) && wave_of(e).is_none());
    if !notes {
        return;
    }
    let oscillator = match args.get(1).map(wave_of) {
        Some(Some(oscillator)) => {
            args.remove(1);
            oscillator
        }
        Some(None) => return,
        None => "saw_trig",
    };
    head.kind = ExprKind::Name(oscillator.to_string());
}

/// The original's `stutter n`, each event played `n` times within it: Tidal's `ply n`. Tidal's
/// `stutter` takes a count and a time, so a single argument is unambiguous.
fn stutter_as_ply(head: &mut Expr, args: &[Expr]) {
    if matches!(&head.kind, ExprKind::Name(n) if n == "stutter") && args.len() == 1 {
        head.kind = ExprKind::Name("ply".to_string());
    }
}

/// The original's `select INDEX A B …` (up to eight signals) as `switch INDEX N A B …`;
/// Tidal's `select CHOOSER [PATTERNS]` has a list second and is left alone.
fn select_of_signals_as_switch(head: &mut Expr, args: &mut Vec<Expr>) {
    let signals = args.len().saturating_sub(1);
    if !matches!(&head.kind, ExprKind::Name(n) if n == "select")
        || !(2..=8).contains(&signals)
        || matches!(args[1].kind, ExprKind::List(_))
    {
        return;
    }
    head.kind = ExprKind::Name("switch".to_string());
    let at = args[0].span.end..args[0].span.end;
    args.insert(
        1,
        Expr {
            kind: ExprKind::Number(signals as f64),
            span: at,
        },
    );
}

/// `e`, leaving a leaf in its place.
fn take(e: &mut Expr) -> Expr {
    std::mem::replace(
        e,
        Expr {
            kind: ExprKind::Number(0.0),
            span: 0..0,
        },
    )
}

fn binary(op: BinOp, left: Expr, right: Expr, span: Range<usize>) -> Expr {
    Expr {
        kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
        span,
    }
}

/// `left # (f x op y …)` as `((left # f x) op y) …`: the chain goes in at the bottom of the
/// arithmetic's left spine.
fn rechain(left: Expr, mut right: Expr) -> Expr {
    let mut parts = Vec::new();
    while let ExprKind::Binary(op @ (BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div), l, r) =
        &mut right.kind
    {
        parts.push((*op, take(r)));
        let l = take(l);
        right = l;
    }
    let start = left.span.start;
    let end = right.span.end;
    let mut value = binary(BinOp::Chain, left, right, start..end);
    for (op, r) in parts.into_iter().rev() {
        let end = r.span.end;
        value = binary(op, value, r, start..end);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(text: &str) -> String {
        let registry = Registry::standard();
        let (tokens, errors) = crate::lexer::lex(text, &|n: &str| registry.get(n).is_some());
        assert!(errors.is_empty(), "{errors:?}");
        let mut e = crate::parser::parse_expression(&tokens).expect("parses");
        OlderSpellings::new(&registry).expr(&mut e);
        e.to_string()
    }

    #[test]
    fn arithmetic_after_a_chain_applies_to_the_chain() {
        assert_eq!(
            rewritten("saw 55 # lpf 800 0.7 * 0.3"),
            "(((saw 55) # (lpf 800 0.7)) * 0.3)"
        );
        assert_eq!(
            rewritten("saw 55 # lpf 800 0.7 * 0.3 + 0.1 # hpf 100"),
            "(((((saw 55) # (lpf 800 0.7)) * 0.3) + 0.1) # (hpf 100))"
        );
        // Not after a function `#` feeds: `# speed (2 * 1)` is left alone, and so is a pattern.
        assert_eq!(
            rewritten("s \"bd\" # n (1 + 1)"),
            "((s \"bd\") # (n (1 + 1)))"
        );
    }

    #[test]
    fn the_call_style_gives_a_node_its_arguments() {
        assert_eq!(rewritten("lpf(800, 0.7)"), "(lpf 800 0.7)");
        // A transform keeps its tuple: it is a span.
        assert_eq!(
            rewritten("within (0, 0.5) (fast 2) $ s \"bd sn\""),
            "((within (0, 0.5) (fast 2)) $ (s \"bd sn\"))"
        );
    }

    #[test]
    fn synth_plays_its_notes_through_a_triggered_oscillator() {
        assert_eq!(
            rewritten("synth \"c4 e4\" \"square\" 0.01 0.1 0.7 0.3"),
            "(square_trig \"c4 e4\" 0.01 0.1 0.7 0.3)"
        );
        assert_eq!(
            rewritten("synth(\"c2 ~ g2\", \"triangle\", 0.01, 0.05, 0.8, 0.1)"),
            "(tri_trig \"c2 ~ g2\" 0.01 0.05 0.8 0.1)"
        );
        assert_eq!(rewritten("synth \"c4 e4\""), "(saw_trig \"c4 e4\")");
        // The original's MIDI-played `synth "saw"` is not a note pattern: left as it is.
        assert_eq!(rewritten("synth \"saw\""), "(synth \"saw\")");
    }

    #[test]
    fn the_originals_stutter_and_spans_are_read_as_tidals() {
        assert_eq!(
            rewritten("every 8 (stutter 4) $ s \"bd\""),
            "((every 8 (ply 4)) $ (s \"bd\"))"
        );
        assert_eq!(
            rewritten("stutter 4 0.125 $ s \"bd\""),
            "((stutter 4 0.125) $ (s \"bd\"))"
        );
        assert_eq!(
            rewritten("within 0.0 0.5 rev $ s \"bd sn\""),
            "((within (0, 0.5) rev) $ (s \"bd sn\"))"
        );
        assert_eq!(
            rewritten("zoom 0.25 0.75 $ s \"bd\""),
            "((zoom (0.25, 0.75)) $ (s \"bd\"))"
        );
    }

    #[test]
    fn a_chain_of_any_length_is_rewritten_without_recursing() {
        let long = std::iter::repeat_n("# lpf 800 * 1 ", 50_000).collect::<String>();
        let registry = Registry::standard();
        let text = format!("saw 55 {long}");
        let (tokens, _) = crate::lexer::lex(&text, &|n: &str| registry.get(n).is_some());
        let mut e = crate::parser::parse_expression(&tokens).expect("parses");
        OlderSpellings::new(&registry).expr(&mut e);
        assert!(matches!(e.kind, ExprKind::Binary(BinOp::Mul, _, _)));
    }
}
