//! Compiles a parsed patch into the graph IR: resolves names through the registry, checks
//! arguments, folds constants, turns patterns into sampler and control nodes, computes each bus
//! once, and keeps only what reaches an output.

use crate::ast::{BinOp, Expr, ExprKind, Head, Statement};
use crate::diagnostic::{closest, quoted, Diagnostic, Source};
use crate::ir::{Graph, Identity, Input, Node, NodeId, NodeKind, Output};
use crate::registry::{Control, Function, Param, ParamKind, Registry, Role};
use crate::transforms::{self, Arg, Pat, Transform};
use dsp::level::MathOp;
use dsp::Width;
use pattern::mini::{self, Kind, NodeKind as MiniKind};
use pattern::Sound;
use pattern::{note_number, Pattern, Time, Value};
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

/// The result of compiling a patch: a graph if there were no errors, and every diagnostic.
pub struct Compilation {
    /// The graph, when the patch has no errors.
    pub graph: Option<Graph>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
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
    let (statements, parse_errors) = crate::parser::parse(&tokens);
    diagnostics.extend(parse_errors);
    let mut compiler = Compiler::new(registry, &statements);
    compiler.known_sounds = known_sounds;
    let graph = compiler.run(source.text.len());
    diagnostics.extend(compiler.diagnostics);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Compilation {
        graph: if has_errors { None } else { graph },
        diagnostics,
    }
}

/// A value while compiling.
#[derive(Clone)]
enum Val<'r> {
    Num(f64),
    /// A string literal not yet committed to being sounds or numbers.
    Str {
        text: String,
        at: usize,
    },
    Nums(Pattern<f64>),
    Sounds {
        pattern: Pattern<Sound>,
        /// The bus holding it, so that it becomes one sampler however often it is read.
        bus: Option<String>,
    },
    Signal(NodeId),
    /// A registry function with the arguments given so far.
    Call {
        f: &'r Function,
        args: Vec<(Val<'r>, Range<usize>)>,
    },
    Transform(Transform),
}

impl Val<'_> {
    fn describe(&self) -> String {
        match self {
            Val::Num(x) => format!("the number {x}"),
            Val::Str { .. } => "a pattern string".into(),
            Val::Nums(_) => "a pattern of numbers".into(),
            Val::Sounds { .. } => "a sound pattern".into(),
            Val::Signal(_) => "an audio signal".into(),
            Val::Call { f, .. } if f.role == Role::Source => format!("the signal `{}`", f.name),
            Val::Call { f, .. } => format!("the function `{}`", f.name),
            Val::Transform(_) => "a pattern function".into(),
        }
    }

    fn is_function(&self) -> bool {
        matches!(self, Val::Call { .. } | Val::Transform(_))
    }
}

enum BusState<'r> {
    Pending(usize),
    InProgress { feedback: Vec<NodeId> },
    Done(Option<Val<'r>>),
}

struct Compiler<'r> {
    registry: &'r Registry,
    statements: &'r [Statement],
    buses: HashMap<String, BusState<'r>>,
    samplers: HashMap<String, NodeId>,
    nodes: Vec<Node>,
    diagnostics: Vec<Diagnostic>,
    owner: String,
    position: u32,
    /// The sample bank's sound names, when the caller wants unknown names reported.
    known_sounds: Option<Vec<String>>,
}

type Eval<'r> = Option<Val<'r>>;

fn mini_error(text: &str, at: usize, e: &pattern::ParseError) -> Diagnostic {
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
fn sound_names(node: &mini::Node, out: &mut Vec<(usize, String)>) {
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
fn check_frequency_atoms(node: &mini::Node) -> Result<(), (usize, String)> {
    let children: Vec<&mini::Node> = match &node.kind {
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

fn frequency(v: &Value) -> f64 {
    match v {
        Value::Str(name) => note_number(name).map_or(0.0, |n| 440.0 * 2f64.powf((n - 9.0) / 12.0)),
        other => other.as_f64().unwrap_or(0.0),
    }
}

impl<'r> Compiler<'r> {
    fn new(registry: &'r Registry, statements: &'r [Statement]) -> Compiler<'r> {
        Compiler {
            registry,
            statements,
            buses: HashMap::new(),
            samplers: HashMap::new(),
            nodes: Vec::new(),
            diagnostics: Vec::new(),
            owner: String::new(),
            position: 0,
            known_sounds: None,
        }
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::error(span, message));
    }

    fn run(&mut self, end_of_file: usize) -> Option<Graph> {
        let mut cps = 0.5;
        let mut outputs: Vec<(&'r str, usize)> = Vec::new();
        for (i, s) in self.statements.iter().enumerate() {
            match &s.head {
                Head::Bus(name) => {
                    if self.buses.contains_key(name) {
                        self.error(
                            s.head_span.clone(),
                            format!("bus `~{name}` is defined twice"),
                        );
                    } else {
                        self.buses.insert(name.clone(), BusState::Pending(i));
                    }
                }
                Head::Output(name) => {
                    if outputs.iter().any(|(n, _)| n == name) {
                        self.error(
                            s.head_span.clone(),
                            format!("output `{name}` is defined twice"),
                        );
                    } else {
                        outputs.push((name, i));
                    }
                }
                Head::Cps | Head::Bpm => {
                    let bpm = s.head == Head::Bpm;
                    match self.constant(&s.expr) {
                        Some(x) if x > 0.0 && x.is_finite() => {
                            cps = if bpm { x / 240.0 } else { x }
                        }
                        _ => self.error(
                            s.expr.span.clone(),
                            format!(
                                "expected a positive number of {}",
                                if bpm {
                                    "beats per minute"
                                } else {
                                    "cycles per second"
                                }
                            ),
                        ),
                    }
                }
            }
        }
        let mut graph_outputs = Vec::new();
        for &(name, i) in &outputs {
            self.owner = name.to_string();
            self.position = 0;
            let s = &self.statements[i];
            if let Some(v) = self.eval(&s.expr) {
                if let Some(node) = self.materialise(v, s.expr.span.clone()) {
                    graph_outputs.push(Output {
                        name: name.to_string(),
                        node,
                    });
                }
            }
        }
        // Buses no output reads: still checked, then reported and left out.
        let mut unused: Vec<(usize, String)> = self
            .buses
            .iter()
            .filter_map(|(name, state)| match state {
                BusState::Pending(i) => Some((*i, name.clone())),
                _ => None,
            })
            .collect();
        unused.sort();
        for (i, name) in unused {
            self.bus(&name, self.statements[i].head_span.clone());
            self.diagnostics.push(
                Diagnostic::warning(
                    self.statements[i].head_span.clone(),
                    format!("bus `~{name}` is not used by any output, so it is not run"),
                )
                .with_help("read it from an output, as in `out: ~name`, or delete it"),
            );
        }
        if outputs.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(end_of_file..end_of_file, "the patch has no output")
                    .with_help("add a line such as `out: s \"bd sn\"`"),
            );
        }
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        Some(self.prune(graph_outputs, cps))
    }

    /// Keeps only nodes an output depends on, renumbered in their original order.
    fn prune(&mut self, outputs: Vec<Output>, cps: f64) -> Graph {
        let mut keep = vec![false; self.nodes.len()];
        let mut stack: Vec<NodeId> = outputs.iter().map(|o| o.node).collect();
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut keep[id.index()], true) {
                continue;
            }
            let node = &self.nodes[id.index()];
            for (_, input) in &node.inputs {
                if let Input::Node(dep) = input {
                    stack.push(*dep);
                }
            }
            if let NodeKind::Feedback { source, .. } = &node.kind {
                stack.push(*source);
            }
        }
        let mut renumber = vec![NodeId(0); self.nodes.len()];
        let mut nodes = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if keep[i] {
                renumber[i] = NodeId(nodes.len() as u32);
                nodes.push(node.clone());
            }
        }
        for node in &mut nodes {
            for (_, input) in &mut node.inputs {
                if let Input::Node(id) = input {
                    *id = renumber[id.index()];
                }
            }
            if let NodeKind::Feedback { source, .. } = &mut node.kind {
                *source = renumber[source.index()];
            }
        }
        let outputs = outputs
            .into_iter()
            .map(|o| Output {
                node: renumber[o.node.index()],
                ..o
            })
            .collect();
        Graph {
            nodes,
            outputs,
            cps,
        }
    }

    fn constant(&mut self, e: &Expr) -> Option<f64> {
        match self.eval(e)? {
            Val::Num(x) => Some(x),
            _ => None,
        }
    }

    fn add_node(
        &mut self,
        kind: NodeKind,
        inputs: Vec<(&'static str, Input)>,
        channels: u8,
    ) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node {
            kind,
            inputs,
            channels,
            identity: Identity {
                owner: self.owner.clone(),
                position: self.position,
            },
        });
        self.position += 1;
        id
    }

    fn channels(&self, input: Input) -> u8 {
        match input {
            Input::Node(id) => self.nodes[id.index()].channels,
            Input::Const(_) => 1,
        }
    }

    fn eval(&mut self, e: &Expr) -> Eval<'r> {
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
            ExprKind::Name(name) => match self.registry.get(name) {
                Some(f) => Some(Val::Call {
                    f,
                    args: Vec::new(),
                }),
                None => {
                    let suggestions = closest(name, self.registry.names());
                    let mut d =
                        Diagnostic::error(e.span.clone(), format!("unknown function `{name}`"));
                    if !suggestions.is_empty() {
                        d = d.with_help(format!(
                            "the closest names are {} (`phonon functions` lists them all)",
                            quoted(&suggestions)
                        ));
                    }
                    self.diagnostics.push(d);
                    None
                }
            },
            ExprKind::Apply(head, args) => {
                let f = self.eval(head);
                // Evaluate every argument, so that errors in all of them are reported.
                let args: Vec<_> = args
                    .iter()
                    .map(|a| (self.eval(a), a.span.clone()))
                    .collect();
                let mut f = f?;
                for (arg, span) in args {
                    f = self.apply(f, arg?, span, e.span.clone())?;
                }
                Some(f)
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
            ExprKind::Binary(op, left, right) => {
                let (l, r) = (self.eval(left), self.eval(right));
                let (l, r) = (l?, r?);
                match op {
                    BinOp::Apply => {
                        if !l.is_function() && r.is_function() {
                            // Phonon's `pattern $ transform` form.
                            self.apply(r, l, left.span.clone(), e.span.clone())
                        } else {
                            self.apply(l, r, right.span.clone(), e.span.clone())
                        }
                    }
                    BinOp::Chain => self.chain(l, r, left.span.clone(), right.span.clone()),
                    BinOp::Compose => {
                        let g = self.transform(l, left.span.clone())?;
                        let h = self.transform(r, right.span.clone())?;
                        Some(Val::Transform(Rc::new(move |p| g(h(p)?))))
                    }
                    BinOp::ShiftLeft | BinOp::ShiftRight => {
                        let amount = self.times(l, left.span.clone())?;
                        let p = self.pattern(r, right.span.clone())?;
                        let shift = if *op == BinOp::ShiftLeft {
                            transforms::early
                        } else {
                            transforms::late
                        };
                        self.pattern_result(shift(&[Arg::Time(amount)], p), e.span.clone())
                    }
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                        self.arithmetic(*op, l, r, left.span.clone(), right.span.clone())
                    }
                }
            }
            ExprKind::Section(op, operand) => {
                let v = self.eval(operand)?;
                self.section(*op, v, operand.span.clone())
            }
        }
    }

    fn bus(&mut self, name: &str, span: Range<usize>) -> Eval<'r> {
        match self.buses.get_mut(name) {
            None => {
                let names: Vec<String> = self.buses.keys().map(|k| format!("~{k}")).collect();
                let wanted = format!("~{name}");
                let suggestions = closest(&wanted, names.iter().map(String::as_str));
                let mut d = Diagnostic::error(span, format!("unknown bus `~{name}`"));
                if !suggestions.is_empty() {
                    d = d.with_help(format!("did you mean `{}`?", suggestions[0]));
                }
                self.diagnostics.push(d);
                None
            }
            Some(BusState::Done(v)) => v.clone(),
            Some(BusState::InProgress { .. }) => {
                // The bus reads itself: read its previous block (documented one-block delay).
                let id = self.add_node(
                    NodeKind::Feedback {
                        bus: name.to_string(),
                        source: NodeId(0),
                    },
                    Vec::new(),
                    2,
                );
                if let Some(BusState::InProgress { feedback }) = self.buses.get_mut(name) {
                    feedback.push(id);
                }
                Some(Val::Signal(id))
            }
            Some(BusState::Pending(i)) => {
                let i = *i;
                self.buses.insert(
                    name.to_string(),
                    BusState::InProgress {
                        feedback: Vec::new(),
                    },
                );
                let saved = (
                    std::mem::replace(&mut self.owner, format!("~{name}")),
                    self.position,
                );
                self.position = 0;
                let statement = &self.statements[i];
                let mut value = self.eval(&statement.expr);
                let feedback = match self.buses.remove(name) {
                    Some(BusState::InProgress { feedback }) => feedback,
                    _ => Vec::new(),
                };
                if !feedback.is_empty() {
                    let source = value
                        .clone()
                        .and_then(|v| self.materialise(v, statement.expr.span.clone()));
                    match source {
                        Some(source) if feedback.contains(&source) => {
                            self.diagnostics.push(
                                Diagnostic::error(
                                    statement.expr.span.clone(),
                                    format!("bus `~{name}` is defined as itself, with nothing to feed it"),
                                )
                                .with_help(format!(
                                    "a bus can read its own previous block inside a signal, e.g. `~{name}: saw 55 + ~{name} * 0.5`"
                                )),
                            );
                            value = None;
                        }
                        Some(source) => {
                            for id in feedback {
                                let channels = self.nodes[source.index()].channels;
                                let node = &mut self.nodes[id.index()];
                                node.kind = NodeKind::Feedback {
                                    bus: name.to_string(),
                                    source,
                                };
                                node.channels = channels;
                            }
                            value = Some(Val::Signal(source));
                        }
                        None => value = None,
                    }
                }
                match value {
                    Some(Val::Sounds { pattern, .. }) => {
                        value = Some(Val::Sounds {
                            pattern,
                            bus: Some(name.to_string()),
                        });
                    }
                    // A bus holding a signal function becomes one node, however often it is read.
                    Some(Val::Call { f, ref args })
                        if f.role == Role::Source
                            || (f.role == Role::Processor && args.len() == f.params.len()) =>
                    {
                        value = value
                            .and_then(|v| self.materialise(v, statement.expr.span.clone()))
                            .map(Val::Signal);
                    }
                    _ => {}
                }
                (self.owner, self.position) = saved;
                self.buses
                    .insert(name.to_string(), BusState::Done(value.clone()));
                value
            }
        }
    }

    fn numbers(&mut self, text: &str, at: usize) -> Option<Pattern<f64>> {
        match mini::mini_as(text, Kind::Double) {
            Ok(p) => Some(p.fmap(|v| v.as_f64().unwrap_or(0.0))),
            Err(e) => {
                self.diagnostics.push(mini_error(text, at, &e));
                None
            }
        }
    }

    fn frequencies(&mut self, text: &str, at: usize) -> Option<Pattern<f64>> {
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
        match mini::compile(&tree, Kind::Untyped) {
            Ok(p) => Some(p.fmap(frequency)),
            Err(e) => {
                self.diagnostics.push(mini_error(text, at, &e));
                None
            }
        }
    }

    fn sounds(&mut self, text: &str, at: usize) -> Option<Pattern<Sound>> {
        if let (Some(known), Ok(tree)) = (&self.known_sounds, mini::parse(text)) {
            let mut names = Vec::new();
            sound_names(&tree, &mut names);
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

    fn times(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Pattern<Time>> {
        match v {
            Val::Num(x) => Some(pattern::pure(Time::from_f64(x))),
            Val::Str { text, at } => match mini::mini_as(&text, Kind::Rational) {
                Ok(p) => Some(p.fmap(|v| v.as_time().unwrap_or(Time::ZERO))),
                Err(e) => {
                    self.diagnostics.push(mini_error(&text, at, &e));
                    None
                }
            },
            Val::Nums(p) => Some(p.fmap(|&x| Time::from_f64(x))),
            other => {
                self.error(
                    span,
                    format!(
                        "expected a number of cycles or a pattern of them, found {}",
                        other.describe()
                    ),
                );
                None
            }
        }
    }

    /// A value as a pattern a transform can work on.
    fn pattern(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Pat> {
        match v {
            Val::Sounds { pattern, .. } => Some(Pat::Sound(pattern)),
            Val::Nums(p) => Some(Pat::Num(p)),
            Val::Num(x) => Some(Pat::Num(pattern::pure(x))),
            Val::Str { text, at } => self.numbers(&text, at).map(Pat::Num),
            other => {
                self.error(
                    span,
                    format!(
                        "expected a pattern (such as `s \"bd sn\"`), found {}",
                        other.describe()
                    ),
                );
                None
            }
        }
    }

    fn pattern_result(&mut self, r: Result<Pat, String>, span: Range<usize>) -> Eval<'r> {
        match r {
            Ok(Pat::Sound(pattern)) => Some(Val::Sounds { pattern, bus: None }),
            Ok(Pat::Num(p)) => Some(Val::Nums(p)),
            Err(message) => {
                self.error(span, message);
                None
            }
        }
    }

    /// A value as a pattern function.
    fn transform(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Transform> {
        match v {
            Val::Transform(t) => Some(t),
            Val::Call { f, args }
                if f.role == Role::Transform && args.len() + 1 == f.params.len() =>
            {
                let implementation = transforms::implementation(f.name)?;
                let mut compiled = Vec::with_capacity(args.len());
                for ((arg, arg_span), param) in args.into_iter().zip(f.params) {
                    compiled.push(self.argument(arg, param, arg_span)?);
                }
                Some(Rc::new(move |p| implementation(&compiled, p)))
            }
            Val::Call { f, args } if f.role == Role::Transform => {
                let wanted = f.params.len() - 1;
                self.error(
                    span,
                    format!(
                        "`{}` takes {wanted} argument{} before its pattern ({}), found {}",
                        f.name,
                        if wanted == 1 { "" } else { "s" },
                        f.params[..wanted]
                            .iter()
                            .map(|p| p.name)
                            .collect::<Vec<_>>()
                            .join(", "),
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

    fn argument(&mut self, v: Val<'r>, param: &Param, span: Range<usize>) -> Option<Arg> {
        match param.kind {
            ParamKind::Number => match v {
                Val::Num(x) => Some(Arg::Number(x)),
                other => {
                    self.error(
                        span,
                        format!(
                            "`{}` must be a number, found {}",
                            param.name,
                            other.describe()
                        ),
                    );
                    None
                }
            },
            ParamKind::Time => match v {
                Val::Num(x) => Some(Arg::Number(x)),
                other => self.times(other, span).map(Arg::Time),
            },
            ParamKind::Transform => self.transform(v, span).map(Arg::Transform),
            _ => None,
        }
    }

    fn apply(
        &mut self,
        f: Val<'r>,
        arg: Val<'r>,
        arg_span: Range<usize>,
        span: Range<usize>,
    ) -> Eval<'r> {
        match f {
            Val::Call { f, mut args } => {
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
                            f.params
                                .iter()
                                .map(|p| p.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                    return None;
                }
                if let Some(param) = f.params.get(args.len()) {
                    let fits = match param.kind {
                        ParamKind::Number => matches!(arg, Val::Num(_)),
                        ParamKind::Time | ParamKind::Pattern | ParamKind::Sounds => {
                            matches!(
                                arg,
                                Val::Num(_) | Val::Str { .. } | Val::Nums(_) | Val::Sounds { .. }
                            )
                        }
                        ParamKind::Transform => arg.is_function(),
                        ParamKind::Input | ParamKind::Signal => !matches!(arg, Val::Transform(_)),
                    };
                    if !fits {
                        let wanted = match param.kind {
                            ParamKind::Number => "a number",
                            ParamKind::Time => "a number or pattern of cycles",
                            ParamKind::Pattern => "a pattern",
                            ParamKind::Sounds => "a string of sound names",
                            ParamKind::Transform => {
                                "a pattern function (such as `rev` or `(fast 2)`)"
                            }
                            ParamKind::Input | ParamKind::Signal => "a number, pattern or signal",
                        };
                        self.error(
                            arg_span,
                            format!(
                                "`{}` needs {wanted} for `{}`, found {}",
                                f.name,
                                param.name,
                                arg.describe()
                            ),
                        );
                        return None;
                    }
                }
                args.push((arg, arg_span));
                if args.len() < arity {
                    return Some(Val::Call { f, args });
                }
                match f.role {
                    Role::Sound => match args.pop() {
                        Some((Val::Str { text, at }, _)) => self
                            .sounds(&text, at)
                            .map(|pattern| Val::Sounds { pattern, bus: None }),
                        Some((other, s)) => {
                            self.error(
                                s,
                                format!(
                                    "`{}` needs a string of sound names, found {}",
                                    f.name,
                                    other.describe()
                                ),
                            );
                            None
                        }
                        None => None,
                    },
                    Role::Transform => {
                        let (target, target_span) = args.pop()?;
                        let t = self.transform(Val::Call { f, args }, span.clone())?;
                        let p = self.pattern(target, target_span)?;
                        self.pattern_result(t(p), span)
                    }
                    _ => Some(Val::Call { f, args }),
                }
            }
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

    /// `left # right`: set a control of a sound pattern, or feed `left` into a processor.
    fn chain(
        &mut self,
        left: Val<'r>,
        right: Val<'r>,
        left_span: Range<usize>,
        right_span: Range<usize>,
    ) -> Eval<'r> {
        let Val::Call { f, args } = right else {
            self.error(
                right_span,
                format!("expected a function after `#`, found {}", right.describe()),
            );
            return None;
        };
        if let (Val::Sounds { pattern, .. }, Some(control)) = (&left, f.control) {
            let Some((value, value_span)) = args.into_iter().next() else {
                self.error(
                    right_span,
                    format!("`{}` needs a value: `# {} 0.8`", f.name, f.name),
                );
                return None;
            };
            let values = self.control_values(control, value, value_span)?;
            return Some(Val::Sounds {
                pattern: pattern.with_control(control, &values),
                bus: None,
            });
        }
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
        match v {
            Val::Num(x) => Some(pattern::pure(x)),
            Val::Nums(p) => Some(p),
            Val::Str { text, at } => match control {
                Control::Note => match mini::mini_as(&text, Kind::Note) {
                    Ok(p) => Some(p.fmap(|v| v.as_f64().unwrap_or(0.0))),
                    Err(e) => {
                        self.diagnostics.push(mini_error(&text, at, &e));
                        None
                    }
                },
                _ => self.numbers(&text, at),
            },
            other => {
                self.error(
                    span,
                    format!(
                        "a control takes a number or a pattern string, found {}",
                        other.describe()
                    ),
                );
                None
            }
        }
    }

    fn section(&mut self, op: BinOp, v: Val<'r>, span: Range<usize>) -> Eval<'r> {
        match op {
            BinOp::Chain => match v {
                Val::Call { f, args } if f.control.is_some() && args.len() == 1 => {
                    let control = f.control?;
                    let (value, value_span) = args.into_iter().next()?;
                    let values = self.control_values(control, value, value_span)?;
                    Some(Val::Transform(Rc::new(move |p| match p {
                        Pat::Sound(p) => Ok(Pat::Sound(p.with_control(control, &values))),
                        Pat::Num(_) => Err("`#` sections set controls of sound patterns".into()),
                    })))
                }
                other => {
                    self.error(
                        span,
                        format!(
                            "expected a control such as `speed 2` in `(# …)`, found {}",
                            other.describe()
                        ),
                    );
                    None
                }
            },
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let operand = match v {
                    Val::Num(x) => pattern::pure(x),
                    Val::Nums(p) => p,
                    Val::Str { text, at } => self.numbers(&text, at)?,
                    other => {
                        self.error(
                            span,
                            format!(
                                "an arithmetic section needs a number or pattern, found {}",
                                other.describe()
                            ),
                        );
                        return None;
                    }
                };
                let f = math_fn(op);
                Some(Val::Transform(Rc::new(move |p| match p {
                    Pat::Num(p) => Ok(Pat::Num(p.zip_left(&operand, move |a, b| f(*a, *b)))),
                    Pat::Sound(_) => Err("arithmetic sections work on patterns of numbers".into()),
                })))
            }
            _ => {
                self.error(
                    span,
                    format!("`({} …)` is not a supported section", op.symbol()),
                );
                None
            }
        }
    }

    fn arithmetic(
        &mut self,
        op: BinOp,
        l: Val<'r>,
        r: Val<'r>,
        ls: Range<usize>,
        rs: Range<usize>,
    ) -> Eval<'r> {
        let f = math_fn(op);
        let numeric = |v: &Val| matches!(v, Val::Num(_) | Val::Nums(_) | Val::Str { .. });
        if let (Val::Num(a), Val::Num(b)) = (&l, &r) {
            return Some(Val::Num(f(*a, *b)));
        }
        if numeric(&l) && numeric(&r) {
            let a = self.number_pattern(l)?;
            let b = self.number_pattern(r)?;
            return Some(Val::Nums(a.zip_left(&b, move |a, b| f(*a, *b))));
        }
        let a = self.signal_input(l, ls)?;
        let b = self.signal_input(r, rs)?;
        let math = match op {
            BinOp::Add => MathOp::Add,
            BinOp::Sub => MathOp::Sub,
            BinOp::Mul => MathOp::Mul,
            _ => MathOp::Div,
        };
        let channels = self.channels(a).max(self.channels(b));
        Some(Val::Signal(self.add_node(
            NodeKind::Dsp(dsp::Kind::Math(math)),
            vec![("a", a), ("b", b)],
            channels,
        )))
    }

    fn number_pattern(&mut self, v: Val<'r>) -> Option<Pattern<f64>> {
        match v {
            Val::Num(x) => Some(pattern::pure(x)),
            Val::Nums(p) => Some(p),
            Val::Str { text, at } => self.numbers(&text, at),
            _ => None,
        }
    }

    fn signal_input(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Input> {
        match v {
            Val::Num(x) => Some(Input::Const(x)),
            other => self.materialise(other, span).map(Input::Node),
        }
    }

    /// A value as a node whose output is a signal.
    fn materialise(&mut self, v: Val<'r>, span: Range<usize>) -> Option<NodeId> {
        match v {
            Val::Signal(id) => Some(id),
            Val::Num(x) => Some(self.add_node(
                NodeKind::Dsp(dsp::Kind::Numbers(pattern::pure(x))),
                Vec::new(),
                1,
            )),
            Val::Str { text, at } => {
                let p = self.numbers(&text, at)?;
                Some(self.add_node(NodeKind::Dsp(dsp::Kind::Numbers(p)), Vec::new(), 1))
            }
            Val::Nums(p) => {
                Some(self.add_node(NodeKind::Dsp(dsp::Kind::Numbers(p)), Vec::new(), 1))
            }
            Val::Sounds { pattern, bus } => {
                if let Some(id) = bus.as_ref().and_then(|b| self.samplers.get(b)) {
                    return Some(*id);
                }
                let id = self.add_node(NodeKind::Dsp(dsp::Kind::Sampler(pattern)), Vec::new(), 2);
                if let Some(bus) = bus {
                    self.samplers.insert(bus, id);
                }
                Some(id)
            }
            Val::Call { f, args } => match f.role {
                Role::Source => self.source(f, args, span),
                Role::Processor if args.len() == f.params.len() => {
                    let mut args = args.into_iter();
                    let input = args.next();
                    match self.processor(f, input, args.collect(), span)? {
                        Val::Signal(id) => Some(id),
                        _ => None,
                    }
                }
                Role::Processor => {
                    self.error(
                        span,
                        format!("`{}` needs an input: write `signal # {} …`, or give all its arguments ({})", f.name, f.name,
                            f.params.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")),
                    );
                    None
                }
                Role::Control => {
                    self.error(span, format!("`{}` sets a control of a sound pattern; use it after `#`, as in `s \"bd\" # {} …`", f.name, f.name));
                    None
                }
                Role::Sound | Role::Transform => {
                    let missing: Vec<&str> =
                        f.params[args.len()..].iter().map(|p| p.name).collect();
                    self.error(
                        span,
                        format!("`{}` is missing arguments: {}", f.name, missing.join(", ")),
                    );
                    None
                }
            },
            Val::Transform(_) => {
                self.error(
                    span,
                    "this is a pattern function; apply it to a pattern with `$`",
                );
                None
            }
        }
    }

    fn settings(
        &mut self,
        f: &'r Function,
        args: Vec<(Val<'r>, Range<usize>)>,
        inputs: &mut Vec<(&'static str, Input)>,
        span: Range<usize>,
    ) -> Option<()> {
        let mut given = args.into_iter();
        let mut ok = true;
        for param in f.settings() {
            let input = match given.next() {
                Some((v, span)) => self.setting(param, v, span),
                None => {
                    if param.default.is_none() {
                        self.error(
                            span.clone(),
                            format!("`{}` needs a value for `{}`", f.name, param.name),
                        );
                    }
                    param.default.map(Input::Const)
                }
            };
            match input {
                Some(i) => inputs.push((param.name, i)),
                None => ok = false,
            }
        }
        if let Some((_, span)) = given.next() {
            self.error(
                span,
                format!(
                    "too many arguments: `{}` takes {}",
                    f.name,
                    f.settings().map(|p| p.name).collect::<Vec<_>>().join(", ")
                ),
            );
            ok = false;
        }
        ok.then_some(())
    }

    fn setting(&mut self, param: &Param, v: Val<'r>, span: Range<usize>) -> Option<Input> {
        match (param.kind, v) {
            (ParamKind::Number, Val::Num(x)) => Some(Input::Const(x)),
            (ParamKind::Number, other) => {
                self.error(
                    span,
                    format!(
                        "`{}` must be a constant number, found {}",
                        param.name,
                        other.describe()
                    ),
                );
                None
            }
            (_, Val::Str { text, at }) if param.unit == "Hz" => {
                let p = self.frequencies(&text, at)?;
                Some(Input::Node(self.add_node(
                    NodeKind::Dsp(dsp::Kind::Numbers(p)),
                    Vec::new(),
                    1,
                )))
            }
            (_, v) => self.signal_input(v, span),
        }
    }

    fn source(
        &mut self,
        f: &'r Function,
        args: Vec<(Val<'r>, Range<usize>)>,
        span: Range<usize>,
    ) -> Option<NodeId> {
        // A note pattern alone on an oscillator plays pitched voices: `saw "c3 e3 g3"`.
        let kind = f.node.clone()?;
        if let ([(Val::Str { text, at }, _)], Some(wave)) = (args.as_slice(), kind.wave()) {
            let notes = self.frequencies(text, *at)?;
            return Some(self.add_node(
                NodeKind::Dsp(dsp::Kind::Voices { wave, notes }),
                Vec::new(),
                1,
            ));
        }
        let mut inputs = Vec::new();
        self.settings(f, args, &mut inputs, span)?;
        let channels = match kind.width() {
            Width::Stereo => 2,
            _ => 1,
        };
        Some(self.add_node(NodeKind::Dsp(kind), inputs, channels))
    }

    fn processor(
        &mut self,
        f: &'r Function,
        input: Option<(Val<'r>, Range<usize>)>,
        args: Vec<(Val<'r>, Range<usize>)>,
        span: Range<usize>,
    ) -> Eval<'r> {
        let Some((input, input_span)) = input else {
            self.error(span, format!("`{}` needs an input", f.name));
            return None;
        };
        let input = self.signal_input(input, input_span);
        let mut inputs = vec![("input", input?)];
        self.settings(f, args, &mut inputs, span)?;
        let kind = f.node.clone()?;
        let channels = match kind.width() {
            Width::Mono => 1,
            Width::Stereo => 2,
            Width::AsInput => self.channels(inputs[0].1),
        };
        Some(Val::Signal(self.add_node(
            NodeKind::Dsp(kind),
            inputs,
            channels,
        )))
    }
}

fn math_fn(op: BinOp) -> fn(f64, f64) -> f64 {
    match op {
        BinOp::Add => |a, b| a + b,
        BinOp::Sub => |a, b| a - b,
        BinOp::Mul => |a, b| a * b,
        _ => |a, b| if b == 0.0 { 0.0 } else { a / b },
    }
}
