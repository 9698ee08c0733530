//! The pass between parsing and evaluation that rewrites the original Phonon's older spellings
//! into the one form evaluation reads, so evaluation has no special cases for them:
//!
//! - arithmetic after a chain applies to the chain: `a # lpf 800 0.7 * 0.3` is
//!   `(a # lpf 800 0.7) * 0.3`, not `a # (lpf 800 0.7 * 0.3)`; and after a piped transform,
//!   `a $ fast 4 * 0.3` is `(a $ fast 4) * 0.3`;
//! - the call style gives a node or control its arguments as a tuple: `lpf(800, 0.7)` is
//!   `lpf 800 0.7`;
//! - `synth "c4 e4" "saw" a d s r`, a note pattern played through a waveform and an envelope,
//!   is `saw_trig "c4 e4" a d s r`;
//! - `stutter 4` with its count alone, the original's repeat of each event, is `ply 4`;
//! - a span given as two numbers, `zoom 0.25 0.75`, is the pair `zoom (0.25, 0.75)`;
//! - `select ~index ~a ~b ~c`, a choice among signals rather than Tidal's list of patterns, is
//!   `switch ~index 3 ~a ~b ~c`;
//! - a parameter's older name, `reverb :room_size 0.9`, is its name, `reverb :size 0.9`;
//! - `reverb_stereo WET TIME`, the original's stereo reverb with a decay time, is the plate
//!   reverb, `plate :mix WET :decay TIME`;
//! - a function given by name where a function is expected, followed by the arguments it
//!   needs, takes them: `every 4 scramble 4` is `every 4 (scramble 4)`.
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
                older_parameter_names(head, args);
                reverb_stereo_as_plate(head, args);
                self.function_with_its_arguments(head, args);
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
                rechain(BinOp::Chain, value, right)
            } else if op == BinOp::Apply && self.arithmetic_after_a_transform(&right) {
                rechain(BinOp::Apply, value, right)
            } else {
                binary(op, value, right, span)
            };
        }
        *e = value;
    }

    /// True if `right`, the right side of `#`, is arithmetic whose first operand is a call of a
    /// function that `#` feeds (a processor or a control).
    fn arithmetic_after_a_call_chained_into(&self, right: &Expr) -> bool {
        arithmetic_head(right).is_some_and(|(name, _)| {
            self.registry
                .get(name)
                .is_some_and(|f| f.takes_input() || f.control.is_some())
        })
    }

    /// True if `right`, the right side of `$`, is arithmetic whose first operand is a pattern
    /// function given all but its pattern (`fast 4 * 0.3`), which alone would be an error.
    fn arithmetic_after_a_transform(&self, right: &Expr) -> bool {
        arithmetic_head(right).is_some_and(|(name, given)| {
            self.registry
                .get(name)
                .is_some_and(|f| f.role == Role::Transform && given + 1 == f.params.len())
        })
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

    /// `every 4 scramble 4` as `every 4 (scramble 4)`: a transform named bare in a function's
    /// slot, which would be an error for want of its arguments, takes those that follow.
    fn function_with_its_arguments(&self, head: &Expr, args: &mut Vec<Expr>) {
        let ExprKind::Name(name) = &head.kind else {
            return;
        };
        let Some(f) = self.registry.get(name) else {
            return;
        };
        let Some(k) = f
            .params
            .iter()
            .position(|p| p.kind == crate::params::ParamKind::Transform)
        else {
            return;
        };
        let Some(ExprKind::Name(g)) = args.get(k).map(|a| &a.kind) else {
            return;
        };
        let wanted = match self.registry.get(g) {
            Some(g) if g.role == Role::Transform => g.params.len().saturating_sub(1),
            _ => return,
        };
        if wanted == 0 || args.len() < k + 1 + wanted {
            return;
        }
        let taken: Vec<Expr> = args.drain(k + 1..k + 1 + wanted).collect();
        let span = args[k].span.start..taken[wanted - 1].span.end;
        let bare = take(&mut args[k]);
        args[k] = Expr {
            kind: ExprKind::Apply(Box::new(bare), taken),
            span,
        };
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

/// Parameters the original Phonon named otherwise: function, its name there, the name here.
const OLDER_PARAMETER_NAMES: &[(&str, &str, &str)] = &[("reverb", "room_size", "size")];

/// `reverb :room_size 0.9` as `reverb :size 0.9`.
fn older_parameter_names(head: &Expr, args: &mut [Expr]) {
    let ExprKind::Name(f) = &head.kind else {
        return;
    };
    for arg in args {
        if let ExprKind::Named(name, _) = &mut arg.kind {
            if let Some((.., newer)) = OLDER_PARAMETER_NAMES
                .iter()
                .find(|(g, older, _)| g == f && older == name)
            {
                *name = newer.to_string();
            }
        }
    }
}

/// When `e` is arithmetic (`+ - * /`), the function named by the first operand of its left
/// spine and how many arguments it is given there (`lpf 800 0.7 * 0.3` gives `lpf`, 2).
fn arithmetic_head(e: &Expr) -> Option<(&str, usize)> {
    let mut e = e;
    let mut arithmetic = false;
    while let ExprKind::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, l, _) = &e.kind {
        arithmetic = true;
        e = l;
    }
    let head = match &e.kind {
        ExprKind::Apply(f, args) => match &f.kind {
            ExprKind::Name(n) => (n.as_str(), args.len()),
            _ => return None,
        },
        ExprKind::Name(n) => (n.as_str(), 0),
        _ => return None,
    };
    arithmetic.then_some(head)
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

/// `reverb_stereo [INPUT] WET TIME` as `plate [INPUT] :mix WET :decay TIME`: a stereo reverb
/// that rings for TIME seconds.
fn reverb_stereo_as_plate(head: &mut Expr, args: &mut [Expr]) {
    if !matches!(&head.kind, ExprKind::Name(n) if n == "reverb_stereo")
        || !(2..=3).contains(&args.len())
    {
        return;
    }
    head.kind = ExprKind::Name("plate".to_string());
    let n = args.len();
    for (arg, name) in args[n - 2..].iter_mut().zip(["mix", "decay"]) {
        let value = take(arg);
        *arg = Expr {
            span: value.span.clone(),
            kind: ExprKind::Named(name.to_string(), Box::new(value)),
        };
    }
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

/// `left # (f x op y …)` as `((left # f x) op y) …` (or with `$`): the chain goes in at the
/// bottom of the arithmetic's left spine.
fn rechain(chain: BinOp, left: Expr, mut right: Expr) -> Expr {
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
    let mut value = binary(chain, left, right, start..end);
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
        assert_eq!(
            rewritten("sine \"220 440\" $ fast 4 * 0.3"),
            "(((sine \"220 440\") $ (fast 4)) * 0.3)"
        );
        // A function given its pattern is left alone.
        assert_eq!(
            rewritten("f $ fast 4 \"1 2\" * 0.3"),
            "(f $ ((fast 4 \"1 2\") * 0.3))"
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
    fn older_names_and_argument_lists_are_read_as_the_newer_ones() {
        assert_eq!(
            rewritten("s \"bd\" # reverb :room_size 0.9 :mix 0.2"),
            "((s \"bd\") # (reverb :size 0.9 :mix 0.2))"
        );
        // Only for the function that had it.
        assert_eq!(rewritten("plate :room_size 0.9"), "(plate :room_size 0.9)");
        assert_eq!(
            rewritten("saw 55 # reverb_stereo 0.8 5.0"),
            "((saw 55) # (plate :mix 0.8 :decay 5))"
        );
        assert_eq!(
            rewritten("every 4 scramble 4 $ s \"bd sn\""),
            "((every 4 (scramble 4)) $ (s \"bd sn\"))"
        );
        // A function that needs nothing more, and one given its arguments, are left alone.
        assert_eq!(rewritten("every 4 rev \"a b\""), "(every 4 rev \"a b\")");
        assert_eq!(
            rewritten("every 4 (fast 2) \"a b\""),
            "(every 4 (fast 2) \"a b\")"
        );
        assert_eq!(
            rewritten("reverb_stereo ~pad 0.8 5.0"),
            "(plate ~pad :mix 0.8 :decay 5)"
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
