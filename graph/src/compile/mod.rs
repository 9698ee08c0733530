//! Compiles a parsed patch into the graph IR: resolves names through the registry, checks
//! arguments, folds constants, turns patterns into sampler and control nodes, computes each bus
//! once, and keeps only what reaches an output.
//!
//! The passes run in order, each its own type: lex and parse (`crate::lexer::Lexer`,
//! `crate::parser::Parser`), rewrite the original Phonon's older spellings into one form
//! (`spellings::OlderSpellings`), evaluate to values and signals (the `Evaluator` here), and
//! lower the signals that reach an output to numbered nodes (`lower::Lowering`). The driver and
//! the expression walker are here; the rest of evaluation is split by concern: `value` (what an
//! expression is while compiling), `signal` (what plays as audio), `strings` (reading strings at
//! a type), `apply` (applying functions, operators and sections, with argument checking),
//! `buses`, and `materialise` (values as signals).

mod apply;
pub mod buses;
mod lower;
mod materialise;
mod signal;
mod spellings;
mod strings;
mod value;

use crate::ast::{BinOp, Expr, ExprKind, Head, Statement};
use crate::diagnostic::{closest, quoted, Diagnostic, Source};
use crate::ir::{Graph, MidiPart};
use crate::registry::{Registry, Role};
use crate::values::{Args, Pat};
use lower::{Evaluated, Lowering};
use pattern::mini::ValueType;
use signal::{Signal, SignalInput};
use std::collections::HashMap;
use std::rc::Rc;
use value::Val;

/// The result of compiling a patch: a graph if there were no errors, and every diagnostic.
pub struct Compilation {
    /// The graph, when the patch has no errors.
    pub graph: Option<Graph>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The sound names the patch plays (`s "bd:3 sn"` plays `bd` and `sn`), in order of use: the
    /// samples to load.
    pub sounds: Vec<String>,
}

impl Compilation {
    /// True if any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Lexes, parses and compiles a patch.
pub fn compile(source: &Source, registry: &Registry) -> Compilation {
    compile_checking_sounds(source, registry, None)
}

/// Like [`compile`], and warns about sound names that `known_sounds` (the sample bank's names)
/// does not hold: their events would be silent.
pub fn compile_with_sounds(
    source: &Source,
    registry: &Registry,
    known_sounds: &[&str],
) -> Compilation {
    compile_checking_sounds(
        source,
        registry,
        Some(known_sounds.iter().map(|s| s.to_string()).collect()),
    )
}

fn compile_checking_sounds(
    source: &Source,
    registry: &Registry,
    known_sounds: Option<Vec<String>>,
) -> Compilation {
    // A `#` before a known function, or a near miss of one, chains; so a typo is reported rather
    // than read as a comment.
    let is_function =
        |name: &str| registry.get(name).is_some() || !closest(name, registry.names()).is_empty();
    let (tokens, mut diagnostics) = crate::lexer::lex(&source.text, &is_function);
    let (mut statements, parse_errors) = crate::parser::parse(&tokens);
    diagnostics.extend(parse_errors);
    spellings::OlderSpellings::new(registry).statements(&mut statements);
    let mut evaluator = Evaluator::new(registry, &statements);
    evaluator.known_sounds = known_sounds;
    evaluator.line_starts = std::iter::once(0)
        .chain(source.text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let evaluated = evaluator.run(source.text.len());
    diagnostics.extend(evaluator.diagnostics);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Compilation {
        graph: evaluated.filter(|_| !has_errors).map(Lowering::graph),
        diagnostics,
        sounds: evaluator.sounds_used,
    }
}

/// Evaluates a pattern expression of the patch language (`every 2 (fast 2) "a b"`), as
/// `phonon query` does, through the same path patches are compiled by. Strings that no
/// parameter gives a type are read as `kind`. Errors are diagnostics into `source`.
pub fn evaluate(
    source: &Source,
    registry: &Registry,
    kind: ValueType,
) -> Result<Pat, Vec<Diagnostic>> {
    let is_function =
        |name: &str| registry.get(name).is_some() || !closest(name, registry.names()).is_empty();
    let (tokens, mut diagnostics) = crate::lexer::lex(&source.text, &is_function);
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let mut expr = crate::parser::parse_expression(&tokens).map_err(|d| vec![d])?;
    spellings::OlderSpellings::new(registry).expr(&mut expr);
    let mut evaluator = Evaluator::new(registry, &[]);
    evaluator.string_type = kind;
    evaluator.owner = "query".into();
    let result = evaluator
        .eval(&expr)
        .and_then(|v| evaluator.pattern(v, expr.span.clone()));
    diagnostics.extend(evaluator.diagnostics);
    match result {
        Some(p) if diagnostics.is_empty() => Ok(p),
        _ => Err(diagnostics),
    }
}

enum BusState<'r> {
    Pending(usize),
    /// Being evaluated; `fed_back` once it has read itself.
    InProgress {
        fed_back: bool,
    },
    Done(Option<Val<'r>>),
}

/// The evaluation pass: statements to values, and what plays as audio to signals.
struct Evaluator<'r> {
    registry: &'r Registry,
    statements: &'r [Statement],
    buses: HashMap<String, BusState<'r>>,
    /// The signal each bus that reads itself became.
    feedback_sources: HashMap<String, Signal>,
    samplers: HashMap<String, Signal>,
    /// Buses whose sampler is being built, with its bus steps: a step naming one of them again
    /// would build it for ever.
    building_samplers: Vec<String>,
    /// How many signals have been made.
    made: u32,
    diagnostics: Vec<Diagnostic>,
    owner: String,
    position: u32,
    /// The sample bank's sound names, when the caller wants unknown names reported.
    known_sounds: Option<Vec<String>>,
    /// The type a string is read at where no parameter asks for one.
    string_type: ValueType,
    /// Sound names played so far.
    sounds_used: Vec<String>,
    /// Buses being computed, one inside another.
    bus_depth: usize,
    /// A chain of buses went past `MAX_BUS_DEPTH` (reported once).
    bus_depth_exceeded: bool,
    /// Where each line of the patch starts, for messages that name another line.
    line_starts: Vec<usize>,
    /// Expressions being evaluated, one inside another (across buses).
    eval_depth: usize,
    /// `eval_depth` went past `MAX_EVAL_DEPTH` (reported once).
    eval_depth_exceeded: bool,
    /// Buses that are effects sent to with `# ~name`.
    effect_buses: std::collections::HashSet<String>,
    /// Some sound string names a bus (`s "~kick sn"`).
    bus_voices_named: bool,
}

/// How deep expression evaluation may recurse, across buses: within what a 2 MB thread stack
/// holds in a debug build.
pub const MAX_EVAL_DEPTH: usize = 256;

type Eval<'r> = Option<Val<'r>>;

impl<'r> Evaluator<'r> {
    fn new(registry: &'r Registry, statements: &'r [Statement]) -> Evaluator<'r> {
        Evaluator {
            registry,
            statements,
            buses: HashMap::new(),
            feedback_sources: HashMap::new(),
            samplers: HashMap::new(),
            building_samplers: Vec::new(),
            made: 0,
            diagnostics: Vec::new(),
            owner: String::new(),
            position: 0,
            known_sounds: None,
            string_type: ValueType::Double,
            sounds_used: Vec::new(),
            bus_depth: 0,
            bus_depth_exceeded: false,
            line_starts: Vec::new(),
            eval_depth: 0,
            eval_depth_exceeded: false,
            effect_buses: std::collections::HashSet::new(),
            bus_voices_named: false,
        }
    }

    /// The 1-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// Evaluates the patch: what lowering needs, or `None` when there were errors.
    fn run(&mut self, end_of_file: usize) -> Option<Evaluated> {
        let declared = self.declare();
        let lines = self.owner_lines();
        let mut graph_outputs = self.evaluate_outputs(&declared.outputs);
        let mut midi = self.evaluate_midi(&declared.midi);
        if declared.outputs.is_empty() && !declared.bus_order.is_empty() {
            graph_outputs.extend(self.bus_mix(&declared.bus_order, end_of_file));
        }
        self.check_unused_buses();
        if let Some(span) = &declared.hushed {
            // Everything is still checked; nothing plays.
            self.diagnostics.push(Diagnostic::warning(
                span.clone(),
                "`hush` (or `panic`): every output is silent until this line is removed",
            ));
            graph_outputs.clear();
            midi.clear();
        } else if declared.outputs.is_empty()
            && declared.bus_order.is_empty()
            && declared.midi.is_empty()
        {
            // Silence, not an error: a live set starts from an empty file, and beside
            // Tidal's orbits (`--dirt`) a patch may well have nothing of its own yet.
            self.diagnostics.push(
                Diagnostic::warning(
                    end_of_file..end_of_file,
                    "the patch has no output: it plays silence",
                )
                .with_help("add a line such as `out: s \"bd sn\"`"),
            );
        }
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        Some(Evaluated {
            outputs: graph_outputs,
            feedback_sources: std::mem::take(&mut self.feedback_sources),
            cps: declared.cps,
            lines,
            midi,
        })
    }

    /// Reads every statement's head: the buses (a later definition replaces an earlier one,
    /// with a warning), the outputs, the tempo and `hush`.
    fn declare(&mut self) -> Declared<'r> {
        let mut declared = Declared {
            cps: 0.5,
            outputs: Vec::new(),
            midi: Vec::new(),
            bus_order: Vec::new(),
            hushed: None,
        };
        for (i, s) in self.statements.iter().enumerate() {
            match &s.head {
                Head::Bus(name) => {
                    // As in Phonon, a later definition replaces an earlier one.
                    if let Some(BusState::Pending(earlier)) =
                        self.buses.insert(name.clone(), BusState::Pending(i))
                    {
                        let line = self.line_of(self.statements[earlier].head_span.start);
                        self.diagnostics.push(Diagnostic::warning(
                            s.head_span.clone(),
                            format!("bus `~{name}` is defined again: this definition replaces the one on line {line}"),
                        ));
                        declared.bus_order.retain(|n: &&str| *n != name.as_str());
                    }
                    declared.bus_order.push(name.as_str());
                }
                Head::Output(name) => {
                    let what = format!("output `{name}`");
                    self.declare_once(&mut declared.outputs, name, i, &what);
                }
                Head::Midi(name) => {
                    let what = format!("`{name}`");
                    self.declare_once(&mut declared.midi, name, i, &what);
                }
                Head::Hush => declared.hushed = Some(s.head_span.clone()),
                Head::Cps | Head::Bpm => {
                    if let Some(cps) = self.tempo(s) {
                        declared.cps = cps;
                    }
                }
            }
        }
        declared
    }

    /// Adds statement `i`, defining `name`, to `declared`; as in Phonon, a later definition
    /// replaces an earlier one, with a warning naming `what` and the earlier line.
    fn declare_once(
        &mut self,
        declared: &mut Vec<(&'r str, usize)>,
        name: &'r str,
        i: usize,
        what: &str,
    ) {
        match declared.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => {
                let line = self.line_of(self.statements[entry.1].head_span.start);
                self.diagnostics.push(Diagnostic::warning(
                    self.statements[i].head_span.clone(),
                    format!(
                        "{what} is defined again: this definition replaces the one on line {line}"
                    ),
                ));
                entry.1 = i;
            }
            None => declared.push((name, i)),
        }
    }

    /// A `tempo:`, `cps:` or `bpm:` line's cycles per second, or an error at its value.
    fn tempo(&mut self, s: &Statement) -> Option<f64> {
        let bpm = s.head == Head::Bpm;
        match self.constant(&s.expr) {
            Some(x) if x > 0.0 && x.is_finite() => Some(if bpm { x / 240.0 } else { x }),
            _ => {
                self.error(
                    s.expr.span.clone(),
                    format!(
                        "expected a positive number of {}",
                        if bpm {
                            "beats per minute"
                        } else {
                            "cycles per second"
                        }
                    ),
                );
                None
            }
        }
    }

    /// The line each owner of nodes was (last) defined on, for meters and messages.
    fn owner_lines(&self) -> std::collections::BTreeMap<String, u32> {
        let mut lines = std::collections::BTreeMap::new();
        for s in self.statements {
            let owner = match &s.head {
                Head::Bus(name) => format!("~{name}"),
                Head::Output(name) | Head::Midi(name) => name.clone(),
                Head::Cps | Head::Bpm | Head::Hush => continue,
            };
            lines.insert(owner, self.line_of(s.head_span.start) as u32);
        }
        lines
    }

    /// Each output's node, evaluated in the order they are written.
    fn evaluate_outputs(&mut self, outputs: &[(&'r str, usize)]) -> Vec<(String, Signal)> {
        let mut graph_outputs = Vec::new();
        for &(name, i) in outputs {
            self.owner = name.to_string();
            self.position = 0;
            let s = &self.statements[i];
            if let Some(v) = self.eval(&s.expr) {
                if let Some(signal) = self.materialise(v, s.expr.span.clone()) {
                    graph_outputs.push((name.to_string(), signal));
                }
            }
        }
        graph_outputs
    }

    /// Each `midi:` statement's pattern: a control pattern (`n "0 4 7" # midichan 2`), or
    /// notes alone (`"c e g"`).
    fn evaluate_midi(&mut self, statements: &[(&'r str, usize)]) -> Vec<MidiPart> {
        let mut parts = Vec::new();
        for &(name, i) in statements {
            self.owner = name.to_string();
            self.position = 0;
            let s = &self.statements[i];
            let string_type = std::mem::replace(&mut self.string_type, ValueType::Note);
            let pattern = self
                .eval(&s.expr)
                .and_then(|v| self.pattern(v, s.expr.span.clone()));
            self.string_type = string_type;
            let pattern = match pattern {
                Some(Pat::Sound(p)) => p,
                Some(Pat::Value(p)) => p.fmap(|v| {
                    let mut sound = pattern::Sound::new(pattern::Value::word(""));
                    sound.set(pattern::Control::N, v.as_f64().unwrap_or(0.0));
                    sound
                }),
                None => continue,
            };
            parts.push(MidiPart {
                name: name.to_string(),
                pattern,
            });
        }
        parts
    }

    /// Buses no output reads: still checked, then reported and left out (unless a chain too
    /// deep left the rest unread: that error says enough).
    fn check_unused_buses(&mut self) {
        let mut unused: Vec<(usize, String)> = self
            .buses
            .iter()
            .filter_map(|(name, state)| match state {
                BusState::Pending(i) => Some((*i, name.clone())),
                _ => None,
            })
            .collect();
        unused.sort();
        if self.bus_depth_exceeded || self.eval_depth_exceeded {
            unused.clear();
        }
        for (i, name) in unused {
            self.bus(&name, self.statements[i].head_span.clone());
            if self.sends_to_effect(&self.statements[i].expr) {
                // Played through the effect bus it sends to.
                continue;
            }
            self.diagnostics.push(
                Diagnostic::warning(
                    self.statements[i].head_span.clone(),
                    format!("bus `~{name}` is not used by any output, so it is not run"),
                )
                .with_help("read it from an output, as in `out: ~name`, or delete it"),
            );
        }
    }

    /// A patch of buses and no output plays the sum of its buses, as Phonon did, and says so.
    fn bus_mix(&mut self, buses: &[&'r str], end_of_file: usize) -> Option<(String, Signal)> {
        self.owner = "out".into();
        self.position = 0;
        let mut mix: Option<SignalInput> = None;
        for name in buses {
            let Some(span) = self
                .statements
                .iter()
                .rev()
                .find(|s| matches!(&s.head, Head::Bus(n) if n == name))
                .map(|s| s.head_span.clone())
            else {
                continue;
            };
            let Some(v) = self.bus(name, span.clone()) else {
                continue;
            };
            let Some(input) = self.signal_input(v, span) else {
                continue;
            };
            mix = Some(match mix {
                None => input,
                Some(sum) => SignalInput::Signal(self.sum(sum, input)),
            });
        }
        let node = match mix? {
            SignalInput::Signal(node) => node,
            SignalInput::Const(x) => self.materialise(Val::Num(x), 0..0)?,
        };
        self.diagnostics.push(
            Diagnostic::warning(
                end_of_file..end_of_file,
                format!(
                    "no `out:` line: playing the mix of the buses {}",
                    buses
                        .iter()
                        .map(|b| format!("`~{b}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_help("add `out: …` to choose what plays"),
        );
        Some(("out".into(), node))
    }

    fn constant(&mut self, e: &Expr) -> Option<f64> {
        match self.eval(e)? {
            Val::Num(x) => Some(x),
            _ => None,
        }
    }

    /// Evaluates an expression; expressions inside expressions and buses inside buses recurse,
    /// so the depth is bounded (the parser bounds one expression, this the whole).
    fn eval(&mut self, e: &Expr) -> Eval<'r> {
        if self.eval_depth >= MAX_EVAL_DEPTH {
            if !std::mem::replace(&mut self.eval_depth_exceeded, true) {
                self.diagnostics.push(
                    Diagnostic::error(
                        e.span.clone(),
                        format!(
                            "expressions and the buses they read nest more than {MAX_EVAL_DEPTH} deep here"
                        ),
                    )
                    .with_help("split the patch over fewer buses that read each other"),
                );
            }
            return None;
        }
        self.eval_depth += 1;
        let value = self.eval_expression(e);
        self.eval_depth -= 1;
        value
    }

    fn eval_expression(&mut self, e: &Expr) -> Eval<'r> {
        match &e.kind {
            ExprKind::Number(x) => Some(Val::Num(*x)),
            ExprKind::Str {
                text,
                content_start,
            } => Some(Val::Str {
                text: text.clone(),
                at: *content_start,
            }),
            ExprKind::Bus(name) => self.bus(name, e.span.clone()),
            ExprKind::Name(name) => self.eval_name(e, name),
            ExprKind::Apply(head, args) => self.eval_apply(e, head, args),
            ExprKind::Named(name, _) => {
                self.error(
                    e.span.clone(),
                    format!("`:{name}` names an argument: it follows a function, as in `lpf 1000 :q 0.8`"),
                );
                None
            }
            ExprKind::Neg(inner) => {
                let v = self.eval(inner)?;
                self.arithmetic(
                    BinOp::Mul,
                    Val::Num(-1.0),
                    v,
                    e.span.clone(),
                    inner.span.clone(),
                )
            }
            ExprKind::Binary(op, left, right) => self.eval_binary(e, *op, left, right),
            ExprKind::Section(op, operand) => {
                let v = self.eval(operand)?;
                self.section(*op, v, operand.span.clone())
            }
            ExprKind::LeftSection(op, operand) => {
                let v = self.eval(operand)?;
                self.left_section(*op, v, operand.span.clone())
            }
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                let values: Vec<_> = items
                    .iter()
                    .map(|item| (self.eval(item), item.span.clone()))
                    .collect();
                let values = values
                    .into_iter()
                    .map(|(v, span)| v.map(|v| (v, span)))
                    .collect::<Option<Vec<_>>>()?;
                Some(if matches!(e.kind, ExprKind::List(_)) {
                    Val::List(values)
                } else {
                    Val::Tuple(values)
                })
            }
        }
    }
}

impl<'r> Evaluator<'r> {
    /// A name: a pattern, a function waiting for arguments, or an unknown name reported.
    #[inline(never)]
    fn eval_name(&mut self, e: &Expr, name: &str) -> Eval<'r> {
        match self.registry.get(name) {
            Some(f) if matches!(f.role, Role::Pattern) && f.params.is_empty() => {
                let make = f.pattern?;
                let result = make(&mut Args::new(f.name, f.params, Vec::new()));
                self.pattern_result(result, e.span.clone())
            }
            Some(f) if matches!(f.role, Role::Transform | Role::Pattern) => Some(Val::Partial {
                f,
                args: Vec::new(),
            }),
            Some(f) => Some(Val::Call {
                f,
                args: Vec::new(),
            }),
            None => {
                let suggestions = closest(name, self.registry.names());
                let help = if suggestions.is_empty() {
                    "no function is called anything like it (`phonon functions` lists them all)"
                        .to_string()
                } else {
                    format!(
                        "the closest names are {} (`phonon functions` lists them all)",
                        quoted(&suggestions)
                    )
                };
                self.diagnostics.push(
                    Diagnostic::error(e.span.clone(), format!("unknown function `{name}`"))
                        .with_help(help),
                );
                None
            }
        }
    }

    /// A function applied to its arguments; out of line, so that the recursion through
    /// [`Evaluator::eval`] keeps a small frame.
    #[inline(never)]
    fn eval_apply(&mut self, e: &Expr, head: &Expr, args: &[Expr]) -> Eval<'r> {
        let f = self.eval(head);
        // Evaluate every argument, so that errors in all of them are reported.
        let args: Vec<_> = args
            .iter()
            .map(|a| match &a.kind {
                ExprKind::Named(name, value) => (
                    self.eval(value).map(|v| Val::Named {
                        name: name.clone(),
                        value: Box::new(v),
                    }),
                    a.span.clone(),
                ),
                _ => (self.eval(a), a.span.clone()),
            })
            .collect();
        self.apply_all(e, f?, args)
    }

    /// A function value given its evaluated arguments in order.
    #[inline(never)]
    fn apply_all(
        &mut self,
        e: &Expr,
        f: Val<'r>,
        args: Vec<(Option<Val<'r>>, std::ops::Range<usize>)>,
    ) -> Eval<'r> {
        let args = args
            .into_iter()
            .map(|(v, span)| v.map(|v| (v, span)))
            .collect::<Option<Vec<_>>>()?;
        if let Some(v) = self.signal_form(&f, &args) {
            return v;
        }
        let mut f = f;
        for (arg, span) in args {
            f = self.apply(f, arg, span, e.span.clone())?;
        }
        Some(f)
    }

    /// A binary operator; out of line, as [`Evaluator::eval_apply`]. A left-associative chain
    /// (`a + b + c …`, `x # f # g …`) is a left spine of binary nodes: it is walked down and
    /// folded back up in loops, so a chain of any length costs no recursion.
    #[inline(never)]
    fn eval_binary(&mut self, e: &Expr, op: BinOp, left: &Expr, right: &Expr) -> Eval<'r> {
        let mut spine = vec![(e, op, left, right)];
        let mut first = left;
        while let ExprKind::Binary(op, l, r) = &first.kind {
            spine.push((first, *op, l, r));
            first = l;
        }
        // Both sides of every operator are evaluated, so errors in all of them are reported.
        let mut value = self.eval(first);
        for &(node, op, left, right) in spine.iter().rev() {
            let r = self.eval(right);
            value = match (value, r) {
                (Some(l), Some(r)) => self.combine(node, op, l, r, left, right),
                _ => None,
            };
        }
        value
    }

    /// What a binary operator makes of its two evaluated sides.
    #[inline(never)]
    fn combine(
        &mut self,
        e: &Expr,
        op: BinOp,
        l: Val<'r>,
        r: Val<'r>,
        left: &Expr,
        right: &Expr,
    ) -> Eval<'r> {
        match op {
            BinOp::Apply => match r {
                Val::Then { first, then } if l.wants_pattern() => {
                    // `p $ fast 2 $ rev # lpf 800`: both functions, then the chain.
                    let g = self.transform(l, left.span.clone())?;
                    let h = self.transform(*first, right.span.clone())?;
                    Some(Val::Then {
                        first: Box::new(Val::Transform(Rc::new(move |p| h(g(p)?)))),
                        then,
                    })
                }
                r => {
                    if let Some(v) = self.pipe_into_voices(&l, &r, left.span.clone()) {
                        return v;
                    }
                    if l.wants_pattern() && matches!(&r, Val::Call { f, .. } if f.control.is_some())
                    {
                        // `"hh*16" $ degradeBy 0.3 $ pan 0.7`: the transform, then
                        // the control.
                        return Some(Val::Then {
                            first: Box::new(l),
                            then: Box::new((r, right.span.clone())),
                        });
                    }
                    if matches!(l, Val::Sounds { .. })
                        && matches!(&r, Val::Call { f, .. } if f.control.is_some())
                    {
                        // `s "bd*4" $ legato 0.1`: a control piped on is a control set.
                        return self.chain(l, r, left.span.clone(), right.span.clone());
                    }
                    if !l.is_function() && r.is_function() {
                        // Phonon's `pattern $ transform` form.
                        self.apply(r, l, left.span.clone(), e.span.clone())
                    } else if l.wants_pattern() && r.wants_pattern() {
                        // Phonon's pipe, `p $ fast 2 $ every 4 rev`: `$` is right-
                        // associative, so this is `fast 2 $ every 4 rev`, a function
                        // given a function where it wants a pattern: the two in order.
                        let first = self.transform(l, left.span.clone())?;
                        let then = self.transform(r, right.span.clone())?;
                        Some(Val::Transform(Rc::new(move |p| then(first(p)?))))
                    } else {
                        self.apply(l, r, right.span.clone(), e.span.clone())
                    }
                }
            },
            BinOp::Chain => match &right.kind {
                // A send to an effect bus: the sender itself, dry.
                ExprKind::Bus(name) if self.effect_buses.contains(name) => Some(l),
                _ => self.chain(l, r, left.span.clone(), right.span.clone()),
            },
            BinOp::Compose => {
                let g = self.transform(l, left.span.clone())?;
                let h = self.transform(r, right.span.clone())?;
                Some(Val::Transform(Rc::new(move |p| g(h(p)?))))
            }
            BinOp::ShiftLeft | BinOp::ShiftRight => {
                let amount = self.times(l, left.span.clone())?;
                let p = self.pattern(r, right.span.clone())?;
                Some(Val::from_pat(apply::shifted(
                    p,
                    &amount,
                    op == BinOp::ShiftLeft,
                )))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                self.arithmetic(op, l, r, left.span.clone(), right.span.clone())
            }
            BinOp::Operate(structure, o) => {
                self.operate(structure, o, l, r, left.span.clone(), right.span.clone())
            }
        }
    }

    /// True if `e` sends to an effect bus (`… # ~dub`).
    fn sends_to_effect(&self, e: &Expr) -> bool {
        self.effect_buses.iter().any(|name| {
            let mut sends = Vec::new();
            buses::sends_to(e, name, &mut sends);
            !sends.is_empty()
        })
    }

    /// Phonon's forms of pattern functions on audio signals: `range lo hi ~lfo` scales a
    /// -1..1 signal to lo..hi, and `stack [~a, ~b]` of signals is their sum. `None` when `f`
    /// and its arguments are not one of these.
    fn signal_form(
        &mut self,
        f: &Val<'r>,
        args: &[(Val<'r>, std::ops::Range<usize>)],
    ) -> Option<Eval<'r>> {
        let Val::Partial { f, args: given } = f else {
            return None;
        };
        if !given.is_empty() {
            return None;
        }
        match (f.name, args) {
            ("range", [(lo, ls), (hi, hs), (x @ Val::Signal(_), xs)]) => {
                let unit =
                    self.arithmetic(BinOp::Add, x.clone(), Val::Num(1.0), xs.clone(), xs.clone());
                let unit = unit.and_then(|u| {
                    self.arithmetic(BinOp::Mul, u, Val::Num(0.5), xs.clone(), xs.clone())
                });
                let width =
                    self.arithmetic(BinOp::Sub, hi.clone(), lo.clone(), hs.clone(), ls.clone());
                let scaled = match (unit, width) {
                    (Some(u), Some(w)) => self.arithmetic(BinOp::Mul, u, w, xs.clone(), hs.clone()),
                    _ => None,
                };
                Some(scaled.and_then(|v| {
                    self.arithmetic(BinOp::Add, v, lo.clone(), xs.clone(), ls.clone())
                }))
            }
            ("stack" | "overlay", [(Val::List(items), _)])
                if items.iter().any(|(v, _)| matches!(v, Val::Signal(_))) =>
            {
                let mut items = items.clone().into_iter();
                let (first, mut span) = items.next()?;
                let mut sum = Some(first);
                for (v, s) in items {
                    sum = sum.and_then(|acc| {
                        self.arithmetic(BinOp::Add, acc, v, span.clone(), s.clone())
                    });
                    span = s;
                }
                Some(sum)
            }
            _ => None,
        }
    }

    /// `sine "110 165 220" $ slow 8`, `pluck "220 330" $ fast 2`: the note string of an
    /// oscillator or an instrument, piped through a transform, plays the transformed notes as
    /// voices. `None` when `l` and `r` are not that.
    fn pipe_into_voices(
        &mut self,
        l: &Val<'r>,
        r: &Val<'r>,
        span: std::ops::Range<usize>,
    ) -> Option<Eval<'r>> {
        let Val::Call { f, args } = l else {
            return None;
        };
        let Some((Val::Str { text, at }, notes_span)) = args.first() else {
            return None;
        };
        let instrument = matches!(f.node, Some(dsp::Kind::Voices { .. }));
        let wave = f.node.as_ref().and_then(dsp::Kind::wave);
        if !r.wants_pattern() || !(instrument || wave.is_some() && args.len() == 1) {
            return None;
        }
        let notes = self.transformed_notes(text, *at, r, span);
        Some(notes.map(|notes| match wave {
            Some(wave) if !instrument => {
                Val::Signal(self.osc_voices(wave, notes.fmap(|v| v.as_f64().unwrap_or(0.0))))
            }
            _ => {
                let mut args = args.clone();
                args[0] = (Val::Values(notes), notes_span.clone());
                Val::Call { f, args }
            }
        }))
    }

    /// The frequencies of a note string, through the transform `r`.
    fn transformed_notes(
        &mut self,
        text: &str,
        at: usize,
        r: &Val<'r>,
        span: std::ops::Range<usize>,
    ) -> Option<pattern::Pattern<pattern::Value>> {
        let transform = self.transform(r.clone(), span.clone())?;
        let notes = self.frequencies(text, at)?;
        match transform(Pat::Value(notes.fmap(|&x| pattern::Value::Num(x)))) {
            Ok(Pat::Value(p)) => Some(p),
            _ => {
                self.error(span, "this transform does not give back a pattern of notes");
                None
            }
        }
    }
}

/// True for an envelope on a gate (`adsr`, `ar`, `env`): alone, it is a generator that opens
/// every cycle (or at its pattern's events), not an effect waiting for its input.
fn envelope_on_a_gate(node: Option<&dsp::Kind>) -> bool {
    node.is_some_and(|kind| {
        matches!(kind, dsp::Kind::Env(_))
            || kind.is(&dsp::envelopes::ADSR)
            || kind.is(&dsp::envelopes::AR)
    })
}

/// What the statements' heads declare.
struct Declared<'r> {
    cps: f64,
    /// Outputs by name, with the statement that defines each.
    outputs: Vec<(&'r str, usize)>,
    /// `midi:` statements by name, with the statement that defines each.
    midi: Vec<(&'r str, usize)>,
    /// Buses in the order they are defined.
    bus_order: Vec<&'r str>,
    /// Where a `hush` line is.
    hushed: Option<std::ops::Range<usize>>,
}
