//! Application: functions taking their arguments (each checked against its parameter once, as
//! it is given), pattern functions running over their compiled arguments, `#` chains,
//! arithmetic, Tidal's pattern operators and sections.

use super::signal::{Signal, SignalInput, SignalKind, SignalNode};
use super::strings::note_frequency;
use super::value::Val;
use super::{Eval, Evaluator};
use crate::ast::BinOp;
use crate::diagnostic::Diagnostic;
use crate::params::{ParamKind, ParamSpec};
use crate::registry::{Control, Function, Role};
use crate::values::{Arg, Args, Pat, Transform};
use dsp::levels::MathOp;
use pattern::mini::ValueType;
use pattern::{Op, Pattern, Structure, Time, Value};
use std::ops::Range;
use std::rc::Rc;

/// `p` shifted earlier (`<~`) or later (`~>`) by a patterned amount.
pub(super) fn shifted(p: Pat, amount: &Pattern<Time>, early: bool) -> Pat {
    let amount = if early {
        amount.clone()
    } else {
        amount.fmap(|&t| -t)
    };
    match p {
        Pat::Sound(p) => Pat::Sound(p.early_p(&amount)),
        Pat::Value(p) => Pat::Value(p.early_p(&amount)),
    }
}

/// The value function of an arithmetic operator.
fn arithmetic_op(op: BinOp) -> Op {
    match op {
        BinOp::Add => Op::Add,
        BinOp::Sub => Op::Sub,
        BinOp::Mul => Op::Mul,
        _ => Op::Div,
    }
}

/// A list of the parameters' names, for messages.
/// What a `Rows` parameter wants.
const ROWS: &str = "rows of numbers such as [[0.3, 0.7], [0.5, 0.5]]";

/// Rows of numbers (`[[0.3, 0.7], [0.5, 0.5]]`), or `None` if any item is not one.
fn number_rows(rows: &[(Val<'_>, Range<usize>)]) -> Option<Vec<Vec<f64>>> {
    let numbers = |row: &Val<'_>| match row {
        Val::List(items) => items
            .iter()
            .map(|(v, _)| match v {
                Val::Num(x) => Some(*x),
                _ => None,
            })
            .collect::<Option<Vec<f64>>>(),
        _ => None,
    };
    rows.iter().map(|(row, _)| numbers(row)).collect()
}

/// A transform given all but its last argument before the pattern (`fast`, `every 3`): a
/// function the caller completes with each value it picks.
fn curried(g: &Function, args: Vec<Arg>) -> Option<Arg> {
    let (run, name, params) = (g.pattern?, g.name, g.params);
    let curried: crate::values::Curried = Rc::new(move |given, p| {
        let mut all = args.clone();
        all.push(crate::values::argument_from(&params[args.len()], given)?);
        all.push(Arg::Pattern(p));
        run(&mut Args::new(name, params, all))
    });
    Some(Arg::Curried(curried))
}

fn param_names(params: &[ParamSpec]) -> String {
    params.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

impl<'r> Evaluator<'r> {
    /// A value as a pattern a transform can work on; a string is read at the type strings are
    /// read at here (numbers in a patch, `--type` in `phonon query`).
    pub(super) fn pattern(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Pat> {
        if let Val::Signal(signal) = &v {
            // `~call + ~response $ every 4 (jux rev)`: sound patterns added, as a stack.
            if let Some(sounds) = Self::sounds_played_by(signal) {
                return Some(Pat::Sound(sounds));
            }
        }
        match v {
            Val::Sounds { pattern, .. } => Some(Pat::Sound(pattern)),
            Val::Values(p) => Some(Pat::Value(p)),
            Val::Num(x) => Some(Pat::Value(pattern::pure(self.literal(x)))),
            Val::Str { text, at } => {
                let kind = self.string_type;
                if let Some(sounds) = self.words_as_sounds(&text, at, kind) {
                    return Some(Pat::Sound(sounds));
                }
                self.read(&text, at, kind).map(Pat::Value)
            }
            Val::Call { f, args } if args.is_empty() && f.pattern.is_some() => {
                let make = f.pattern?;
                let result = make(&mut Args::new(f.name, &[], Vec::new()));
                self.pattern_result(result, span.clone())
                    .and_then(|v| self.pattern(v, span))
            }
            // A control given alone where a pattern is expected, as Tidal's control patterns:
            // `fix (# crush 4) (n 1)`, `weave 16 (pan sine) […]`. Its sounds name no sample.
            Val::Call { f, mut args } if f.control.is_some() && args.len() == 1 => {
                let control = f.control?;
                let (value, value_span) = args.pop()?;
                let values = self.control_values(control, value, value_span)?;
                Some(Pat::Sound(values.fmap(move |&x| {
                    let mut sound = pattern::Sound::new(Value::word(""));
                    sound.set(control, x);
                    sound
                })))
            }
            // `slow 4 $ n "c4 e4"` with nothing piped into it: Tidal's reading, the transform
            // applied to the control pattern.
            Val::Then { first, then } if then.0.is_control_call() => {
                let (controls, controls_span) = *then;
                let t = self.transform(*first, span.clone())?;
                let p = self.pattern(controls, controls_span)?;
                self.pattern_result(t(p), span.clone())
                    .and_then(|v| self.pattern(v, span))
            }
            Val::Partial { f, args } => {
                self.error(
                    span,
                    format!(
                        "`{}` is missing arguments: {}",
                        f.name,
                        param_names(&f.params[args.len()..])
                    ),
                );
                None
            }
            other => {
                self.error(
                    span,
                    format!(
                        "expected a pattern (such as `s \"bd sn\"` or \"1 2\"), found {}",
                        other.describe()
                    ),
                );
                None
            }
        }
    }

    /// A value as a pattern of values.
    pub(super) fn values(
        &mut self,
        v: Val<'r>,
        span: Range<usize>,
        wanted: &str,
    ) -> Option<Pattern<Value>> {
        if let Val::Sounds { .. } = v {
            self.error(span, format!("expected {wanted}, found a sound pattern"));
            return None;
        }
        match self.pattern(v, span.clone())? {
            Pat::Value(p) => Some(p),
            Pat::Sound(_) => {
                self.error(
                    span,
                    format!("expected {wanted}, found a pattern of controls"),
                );
                None
            }
        }
    }

    pub(super) fn pattern_result(
        &mut self,
        r: Result<Pat, String>,
        span: Range<usize>,
    ) -> Eval<'r> {
        match r {
            Ok(p) => Some(Val::from_pat(p)),
            Err(message) => {
                self.error(span, message);
                None
            }
        }
    }

    /// A value as a pattern function.
    pub(super) fn transform(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Transform> {
        match v {
            Val::Transform(t) => Some(t),
            Val::Partial { f, args }
                if f.role == Role::Transform && args.len() + 1 == f.params.len() =>
            {
                let (run, name, params) = (f.pattern?, f.name, f.params);
                Some(Rc::new(move |p| {
                    let mut all = args.clone();
                    all.push(Arg::Pattern(p));
                    run(&mut Args::new(name, params, all))
                }))
            }
            Val::Partial { f, args } if f.role == Role::Transform => {
                let wanted = f.params.len() - 1;
                self.error(
                    span,
                    format!(
                        "`{}` takes {wanted} argument{} before its pattern ({}), found {}",
                        f.name,
                        if wanted == 1 { "" } else { "s" },
                        param_names(&f.params[..wanted]),
                        args.len()
                    ),
                );
                None
            }
            other => {
                self.error(
                    span,
                    format!(
                        "expected a pattern function (such as `rev` or `(fast 2)`), found {}",
                        other.describe()
                    ),
                );
                None
            }
        }
    }

    /// An argument of a pattern function, compiled for its parameter.
    fn argument(
        &mut self,
        f: &Function,
        param: &ParamSpec,
        v: Val<'r>,
        span: Range<usize>,
    ) -> Option<Arg> {
        let signal_name =
            matches!(&v, Val::Call { f, args } if args.is_empty() && f.pattern.is_some());
        let takes_function = matches!(param.kind, ParamKind::Transform | ParamKind::Curried);
        let control_pattern = param.kind == ParamKind::Pattern && v.is_control_call();
        if v.is_function() && !signal_name && !takes_function && !control_pattern {
            return self.wrong_argument(f, param, wanted(param.kind), &v, span);
        }
        match (param.kind, v) {
            (ParamKind::Number, Val::Num(x)) => Some(Arg::Number(x)),
            (ParamKind::Number, v) => self.wrong_argument(f, param, "a constant number", &v, span),
            (
                ParamKind::Time | ParamKind::Count | ParamKind::Numbers | ParamKind::Bools,
                Val::Num(x),
            ) => Some(Arg::Number(x)),
            (ParamKind::Time, v) => self.times(v, span).map(Arg::Time),
            (ParamKind::Count, v) => self
                .values_at(
                    v,
                    span,
                    ValueType::Int,
                    "a whole number or a pattern of them",
                )
                .map(Arg::Values),
            (ParamKind::Numbers, v) => self
                .values_at(
                    v,
                    span,
                    ValueType::Double,
                    "a number or a pattern of numbers",
                )
                .map(Arg::Values),
            (ParamKind::Bools, v) => self.bools(v, span).map(Arg::Bools),
            (ParamKind::Words, v) => self
                .values_at(v, span, ValueType::Untyped, "a word or a pattern of words")
                .map(Arg::Values),
            (ParamKind::Transform, v) => self.transform(v, span).map(Arg::Function),
            (ParamKind::Pattern, v) => self.pattern(v, span).map(Arg::Pattern),
            (ParamKind::Curried, Val::Partial { f: g, args })
                if g.role == Role::Transform && args.len() + 2 == g.params.len() =>
            {
                curried(g, args)
            }
            (ParamKind::Curried, v) => self.wrong_argument(
                f,
                param,
                "a function missing one argument before its pattern, such as `fast`",
                &v,
                span,
            ),
            (ParamKind::Text, Val::Str { text, .. }) => Some(Arg::Text(text.to_string())),
            (ParamKind::Text, v) => self.wrong_argument(f, param, "a string", &v, span),
            (
                ParamKind::Input
                | ParamKind::Signal
                | ParamKind::Sounds
                | ParamKind::Levels
                | ParamKind::Triggers
                | ParamKind::Notes,
                v,
            ) => self.wrong_argument(f, param, "a signal", &v, span),
            (_, v) => self.list_argument(f, param, v, span),
        }
    }

    /// An argument written as a list or a tuple: patterns, functions, rows, tuples, steps, a
    /// span.
    fn list_argument(
        &mut self,
        f: &Function,
        param: &ParamSpec,
        v: Val<'r>,
        span: Range<usize>,
    ) -> Option<Arg> {
        let wanted = match (param.kind, v) {
            (ParamKind::Patterns, Val::List(items)) => {
                // Every item is compiled, so errors in all of them are reported.
                let patterns: Vec<Option<Pat>> = items
                    .into_iter()
                    .map(|(v, span)| self.pattern(v, span))
                    .collect();
                return patterns
                    .into_iter()
                    .collect::<Option<_>>()
                    .map(Arg::Patterns);
            }
            (ParamKind::Transforms, Val::List(items)) => {
                let functions: Vec<Option<Transform>> = items
                    .into_iter()
                    .map(|(v, span)| self.transform(v, span))
                    .collect();
                return functions
                    .into_iter()
                    .collect::<Option<_>>()
                    .map(Arg::Functions);
            }
            (ParamKind::Rows, Val::List(rows)) => match number_rows(&rows) {
                Some(rows) => return Some(Arg::Rows(rows)),
                None => (ROWS, Val::List(rows)),
            },
            (ParamKind::Tuples, Val::List(items)) => return self.tuples(f, items),
            (ParamKind::Steps, Val::List(items)) => {
                return self.steps(f, param, items, span, false)
            }
            (ParamKind::Weighted, Val::List(items)) => {
                return self.steps(f, param, items, span, true)
            }
            (ParamKind::Span, Val::Tuple(pair)) => match pair.as_slice() {
                [(Val::Num(begin), _), (Val::Num(end), _)] => {
                    return Some(Arg::Span(Time::from_f64(*begin), Time::from_f64(*end)))
                }
                _ => ("two numbers such as (0.25, 0.75)", Val::Tuple(pair)),
            },
            (ParamKind::Patterns, v) => ("a list of patterns such as [\"a\", \"b\"]", v),
            (ParamKind::Transforms, v) => ("a list of functions such as [rev, fast 2]", v),
            (ParamKind::Rows, v) => (ROWS, v),
            (ParamKind::Tuples, v) => ("a list of tuples such as [(\"a\", 1)]", v),
            (ParamKind::Steps, v) => ("a list such as [(1, \"a\"), (0.5, \"b\")]", v),
            (ParamKind::Weighted, v) => ("a list such as [(\"a\", 3), (\"b\", 1)]", v),
            (kind, v) => (wanted(kind), v),
        };
        self.wrong_argument(f, param, wanted.0, &wanted.1, span)
    }

    /// Reports an argument of the wrong kind for `param`.
    fn wrong_argument(
        &mut self,
        f: &Function,
        param: &ParamSpec,
        wanted: &str,
        v: &Val<'_>,
        span: Range<usize>,
    ) -> Option<Arg> {
        self.error(
            span,
            format!(
                "`{}` needs {wanted} for `{}`, found {}",
                f.name,
                param.name,
                v.describe()
            ),
        );
        None
    }

    /// A list of tuples (`[("a", 1), ("b", 2)]`), each part a pattern.
    fn tuples(&mut self, f: &Function, items: Vec<(Val<'r>, Range<usize>)>) -> Option<Arg> {
        let mut tuples = Vec::with_capacity(items.len());
        for (item, item_span) in items {
            let Val::Tuple(parts) = item else {
                self.error(
                    item_span,
                    format!(
                        "`{}` needs a list of tuples such as (\"a\", 1), found {}",
                        f.name,
                        item.describe()
                    ),
                );
                return None;
            };
            let mut tuple = Vec::with_capacity(parts.len());
            for (part, part_span) in parts {
                let text = match &part {
                    Val::Str { text, .. } => Some(text.to_string()),
                    _ => None,
                };
                let pattern = self.pattern(part, part_span)?;
                tuple.push(crate::values::TupleItem { pattern, text });
            }
            tuples.push(tuple);
        }
        Some(Arg::Tuples(tuples))
    }

    /// `timecat`'s steps: a list of (weight, pattern) pairs; with `weight_last`, (pattern,
    /// weight) pairs as Tidal's `wrandcat` takes them.
    fn steps(
        &mut self,
        f: &Function,
        param: &ParamSpec,
        items: Vec<(Val<'r>, Range<usize>)>,
        span: Range<usize>,
        weight_last: bool,
    ) -> Option<Arg> {
        let mut steps = Vec::with_capacity(items.len());
        let order = if weight_last {
            "(pattern, weight)"
        } else {
            "(weight, pattern)"
        };
        for (item, item_span) in items {
            match item {
                Val::Tuple(pair) if pair.len() == 2 => {
                    let mut pair = pair.into_iter();
                    let (first, second) = (pair.next()?, pair.next()?);
                    let (weight, pattern) = if weight_last {
                        (second, first)
                    } else {
                        (first, second)
                    };
                    let Val::Num(w) = weight.0 else {
                        self.error(
                            span,
                            format!(
                                "`{}` needs a number as each step's weight for `{}`, found {}",
                                f.name,
                                param.name,
                                weight.0.describe()
                            ),
                        );
                        return None;
                    };
                    let p = self.pattern(pattern.0, pattern.1)?;
                    steps.push((Time::from_f64(w), p));
                }
                other => {
                    self.error(
                        item_span,
                        format!(
                            "`{}` needs {order} pairs, found {}",
                            f.name,
                            other.describe()
                        ),
                    );
                    return None;
                }
            }
        }
        Some(Arg::Steps(steps))
    }

    /// Checks an argument of a node function against its parameter before taking it.
    fn fits(
        &mut self,
        f: &Function,
        param: &ParamSpec,
        arg: &Val<'_>,
        span: &Range<usize>,
    ) -> bool {
        let (fits, wanted) = match param.kind {
            ParamKind::Number => (matches!(arg, Val::Num(_)), "a number"),
            ParamKind::Sounds => (
                matches!(arg, Val::Str { .. } | Val::Values(_)),
                "a string of sound names",
            ),
            _ => (
                !matches!(arg, Val::Transform(_) | Val::Partial { .. }),
                "a number, pattern or signal",
            ),
        };
        if !fits {
            self.error(
                span.clone(),
                format!(
                    "`{}` needs {wanted} for `{}`, found {}",
                    f.name,
                    param.name,
                    arg.describe()
                ),
            );
        }
        fits
    }

    pub(super) fn apply(
        &mut self,
        f: Val<'r>,
        arg: Val<'r>,
        arg_span: Range<usize>,
        span: Range<usize>,
    ) -> Eval<'r> {
        if matches!(arg, Val::Named { .. }) {
            return self.apply_named(f, arg, arg_span);
        }
        match f {
            Val::Then { first, then } => {
                let played = self.apply(*first, arg, arg_span.clone(), span)?;
                let (then, then_span) = *then;
                self.chain(played, then, arg_span, then_span)
            }
            Val::Partial { f, args } => {
                self.apply_to_pattern_function(f, args, arg, arg_span, span)
            }
            Val::Call { f, args } => self.apply_to_call(f, args, arg, arg_span),
            Val::Transform(t) => {
                let p = self.pattern(arg, arg_span)?;
                self.pattern_result(t(p), span)
            }
            other => {
                self.error(
                    span,
                    format!(
                        "{} is not a function, so it cannot take arguments",
                        other.describe()
                    ),
                );
                None
            }
        }
    }

    /// `lpf 1000 :q 0.8`: an argument by its parameter's name, which only node functions take.
    fn apply_named(&mut self, f: Val<'r>, arg: Val<'r>, arg_span: Range<usize>) -> Eval<'r> {
        let Val::Named { name, .. } = &arg else {
            return None;
        };
        let Val::Call { f, mut args } = f else {
            self.error(
                arg_span,
                format!(
                    "`:{name}` names a parameter, which only node functions (filters, effects, oscillators) take by name, as in `lpf 1000 :q 0.8`; {} takes its arguments in order",
                    f.describe()
                ),
            );
            return None;
        };
        if !f.settings().any(|p| p.name == name) {
            self.error(
                arg_span,
                format!(
                    "`{}` has no parameter `{name}`; it has {}",
                    f.name,
                    f.settings()
                        .map(|p| format!("`{}`", p.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return None;
        }
        args.push((arg, arg_span));
        Some(Val::Call { f, args })
    }

    /// The next argument of a pattern function; with the last one, its pattern.
    fn apply_to_pattern_function(
        &mut self,
        f: &'r Function,
        mut args: Vec<Arg>,
        arg: Val<'r>,
        arg_span: Range<usize>,
        span: Range<usize>,
    ) -> Eval<'r> {
        let Some(param) = f.params.get(args.len()) else {
            self.error(
                arg_span,
                format!(
                    "too many arguments: `{}` takes {} ({})",
                    f.name,
                    f.params.len(),
                    param_names(f.params)
                ),
            );
            return None;
        };
        args.push(self.argument(f, param, arg, arg_span)?);
        if args.len() < f.params.len() {
            return Some(Val::Partial { f, args });
        }
        let run = f.pattern?;
        let result = run(&mut Args::new(f.name, f.params, args));
        self.pattern_result(result, span)
    }

    /// The next argument of a node, control or sound function; `s "bd sn"` becomes its
    /// pattern of sounds.
    fn apply_to_call(
        &mut self,
        f: &'r Function,
        mut args: Vec<(Val<'r>, Range<usize>)>,
        arg: Val<'r>,
        arg_span: Range<usize>,
    ) -> Eval<'r> {
        let arity = match f.role {
            Role::Control => 1,
            _ => f.params.len(),
        };
        if args.len() >= arity {
            self.error(
                arg_span,
                format!(
                    "too many arguments: `{}` takes {arity} ({})",
                    f.name,
                    param_names(f.params)
                ),
            );
            return None;
        }
        let arg = match arg {
            // `sine (n "c4 e4 g4")`: notes as a node's argument are their frequencies.
            Val::Call {
                f: g,
                args: mut given,
            } if matches!(f.role, Role::Source | Role::Processor)
                && matches!(g.control, Some(Control::N | Control::Note))
                && given.len() == 1 =>
            {
                let (notes, at) = given.pop()?;
                let notes = self.control_values(Control::Note, notes, at)?;
                Val::Values(notes.fmap(|&x| Value::Num(note_frequency(x))))
            }
            arg => arg,
        };
        if let Some(param) = f.params.get(args.len()) {
            if !self.fits(f, param, &arg, &arg_span) {
                return None;
            }
        }
        args.push((arg, arg_span));
        if args.len() < arity {
            return Some(Val::Call { f, args });
        }
        match (f.role, args.pop()) {
            (Role::Sound, Some((Val::Str { text, at }, _))) => self
                .sounds(&text, at)
                .map(|pattern| Val::Sounds { pattern, bus: None }),
            // Names made by a pattern function: `s (step "bd" "x-x-")`, `s (fit 1 […] "0 1")`.
            (Role::Sound, Some((Val::Values(names), _))) => Some(Val::Sounds {
                pattern: pattern::sound(&names),
                bus: None,
            }),
            (_, last) => {
                args.extend(last);
                Some(Val::Call { f, args })
            }
        }
    }

    /// Sets `control` of the sampler `sampler` from an audio signal, read at each onset.
    fn control_signal(
        &mut self,
        sampler: Signal,
        control: Control,
        value: Val<'r>,
        span: Range<usize>,
    ) -> Eval<'r> {
        let input = self.signal_input(value, span)?;
        let mut inputs = sampler.inputs.clone();
        // The sampler reads control k from input k; unset ones are NaN, which it ignores.
        let ports = dsp::Kind::Sampler(pattern::silence()).ports();
        while inputs.len() <= control.index() {
            inputs.push((ports[inputs.len()], SignalInput::Const(f64::NAN)));
        }
        inputs[control.index()] = (ports[control.index()], input);
        // The sampler with this input in its place: the same node, made when it was.
        Some(Val::Signal(Signal::new(SignalNode {
            kind: sampler.kind.clone(),
            inputs,
            channels: sampler.channels,
            identity: sampler.identity.clone(),
            made: sampler.made,
        })))
    }

    /// Notes given after `#`: Phonon's `saw # note "c2'maj"` and `n "0 2 4" # scale "minor"`.
    /// `None` when `left # right` is neither.
    fn notes_chain(
        &mut self,
        left: &Val<'r>,
        right: &Val<'r>,
        left_span: &Range<usize>,
        right_span: &Range<usize>,
    ) -> Option<Eval<'r>> {
        // Phonon's `saw # note "c2'maj"`: an oscillator or instrument without its notes takes
        // them from a note pattern after it, as `"c2'maj" # saw` does.
        if let (
            Val::Call {
                f: osc,
                args: osc_args,
            },
            Val::Call {
                f: g,
                args: note_args,
            },
        ) = (left, right)
        {
            let plays_notes = matches!(&osc.node, Some(k) if k.wave().is_some() || matches!(k, dsp::Kind::Voices { .. }));
            if osc_args.is_empty()
                && plays_notes
                && matches!(g.control, Some(Control::Note | Control::N))
                && note_args.len() == 1
            {
                let (notes, notes_span) = note_args[0].clone();
                let osc = *osc;
                let values = self.control_values(Control::Note, notes, notes_span.clone());
                let Some(values) = values else {
                    return Some(None);
                };
                let notes = Val::Values(values.fmap(|&x| pattern::Value::Num(x)));
                return Some(self.notes_into(osc, notes, notes_span));
            }
        }
        if let (Val::Call { f: g, args: notes }, Val::Partial { f: m, .. }) = (left, right) {
            if matches!(g.control, Some(Control::N | Control::Note))
                && notes.len() == 1
                && matches!(m.name, "scale" | "chord")
                && right.wants_pattern()
            {
                // The original Phonon's `n "0 2 4" # scale "minor"`: the notes through the
                // modifier, a pattern of note numbers.
                let (notes, at) = notes[0].clone();
                let Some(notes) = self.control_values(Control::Note, notes, at.clone()) else {
                    return Some(None);
                };
                let notes = Val::Values(notes.fmap(|&x| Value::Num(x)));
                return Some(self.apply(right.clone(), notes, at, left_span.start..right_span.end));
            }
        }
        None
    }

    /// `left # right`: set a control of a sound pattern, feed `left` into a processor, or (on
    /// patterns of values) take the right side's values on the left's structure, as Tidal's `#`.
    pub(super) fn chain(
        &mut self,
        left: Val<'r>,
        right: Val<'r>,
        left_span: Range<usize>,
        right_span: Range<usize>,
    ) -> Eval<'r> {
        if let Some(v) = self.notes_chain(&left, &right, &left_span, &right_span) {
            return v;
        }
        if left.is_control_call()
            && (matches!(right, Val::Sounds { .. })
                || matches!(&right, Val::Call { f, .. } if f.control.is_some()))
        {
            // `n "c4 e4" # gain "0.8 1"`: more controls set on a control pattern.
            let Pat::Sound(pattern) = self.pattern(left, left_span.clone())? else {
                return None;
            };
            let left = Val::Sounds { pattern, bus: None };
            return self.chain(left, right, left_span, right_span);
        }
        if left.wants_pattern() && matches!(right, Val::Call { .. }) {
            // `p $ fast 2 # lpf 800 0.5`: the transform first, then the chain, once the pipe
            // gives the pattern.
            return Some(Val::Then {
                first: Box::new(left),
                then: Box::new((right, right_span)),
            });
        }
        if let (
            Val::Sounds {
                pattern: sounds, ..
            },
            Val::Sounds {
                pattern: controls, ..
            },
        ) = (&left, &right)
        {
            // A control pattern on the right (`# grain 0.2 0.1`, `# (n 1)`): its controls, and
            // its sound where it names one, on the left's structure, as Tidal's `#`.
            return Some(Val::Sounds {
                pattern: sounds.merged(controls),
                bus: None,
            });
        }
        let Val::Call { f, args } = right else {
            if matches!(right, Val::Transform(_)) {
                self.error(
                    right_span,
                    format!("expected a function after `#`, found {}", right.describe()),
                );
                return None;
            }
            return self.operate(Structure::Left, Op::Set, left, right, left_span, right_span);
        };
        // A processor that is also a control (`delay`, `gain`) sets the control when given one
        // value, as in Tidal, and processes the sound with more (`# delay 0.3 0.5`).
        let sets_control = f.node.is_none()
            || match &args[..] {
                [] => true,
                [(v, _)] => !matches!(v, Val::Named { .. }),
                _ => false,
            };
        if let (Val::Sounds { pattern, .. }, Some(control), true) = (&left, f.control, sets_control)
        {
            let pattern = pattern.clone();
            return self.control_on_sounds(pattern, f, control, args, left_span, right_span);
        }
        if let (Val::Signal(signal), Some(control)) = (&left, f.control) {
            if let Some(v) = self.signal_control_on_sampler(signal, control, &args) {
                return v;
            }
        }
        if args.is_empty()
            && matches!(left, Val::Values(_) | Val::Str { .. })
            && matches!(&f.node, Some(k) if k.wave().is_some() || matches!(k, dsp::Kind::Voices { .. }))
        {
            return self.notes_into(f, left, left_span);
        }
        if let (Val::Sounds { pattern, .. }, "ar" | "adsr") = (&left, f.name) {
            let pattern = pattern.clone();
            return self.envelope_on_sounds(pattern, f, args);
        }
        self.chain_into(f, left, left_span, args, right_span)
    }

    /// `s "bd*4" # gain 0.8`: a control set on each event of a sound pattern.
    fn control_on_sounds(
        &mut self,
        pattern: pattern::Pattern<pattern::Sound>,
        f: &'r Function,
        control: Control,
        args: Vec<(Val<'r>, Range<usize>)>,
        left_span: Range<usize>,
        right_span: Range<usize>,
    ) -> Eval<'r> {
        let Some((value, value_span)) = args.into_iter().next() else {
            self.error(
                right_span,
                format!("`{}` needs a value: `# {} 0.8`", f.name, f.name),
            );
            return None;
        };
        if value.is_signal() {
            // An audio-rate control (`# speed (~lfo * 2 + 1)`): each event takes the signal's
            // value at its onset, so the pattern is played here, by a sampler of its own (not
            // the one a bus holding the pattern shares).
            let own = Val::Sounds { pattern, bus: None };
            let sampler = self.materialise(own, left_span)?;
            return self.control_signal(sampler, control, value, value_span);
        }
        let values = self.control_values(control, value, value_span)?;
        Some(Val::Sounds {
            pattern: pattern.with_control(control, &values),
            bus: None,
        })
    }

    /// An audio-rate control after a sampler's signal (`~drums # gain ~lfo`), on a copy of the
    /// sampler; `None` when that is not what `args` asks.
    fn signal_control_on_sampler(
        &mut self,
        sampler: &SignalNode,
        control: Control,
        args: &[(Val<'r>, Range<usize>)],
    ) -> Option<Eval<'r>> {
        if !matches!(sampler.kind, SignalKind::Dsp(dsp::Kind::Sampler(_))) {
            return None;
        }
        let (value, value_span) = args.first().cloned()?;
        if !value.is_signal() {
            return None;
        }
        // A copy: the sampler may be a bus's, read elsewhere without this.
        let copy = self.make_signal(
            sampler.kind.clone(),
            sampler.inputs.clone(),
            sampler.channels,
        );
        Some(self.control_signal(copy, control, value, value_span))
    }

    /// `"0 3 7" # saw`: note numbers (0 is c5, as Tidal's `note`) played on an oscillator or
    /// an instrument, a voice per event.
    fn notes_into(&mut self, f: &'r Function, left: Val<'r>, left_span: Range<usize>) -> Eval<'r> {
        let Pat::Value(notes) = self.pattern(left, left_span.clone())? else {
            return None;
        };
        let hz = notes.fmap(|v| {
            let n = v.as_f64().unwrap_or(0.0);
            440.0 * 2f64.powf((n - 9.0) / 12.0)
        });
        match f.node.as_ref().and_then(dsp::Kind::wave) {
            Some(wave) => Some(Val::Signal(self.osc_voices(wave, hz))),
            None => Some(Val::Call {
                f,
                args: vec![(Val::Values(hz.fmap(|&x| pattern::Value::Num(x))), left_span)],
            }),
        }
    }

    /// As in Phonon: an envelope after a sound pattern shapes each sound through SuperDirt's
    /// envelope controls (`attack`, the decay as `hold`, `release`), and the pattern stays a
    /// pattern (so `stut` and `jux` still apply); the sustain level has no counterpart.
    fn envelope_on_sounds(
        &mut self,
        mut pattern: pattern::Pattern<pattern::Sound>,
        f: &'r Function,
        args: Vec<(Val<'r>, Range<usize>)>,
    ) -> Eval<'r> {
        let (named, positional): (Vec<_>, Vec<_>) = args
            .into_iter()
            .partition(|(v, _)| matches!(v, Val::Named { .. }));
        let params = f.params.iter().filter(|p| p.kind != ParamKind::Input);
        let mut given: Vec<(&str, (Val<'r>, Range<usize>))> =
            params.clone().map(|p| p.name).zip(positional).collect();
        for (v, span) in named {
            if let Val::Named { name, value } = v {
                match params.clone().find(|p| p.name == name) {
                    Some(p) => given.push((p.name, (*value, span))),
                    None => {
                        self.error(span, format!("`{}` has no parameter `{name}`", f.name));
                        return None;
                    }
                }
            }
        }
        for (name, (value, value_span)) in given {
            let control = match name {
                "attack" => Control::Attack,
                // The sound holds through the decay, then its gate closes.
                "decay" => Control::Hold,
                "release" => Control::Release,
                _ => continue,
            };
            let values = self.control_values(control, value, value_span)?;
            pattern = pattern.with_control(control, &values);
        }
        Some(Val::Sounds { pattern, bus: None })
    }

    /// `left # f args`: a processor given `left` as its input; anything else after `#` is an
    /// error that says why.
    fn chain_into(
        &mut self,
        f: &'r Function,
        left: Val<'r>,
        left_span: Range<usize>,
        args: Vec<(Val<'r>, Range<usize>)>,
        right_span: Range<usize>,
    ) -> Eval<'r> {
        match f.role {
            Role::Processor => self.processor(f, Some((left, left_span)), args, right_span),
            Role::Control => {
                self.error(
                    left_span,
                    format!(
                        "`{}` sets a control of a sound pattern, but the left side of `#` is {}",
                        f.name,
                        left.describe()
                    ),
                );
                None
            }
            _ => {
                self.error(
                    right_span,
                    format!(
                        "`{}` cannot follow `#`: it does not process an input",
                        f.name
                    ),
                );
                None
            }
        }
    }

    fn control_values(
        &mut self,
        control: Control,
        v: Val<'r>,
        span: Range<usize>,
    ) -> Option<Pattern<f64>> {
        let kind = match control {
            // Tidal's `n` and `note` are both `Pattern Note`: `e` is a note, not an eighth.
            Control::Note | Control::N => ValueType::Note,
            // Vowels and units are letters (`# vowel "a e"`, `# unit "c"`) or numbers.
            Control::Vowel | Control::Unit | Control::Midicmd => ValueType::Untyped,
            _ => ValueType::Double,
        };
        let p = self.values_at(v, span, kind, "a number or a pattern string")?;
        Some(p.fmap(move |v| {
            match (control, v) {
                (Control::Vowel, pattern::Value::Str(s)) => "aeiou"
                    .find(&**s)
                    .filter(|_| s.len() == 1)
                    .map_or(0.0, |k| k as f64 + 1.0),
                (Control::Unit, pattern::Value::Str(s)) => f64::from(u8::from(&**s == "c")),
                (Control::Midicmd, pattern::Value::Str(s)) => {
                    dsp::midi_out::midi_command(s).unwrap_or(0.0)
                }
                _ => v.as_f64().unwrap_or(0.0),
            }
        }))
    }

    /// A section waiting for its left side: `(# speed 2)`, `(* 0.5)`, `(|+ 3)`.
    pub(super) fn section(&mut self, op: BinOp, v: Val<'r>, span: Range<usize>) -> Eval<'r> {
        let (structure, value_op) = match op {
            BinOp::Chain => match v {
                Val::Call { f, args } if f.control.is_some() && args.len() == 1 => {
                    let control = f.control?;
                    let (value, value_span) = args.into_iter().next()?;
                    let values = self.control_values(control, value, value_span)?;
                    return Some(Val::Transform(Rc::new(move |p| match p {
                        Pat::Sound(p) => Ok(Pat::Sound(p.with_control(control, &values))),
                        Pat::Value(_) => {
                            Err("`#` sections with a control set sound patterns".into())
                        }
                    })));
                }
                _ => (Structure::Left, Op::Set),
            },
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                (Structure::Both, arithmetic_op(op))
            }
            BinOp::Operate(structure, value_op) => (structure, value_op),
            _ => {
                self.error(
                    span,
                    format!("`({} …)` is not a supported section", op.symbol()),
                );
                return None;
            }
        };
        let operand = self.values(v, span, "a number or a pattern")?;
        Some(Val::Transform(Rc::new(move |p| match p {
            Pat::Value(p) => Ok(Pat::Value(p.operate(structure, value_op, &operand))),
            Pat::Sound(_) => Err(
                "pattern operators work on patterns of values; set sound controls with `#`".into(),
            ),
        })))
    }

    /// A section waiting for its right side: `("e" <~)`, `(1 +)`.
    pub(super) fn left_section(&mut self, op: BinOp, v: Val<'r>, span: Range<usize>) -> Eval<'r> {
        let (structure, value_op) = match op {
            BinOp::ShiftLeft | BinOp::ShiftRight => {
                let amount = self.times(v, span)?;
                let early = op == BinOp::ShiftLeft;
                return Some(Val::Transform(Rc::new(move |p| {
                    Ok(shifted(p, &amount, early))
                })));
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                (Structure::Both, arithmetic_op(op))
            }
            BinOp::Operate(structure, value_op) => (structure, value_op),
            BinOp::Chain => (Structure::Left, Op::Set),
            _ => {
                self.error(
                    span,
                    format!("`(… {})` is not a supported section", op.symbol()),
                );
                return None;
            }
        };
        let operand = self.values(v, span, "a number or a pattern")?;
        Some(Val::Transform(Rc::new(move |p| match p {
            Pat::Value(p) => Ok(Pat::Value(operand.operate(structure, value_op, &p))),
            Pat::Sound(_) => Err(
                "pattern operators work on patterns of values; set sound controls with `#`".into(),
            ),
        })))
    }

    /// Tidal's pattern operators: `|+|`, `|+`, `+|`, `|<`…
    pub(super) fn operate(
        &mut self,
        structure: Structure,
        op: Op,
        l: Val<'r>,
        r: Val<'r>,
        ls: Range<usize>,
        rs: Range<usize>,
    ) -> Eval<'r> {
        let wanted = "a pattern of values (set sound controls with `#`)";
        let is_control = |v: &Val| v.is_control_call();
        let is_values = |v: &Val| matches!(v, Val::Num(_) | Val::Values(_) | Val::Str { .. });
        if is_control(&l) && is_values(&r) {
            // `note "c4" |+ "0 12 24"`: the numbers apply to the control's values.
            let (f, a, at) = self.control_as_values(l)?;
            let b = self.values(r, rs, wanted)?;
            return Some(Val::Call {
                f,
                args: vec![(Val::Values(a.operate(structure, op, &b)), at)],
            });
        }
        if is_values(&l) && is_control(&r) {
            let a = self.values(l, ls, wanted)?;
            let (f, b, at) = self.control_as_values(r)?;
            return Some(Val::Call {
                f,
                args: vec![(Val::Values(a.operate(structure, op, &b)), at)],
            });
        }
        let is_sounds = |v: &Val| is_control(v) || matches!(v, Val::Sounds { .. });
        if is_sounds(&l) && is_sounds(&r) {
            // `n "0 2" + n "<12 7>"`, `s "bd" # gain 1 |* gain "0.5 1"`: Tidal's control
            // patterns, combined control by control.
            let (Pat::Sound(a), Pat::Sound(b)) = (self.pattern(l, ls)?, self.pattern(r, rs)?)
            else {
                return None;
            };
            return Some(Val::Sounds {
                pattern: a.operate_sounds(structure, op, &b),
                bus: None,
            });
        }
        let a = self.values(l, ls, wanted);
        let b = self.values(r, rs, wanted);
        Some(Val::Values(a?.operate(structure, op, &b?)))
    }

    /// A control called with its values (`note "c4"`): the control, its values as numbers
    /// and where they were written.
    fn control_as_values(
        &mut self,
        v: Val<'r>,
    ) -> Option<(&'r Function, Pattern<Value>, Range<usize>)> {
        let Val::Call { f, mut args } = v else {
            return None;
        };
        let (value, at) = args.pop()?;
        let numbers = self.control_values(f.control?, value, at.clone())?;
        Some((f, numbers.fmap(|&x| Value::Num(x)), at))
    }

    /// `+ - * /`: folded on constants, Tidal's `|+|` on patterns, arithmetic nodes on signals.
    pub(super) fn arithmetic(
        &mut self,
        op: BinOp,
        l: Val<'r>,
        r: Val<'r>,
        ls: Range<usize>,
        rs: Range<usize>,
    ) -> Eval<'r> {
        let value_op = arithmetic_op(op);
        if let (Val::Num(a), Val::Num(b)) = (&l, &r) {
            return Some(Val::Num(value_op.numbers(*a, *b)));
        }
        let pattern_like = |v: &Val| matches!(v, Val::Num(_) | Val::Values(_) | Val::Str { .. });
        let control = |v: &Val| v.is_control_call();
        // A control's values in arithmetic (`note "c3'maj" + "0 3 7"`) are a pattern's, but a
        // sound pattern times a number stays its audio, scaled.
        if (pattern_like(&l) || control(&l)) && (pattern_like(&r) || control(&r)) {
            return self.operate(Structure::Both, value_op, l, r, ls, rs);
        }
        let a = self.signal_input(l, ls)?;
        let b = self.signal_input(r, rs)?;
        let math = match op {
            BinOp::Add => MathOp::Add,
            BinOp::Sub => MathOp::Sub,
            BinOp::Mul => MathOp::Mul,
            _ => MathOp::Div,
        };
        let channels = a.channels().max(b.channels());
        Some(Val::Signal(self.add_node(
            dsp::Kind::Math(math),
            vec![("a", a), ("b", b)],
            channels,
        )))
    }

    pub(super) fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(span, message));
    }
}

/// What a parameter of `kind` wants, for the error when a function is given instead.
fn wanted(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Time => "a number or pattern of cycles",
        ParamKind::Count | ParamKind::Number => "a number",
        ParamKind::Numbers => "a number or pattern of numbers",
        ParamKind::Bools => "a pattern of booleans",
        ParamKind::Words => "a word or a pattern of words",
        ParamKind::Patterns | ParamKind::Steps | ParamKind::Weighted => "a list",
        ParamKind::Span => "two numbers such as (0.25, 0.75)",
        _ => "a pattern",
    }
}
