//! Buses: each is computed once, where it is first read; a bus that reads itself reads its
//! previous block through a feedback node.

use super::signal::{SignalInput, SignalKind};
use super::value::Val;
use super::{BusState, Eval, Evaluator};
use crate::ast::{BinOp, Expr, ExprKind};
use crate::diagnostic::{closest, Diagnostic};
use crate::registry::{Function, Role};
use std::ops::Range;

/// How many buses may read each other in a row: each level is a frame of the compiler's
/// stack, so a longer chain must be an error, not a stack overflow.
pub const MAX_BUS_DEPTH: usize = 128;

impl<'r> Evaluator<'r> {
    pub(super) fn bus(&mut self, name: &str, span: Range<usize>) -> Eval<'r> {
        match self.buses.get_mut(name) {
            None => {
                self.unknown_bus(name, span);
                None
            }
            Some(BusState::Done(v)) => v.clone(),
            Some(BusState::InProgress { .. }) => Some(self.feedback_read(name)),
            Some(BusState::Pending(_)) if self.bus_depth >= MAX_BUS_DEPTH => {
                // Once is enough: the buses past this one are not checked.
                if std::mem::replace(&mut self.bus_depth_exceeded, true) {
                    return None;
                }
                self.diagnostics.push(
                    Diagnostic::error(
                        span,
                        format!(
                            "buses read each other more than {MAX_BUS_DEPTH} deep here (`~{name}` is the {}th in a row)",
                            MAX_BUS_DEPTH + 1
                        ),
                    )
                    .with_help("read fewer buses through each other, or join some into one"),
                );
                None
            }
            Some(BusState::Pending(i)) => {
                let i = *i;
                self.evaluate_bus(name, i)
            }
        }
    }

    fn unknown_bus(&mut self, name: &str, span: Range<usize>) {
        let names: Vec<String> = self.buses.keys().map(|k| format!("~{k}")).collect();
        let wanted = format!("~{name}");
        let suggestions = closest(&wanted, names.iter().map(String::as_str));
        let mut d = Diagnostic::error(span, format!("unknown bus `~{name}`"));
        if !suggestions.is_empty() {
            d = d.with_help(format!("did you mean `{}`?", suggestions[0]));
        }
        self.diagnostics.push(d);
    }

    /// A bus read while it is being evaluated reads itself: its previous block (the documented
    /// one-block delay), through a signal that lowering points at what the bus becomes.
    fn feedback_read(&mut self, name: &str) -> Val<'r> {
        let read = self.make_signal(
            SignalKind::Feedback {
                bus: name.to_string(),
            },
            Vec::new(),
            2,
        );
        if let Some(BusState::InProgress { fed_back }) = self.buses.get_mut(name) {
            *fed_back = true;
        }
        Val::Signal(read)
    }

    /// Evaluates the bus `name`, defined by statement `i`, the first time it is read.
    fn evaluate_bus(&mut self, name: &str, i: usize) -> Eval<'r> {
        self.bus_depth += 1;
        self.buses
            .insert(name.to_string(), BusState::InProgress { fed_back: false });
        let saved = (
            std::mem::replace(&mut self.owner, format!("~{name}")),
            self.position,
        );
        self.position = 0;
        let statement = &self.statements[i];
        let span = statement.expr.span.clone();
        let mut value = self.eval(&statement.expr);
        if let Some(Val::Call { f, args }) = &value {
            if self.is_effect(f, args) {
                value = self.effect_bus(name, f, args.clone(), span.clone());
            }
        }
        if let Some(BusState::InProgress { fed_back: true }) = self.buses.remove(name) {
            value = self.close_feedback(name, value, span.clone());
        }
        let value = self.bus_value(name, value, span);
        (self.owner, self.position) = saved;
        self.bus_depth -= 1;
        self.buses
            .insert(name.to_string(), BusState::Done(value.clone()));
        value
    }

    /// Records the signal the bus's value became as what its reads of itself read; a bus that
    /// is nothing but itself is an error.
    fn close_feedback(&mut self, name: &str, value: Eval<'r>, span: Range<usize>) -> Eval<'r> {
        let source = value.and_then(|v| self.materialise(v, span.clone()))?;
        if matches!(&source.kind, SignalKind::Feedback { bus } if bus == name) {
            self.diagnostics.push(
                Diagnostic::error(
                    span,
                    format!("bus `~{name}` is defined as itself, with nothing to feed it"),
                )
                .with_help(format!(
                    "a bus can read its own previous block inside a signal, e.g. `~{name}: saw 55 + ~{name} * 0.5`"
                )),
            );
            return None;
        }
        self.feedback_sources
            .insert(name.to_string(), source.clone());
        Some(Val::Signal(source))
    }

    /// What reading the bus gives: its sound pattern, marked as the bus's; one node for a
    /// signal function, however often it is read; anything else as it is.
    fn bus_value(&mut self, name: &str, value: Eval<'r>, span: Range<usize>) -> Eval<'r> {
        match value {
            Some(Val::Sounds { pattern, .. }) => Some(Val::Sounds {
                pattern,
                bus: Some(name.to_string()),
            }),
            Some(Val::Call { f, ref args })
                if f.role == Role::Source
                    || (f.role == Role::Processor
                        && (args.len() == f.params.len()
                            || args
                                .iter()
                                .find(|(v, _)| !matches!(v, Val::Named { .. }))
                                .is_some_and(|(v, _)| v.is_signal()))) =>
            {
                value
                    .and_then(|v| self.materialise(v, span))
                    .map(Val::Signal)
            }
            other => other,
        }
    }

    /// True for a processor waiting for its input (`tapedelay 0.375 0.7`): a bus holding one is
    /// an effect bus. Envelopes alone are generators, not effects.
    fn is_effect(&self, f: &Function, args: &[(Val<'r>, Range<usize>)]) -> bool {
        f.role == Role::Processor
            && args.len() < f.params.len()
            && !super::envelope_on_a_gate(f.node.as_ref())
            && !args
                .iter()
                .find(|(v, _)| !matches!(v, Val::Named { .. }))
                .is_some_and(|(v, _)| v.is_signal())
    }

    /// An effect bus (`~dub: tapedelay 0.375 0.7`) is an aux send and return: every
    /// `x # ~dub` in the patch sends `x` to it (and is `x` itself), and reading `~dub` plays
    /// the effect over the sum of what is sent, from whichever lines send it.
    fn effect_bus(
        &mut self,
        name: &str,
        f: &'r Function,
        args: Vec<(Val<'r>, Range<usize>)>,
        span: Range<usize>,
    ) -> Eval<'r> {
        let mut sends = Vec::new();
        for statement in self.statements {
            sends_to(&statement.expr, name, &mut sends);
        }
        if sends.is_empty() {
            return Some(Val::Call { f, args });
        }
        self.effect_buses.insert(name.to_string());
        let mut sum: Option<SignalInput> = None;
        for send in sends {
            let Some(v) = self.eval(send) else { continue };
            let Some(input) = self.signal_input(v, send.span.clone()) else {
                continue;
            };
            sum = Some(match sum {
                None => input,
                Some(acc) => SignalInput::Signal(self.sum(acc, input)),
            });
        }
        let input = match sum? {
            SignalInput::Signal(signal) => Val::Signal(signal),
            SignalInput::Const(x) => Val::Num(x),
        };
        self.processor(f, Some((input, span.clone())), args, span)
    }
}

/// The left sides of every `x # ~name` in `e`, in the order they are written. Walks with a
/// stack of its own: a long chain is a deep tree.
pub(super) fn sends_to<'e>(e: &'e Expr, name: &str, out: &mut Vec<&'e Expr>) {
    let mut pending = vec![e];
    while let Some(e) = pending.pop() {
        // Children go on in reverse, so they come off in the order they are written.
        match &e.kind {
            ExprKind::Binary(op, left, right) => {
                if *op == BinOp::Chain && matches!(&right.kind, ExprKind::Bus(b) if b == name) {
                    out.push(left);
                }
                pending.push(right);
                pending.push(left);
            }
            ExprKind::Apply(head, args) => {
                pending.extend(args.iter().rev());
                pending.push(head);
            }
            ExprKind::Neg(x)
            | ExprKind::Section(_, x)
            | ExprKind::LeftSection(_, x)
            | ExprKind::Named(_, x) => pending.push(x),
            ExprKind::List(items) | ExprKind::Tuple(items) => pending.extend(items.iter().rev()),
            ExprKind::Number(_) | ExprKind::Str { .. } | ExprKind::Bus(_) | ExprKind::Name(_) => {}
        }
    }
}
