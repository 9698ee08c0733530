//! Lowering: values become nodes. Patterns become control-signal and sampler nodes, sources and
//! processors become DSP nodes with their settings as inputs; each node gets its identity.

use super::value::Val;
use super::{Compiler, Eval};
use crate::ir::{Identity, Input, Node, NodeId, NodeKind};
use crate::params::{Param, ParamKind};
use crate::registry::{Function, Role};
use crate::values::Pat;
use dsp::Width;
use std::ops::Range;

impl<'r> Compiler<'r> {
    pub(super) fn add_node(
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

    pub(super) fn channels(&self, input: Input) -> u8 {
        match input {
            Input::Node(id) => self.nodes[id.index()].channels,
            Input::Const(_) => 1,
        }
    }

    pub(super) fn signal_input(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Input> {
        match v {
            Val::Num(x) => Some(Input::Const(x)),
            other => self.materialise(other, span).map(Input::Node),
        }
    }

    /// A value as a node whose output is a signal.
    pub(super) fn materialise(&mut self, v: Val<'r>, span: Range<usize>) -> Option<NodeId> {
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
            Val::Values(p) => Some(self.add_node(
                NodeKind::Dsp(dsp::Kind::Numbers(p.fmap(|v| v.as_f64().unwrap_or(0.0)))),
                Vec::new(),
                1,
            )),
            v @ (Val::Partial { .. } | Val::List(_) | Val::Tuple(_)) => {
                match self.pattern(v, span.clone())? {
                    Pat::Value(p) => self.materialise(Val::Values(p), span),
                    Pat::Sound(pattern) => {
                        self.materialise(Val::Sounds { pattern, bus: None }, span)
                    }
                }
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
                    // The input is the first argument given in order.
                    let mut args = args;
                    let first = args
                        .iter()
                        .position(|(v, _)| !matches!(v, Val::Named { .. }));
                    let input = first.map(|k| args.remove(k));
                    match self.processor(f, input, args, span)? {
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
                Role::Sound | Role::Transform | Role::Pattern => {
                    let missing: Vec<&str> =
                        f.params[args.len()..].iter().map(|p| p.name).collect();
                    self.error(
                        span,
                        format!("`{}` is missing arguments: {}", f.name, missing.join(", ")),
                    );
                    None
                }
            },
            Val::Named { name, .. } => {
                self.error(
                    span,
                    format!("`:{name}` names an argument: it follows a function, as in `lpf 1000 :q 0.8`"),
                );
                None
            }
            Val::Transform(_) | Val::Then { .. } => {
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
        let (mut named, positional): (Vec<_>, Vec<_>) = args
            .into_iter()
            .partition(|(v, _)| matches!(v, Val::Named { .. }));
        let mut given = positional.into_iter();
        let mut ok = true;
        for param in f.settings() {
            let by_name = named
                .iter()
                .position(|(v, _)| matches!(v, Val::Named { name, .. } if name == param.name))
                .map(|k| named.remove(k));
            let next = given.next();
            if let (Some(_), Some((_, span))) = (&next, &by_name) {
                self.error(
                    span.clone(),
                    format!(
                        "`{}` is given twice: in order and as `:{}`",
                        param.name, param.name
                    ),
                );
                ok = false;
            }
            let next = next.or(by_name.map(|(v, span)| match v {
                Val::Named { value, .. } => (*value, span),
                v => (v, span),
            }));
            let input = match next {
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
        for (v, span) in named {
            if let Val::Named { name, .. } = v {
                self.error(span, format!("`{}` has no parameter `{name}`", f.name));
                ok = false;
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

    pub(super) fn processor(
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
