//! Values as signals: patterns become control-signal and sampler signals, sources and
//! processors become DSP signals with their settings as inputs; each gets its identity.

use super::signal::{Signal, SignalInput, SignalKind, SignalNode};
use super::value::Val;
use super::{Eval, Evaluator};
use crate::diagnostic::Diagnostic;
use crate::ir::Identity;
use crate::params::{ParamKind, ParamSpec};
use crate::registry::{Function, Role};
use crate::values::Pat;
use dsp::envelopes::triggered::{Breakpoints, Trigger};
use dsp::instruments::synth::OSC_ENVELOPE;
use dsp::instruments::Instrument;
use dsp::Width;
use pattern::{Control, Pattern, Value};
use std::ops::Range;

/// Arguments that shape a node rather than feed a port: parameter name, value, where.
type Shaping<'r> = Vec<(&'static str, Val<'r>, Range<usize>)>;

impl<'r> Evaluator<'r> {
    /// A new signal of the DSP node `kind`, owned by the statement being evaluated.
    pub(super) fn add_node(
        &mut self,
        kind: dsp::Kind,
        inputs: Vec<(&'static str, SignalInput)>,
        channels: u8,
    ) -> Signal {
        self.make_signal(SignalKind::Dsp(kind), inputs, channels)
    }

    /// A new signal of `kind`, owned by the statement being evaluated, at its next position.
    pub(super) fn make_signal(
        &mut self,
        kind: SignalKind,
        inputs: Vec<(&'static str, SignalInput)>,
        channels: u8,
    ) -> Signal {
        let identity = Identity {
            owner: self.owner.clone(),
            position: self.position,
        };
        self.position += 1;
        self.made += 1;
        Signal::new(SignalNode {
            kind,
            inputs,
            channels,
            identity,
            made: self.made - 1,
        })
    }

    /// The sum of two signals, as wide as the wider.
    pub(super) fn sum(&mut self, a: SignalInput, b: SignalInput) -> Signal {
        let channels = a.channels().max(b.channels());
        self.add_node(
            dsp::Kind::Math(dsp::MathOp::Add),
            vec![("a", a), ("b", b)],
            channels,
        )
    }

    pub(super) fn signal_input(&mut self, v: Val<'r>, span: Range<usize>) -> Option<SignalInput> {
        match v {
            Val::Num(x) => Some(SignalInput::Const(x)),
            other => self.materialise(other, span).map(SignalInput::Signal),
        }
    }

    /// A value as a signal.
    pub(super) fn materialise(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Signal> {
        match v {
            Val::Signal(signal) => Some(signal),
            Val::Num(x) => Some(self.add_node(dsp::Kind::Numbers(pattern::pure(x)), Vec::new(), 1)),
            Val::Str { text, at } => {
                if let Some(pattern) =
                    self.words_as_sounds(&text, at, pattern::mini::ValueType::Double)
                {
                    return self.materialise(Val::Sounds { pattern, bus: None }, span);
                }
                let p = self.numbers(&text, at)?;
                Some(self.add_node(dsp::Kind::Numbers(p), Vec::new(), 1))
            }
            Val::Values(p) => Some(self.add_node(
                dsp::Kind::Numbers(p.fmap(|v| v.as_f64().unwrap_or(0.0))),
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
            Val::Sounds { pattern, bus } => self.sampler(pattern, bus, span),
            Val::Call { f, args } => self.call_node(f, args, span),
            Val::Named { name, .. } => {
                self.error(
                    span,
                    format!("`:{name}` names an argument: it follows a function, as in `lpf 1000 :q 0.8`"),
                );
                None
            }
            Val::Then { ref then, .. } if then.0.is_control_call() => {
                match self.pattern(v, span.clone())? {
                    Pat::Sound(pattern) => self.sampler(pattern, None, span),
                    Pat::Value(p) => self.materialise(Val::Values(p), span),
                }
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

    /// A sound pattern's sampler (one per bus that holds it), with the bus voices it names.
    fn sampler(
        &mut self,
        pattern: pattern::Pattern<pattern::Sound>,
        bus: Option<String>,
        span: Range<usize>,
    ) -> Option<Signal> {
        if let Some(sampler) = bus.as_ref().and_then(|b| self.samplers.get(b)) {
            return Some(sampler.clone());
        }
        let voices = if self.bus_voices_named {
            bus_voices(&pattern)
        } else {
            Vec::new()
        };
        let samples = if voices.is_empty() {
            pattern.clone()
        } else {
            pattern.filter_values(|s| bus_voice(s).is_none())
        };
        let mut mix = self.add_node(dsp::Kind::Sampler(samples), Vec::new(), 2);
        let building = bus.clone();
        self.building_samplers.extend(building.iter().cloned());
        let mut voiced = true;
        for name in voices {
            match self.bus_voice(&pattern, &name, mix.clone(), span.clone()) {
                Some(next) => mix = next,
                None => {
                    voiced = false;
                    break;
                }
            }
        }
        if building.is_some() {
            self.building_samplers.pop();
        }
        if !voiced {
            return None;
        }
        if let Some(bus) = bus {
            self.samplers.insert(bus, mix.clone());
        }
        Some(mix)
    }

    /// The node a function with its arguments makes, or an error saying what it lacks.
    fn call_node(
        &mut self,
        f: &'r Function,
        args: Vec<(Val<'r>, Range<usize>)>,
        span: Range<usize>,
    ) -> Option<Signal> {
        match f.role {
            Role::Source => self.source(f, args, span),
            Role::Processor
                if args.len() == f.params.len()
                    || args
                        .iter()
                        .find(|(v, _)| !matches!(v, Val::Named { .. }))
                        .is_some_and(|(v, _)| v.is_signal()) =>
            {
                // The input is the first argument given in order.
                let mut args = args;
                let first = args
                    .iter()
                    .position(|(v, _)| !matches!(v, Val::Named { .. }));
                let input = first.map(|k| args.remove(k));
                match self.processor(f, input, args, span)? {
                    Val::Signal(signal) => Some(signal),
                    _ => None,
                }
            }
            Role::Processor if super::envelope_on_a_gate(f.node.as_ref()) => {
                self.envelope_generator(f, args, span)
            }
            Role::Processor => {
                self.diagnostics.push(
                    Diagnostic::error(
                        span,
                        format!("`{}` needs an input: write `signal # {} …`, or give all its arguments ({})", f.name, f.name,
                            f.params.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")),
                    )
                    .with_help(format!(
                        "or make it an effect bus (`~fx: {} …`) and send to it with `signal # ~fx`",
                        f.name
                    )),
                );
                None
            }
            Role::Control
                if matches!(f.control, Some(Control::N | Control::Note)) && args.len() == 1 =>
            {
                // Notes with no sound play on the default synth, as in Strudel.
                match self.pattern(Val::Call { f, args }, span.clone())? {
                    Pat::Sound(pattern) => self.sampler(pattern, None, span),
                    Pat::Value(_) => None,
                }
            }
            Role::Control => {
                self.error(span, format!("`{}` sets a control of a sound pattern; use it after `#`, as in `s \"bd\" # {} …`", f.name, f.name));
                None
            }
            Role::Sound | Role::Transform | Role::Pattern => {
                let missing: Vec<&str> = f.params[args.len()..].iter().map(|p| p.name).collect();
                self.error(
                    span,
                    format!("`{}` is missing arguments: {}", f.name, missing.join(", ")),
                );
                None
            }
        }
    }

    /// Matches arguments to `f`'s parameters after the input, in order or by name: ports go to
    /// `inputs`; what shapes the node itself (levels, triggers, notes) is returned by name.
    fn settings(
        &mut self,
        f: &'r Function,
        args: Vec<(Val<'r>, Range<usize>)>,
        inputs: &mut Vec<(&'static str, SignalInput)>,
        span: Range<usize>,
    ) -> Option<Shaping<'r>> {
        let mut shaping = Vec::new();
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
            if !param.kind.is_port() {
                match next {
                    Some((v, span)) => shaping.push((param.name, v, span)),
                    None if param.default.is_none() => {
                        self.error(
                            span.clone(),
                            format!("`{}` needs a value for `{}`", f.name, param.name),
                        );
                        ok = false;
                    }
                    None => {}
                }
                continue;
            }
            let input = match next {
                Some((v, span)) => self.setting(param, v, span),
                None => {
                    if param.default.is_none() {
                        self.error(
                            span.clone(),
                            format!("`{}` needs a value for `{}`", f.name, param.name),
                        );
                    }
                    param.default.map(SignalInput::Const)
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
        ok.then_some(shaping)
    }

    fn setting(
        &mut self,
        param: &ParamSpec,
        v: Val<'r>,
        span: Range<usize>,
    ) -> Option<SignalInput> {
        match (param.kind, v) {
            (ParamKind::Number, Val::Num(x)) => Some(SignalInput::Const(x)),
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
            (_, Val::Str { text, at }) => {
                // Frequencies take note names; no setting's string is sound names.
                let p = if param.unit == "Hz" {
                    self.frequencies(&text, at)?
                } else {
                    self.numbers(&text, at)?
                };
                Some(SignalInput::Signal(self.add_node(
                    dsp::Kind::Numbers(p),
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
    ) -> Option<Signal> {
        // A note pattern alone on an oscillator plays pitched voices: `saw "c3 e3 g3"`.
        let kind = f.node.clone()?;
        if let ([(Val::Str { text, at }, _)], Some(wave)) = (args.as_slice(), kind.wave()) {
            let notes = self.frequencies(text, *at)?;
            return Some(self.osc_voices(wave, notes));
        }
        let mut inputs = Vec::new();
        let shaping = self.settings(f, args, &mut inputs, span.clone())?;
        let kind = match kind {
            dsp::Kind::Voices { instrument, .. } => {
                // The settings are the instrument's ports, read by each voice at its onset;
                // the notes (or triggers) start the voices.
                let notes = match shaping.into_iter().next() {
                    Some(("trigger", v, span)) => self.triggers(v, span)?,
                    Some((_, v, span)) => self.notes(v, span)?,
                    None => pattern::pure(1.0),
                };
                dsp::Kind::Voices {
                    instrument,
                    notes: Some(notes),
                }
            }
            kind if matches!(kind, dsp::Kind::Segments(_))
                || kind.declaration().is_some_and(|d| d.has_trigger()) =>
            {
                // A trigger pattern feeds the `trigger` port through an onsets node.
                let (trigger, rest): (Vec<_>, Vec<_>) = shaping
                    .into_iter()
                    .partition(|(name, _, _)| *name == "trigger");
                if let Some((_, v, span)) = trigger.into_iter().next() {
                    let input = if v.is_signal() {
                        // A signal triggers where it is above 0.5: `line 1 0 0.5 (impulse 2)`.
                        self.signal_input(v, span)?
                    } else {
                        let steps = self.triggers(v, span)?;
                        SignalInput::Signal(self.add_node(dsp::Kind::Onsets(steps), Vec::new(), 1))
                    };
                    inputs.push(("trigger", input));
                }
                match kind {
                    dsp::Kind::Segments(_) => self.breakpoints(f, rest, span)?,
                    kind => kind,
                }
            }
            dsp::Kind::Additive(_) => {
                let (_, v, span) = shaping.into_iter().next()?;
                let amplitudes = self.number_list(f, "amplitudes", v, span.clone())?;
                match dsp::oscillators::synthesis::Harmonics::new(&amplitudes) {
                    Some(h) => dsp::Kind::Additive(Some(std::sync::Arc::new(h))),
                    None => {
                        self.error(
                            span,
                            format!(
                                "`{}` takes 1 to {} amplitudes, found {}",
                                f.name,
                                dsp::oscillators::synthesis::MAX_PARTIALS,
                                amplitudes.len()
                            ),
                        );
                        return None;
                    }
                }
            }
            dsp::Kind::Named(_) => self.named(shaping)?,
            dsp::Kind::Keys(_) => self.keys(shaping)?,
            dsp::Kind::Ad(trigger) => dsp::Kind::Ad(match shaping.into_iter().next() {
                Some((_, v, span)) => Trigger::Events(self.triggers(v, span)?),
                None => trigger,
            }),
            kind => kind,
        };
        let channels = match kind.width() {
            Width::Stereo => 2,
            _ => 1,
        };
        Some(self.add_node(kind, inputs, channels))
    }

    /// `keys`'s node: the synth its sound (one word) names, played from the MIDI input.
    fn keys(&mut self, shaping: Shaping<'r>) -> Option<dsp::Kind> {
        let synths = || {
            let names: Vec<&str> = Instrument::SOUNDS.iter().map(|(n, _)| *n).collect();
            names.join(", ")
        };
        match shaping.into_iter().next()? {
            (_, Val::Str { text, .. }, span) => match Instrument::by_sound_name(text.trim()) {
                Some(instrument) => Some(dsp::Kind::Keys(Some(instrument))),
                None => {
                    let found = text.trim().to_string();
                    self.error(
                        span,
                        format!("`keys` plays a synth, not `{found}`: one of {}", synths()),
                    );
                    None
                }
            },
            (_, v, span) => {
                let found = v.describe();
                self.error(
                    span,
                    format!("`keys` takes a synth's name, such as \"sawtooth\", found {found}"),
                );
                None
            }
        }
    }

    /// `ctrl`'s node: the value its name (one word) is set to, or its default.
    fn named(&mut self, shaping: Shaping<'r>) -> Option<dsp::Kind> {
        match shaping.into_iter().next()? {
            (_, Val::Str { text, .. }, span) => {
                let name = text.trim();
                if name.is_empty() || name.contains(char::is_whitespace) {
                    self.error(span, "`ctrl` takes one name, such as \"cutoff\"");
                    return None;
                }
                Some(dsp::Kind::Named(Some(name.into())))
            }
            (_, v, span) => {
                let found = v.describe();
                self.error(
                    span,
                    format!("`ctrl` takes a name, such as \"cutoff\", found {found}"),
                );
                None
            }
        }
    }

    /// Voices of an oscillator playing `notes` (Hz), each under the short default envelope.
    pub(super) fn osc_voices(
        &mut self,
        wave: dsp::oscillators::Wave,
        notes: Pattern<f64>,
    ) -> Signal {
        let instrument = Instrument::Osc {
            wave,
            envelope: OSC_ENVELOPE,
        };
        self.add_node(
            dsp::Kind::Voices {
                instrument,
                notes: Some(notes),
            },
            Vec::new(),
            1,
        )
    }

    /// A note pattern (`"c3 e3"`, `"110 220"`), a pattern of numbers or one frequency.
    fn notes(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Pattern<f64>> {
        match v {
            Val::Str { text, at } => self.frequencies(&text, at),
            Val::Num(x) => Some(pattern::pure(x)),
            Val::Values(p) => Some(p.fmap(|v| v.as_f64().unwrap_or(0.0))),
            other => {
                self.error(
                    span,
                    format!(
                        "expected notes or frequencies (such as \"c3 e3 g3\" or 55), found {}",
                        other.describe()
                    ),
                );
                None
            }
        }
    }

    /// A trigger pattern: every step that is not a rest, `0` or `f` starts something.
    pub(super) fn triggers(&mut self, v: Val<'r>, span: Range<usize>) -> Option<Pattern<f64>> {
        let values = match v {
            Val::Str { text, at } => self.read(&text, at, pattern::mini::ValueType::Untyped)?,
            Val::Values(p) => p,
            Val::Sounds { pattern, .. } => return Some(pattern.fmap(|_| 1.0)),
            other => {
                self.error(
                    span,
                    format!(
                        "expected a trigger pattern (such as \"x ~ x x\" or \"x(3,8)\"), found {}",
                        other.describe()
                    ),
                );
                return None;
            }
        };
        Some(
            values
                .filter_values(|v| match v {
                    Value::Num(x) => *x != 0.0,
                    Value::Bool(b) => *b,
                    Value::Str(s) => !matches!(&**s, "f" | "false"),
                    _ => true,
                })
                .fmap(|_| 1.0),
        )
    }

    /// A string of numbers read once as a list (`"0 1 0.5"`), or one number.
    fn number_list(
        &mut self,
        f: &Function,
        name: &str,
        v: Val<'r>,
        span: Range<usize>,
    ) -> Option<Vec<f32>> {
        let found = match &v {
            Val::Str { text, .. } => {
                match text
                    .split_whitespace()
                    .find(|w| w.parse::<f32>().map_or(true, |x| !x.is_finite()))
                {
                    None => {
                        return Some(
                            text.split_whitespace()
                                .filter_map(|w| w.parse::<f32>().ok())
                                .collect(),
                        )
                    }
                    Some(word) => format!("`{word}`"),
                }
            }
            Val::Num(x) => return Some(vec![*x as f32]),
            other => other.describe(),
        };
        self.error(
            span,
            format!(
                "`{name}` of `{}` must be a string of numbers such as \"0 1 0.5\", found {found}",
                f.name
            ),
        );
        None
    }

    /// `segments "0 1 0" "0.1 0.2"`: the levels and the times between them.
    fn breakpoints(
        &mut self,
        f: &Function,
        shaping: Vec<(&'static str, Val<'r>, Range<usize>)>,
        span: Range<usize>,
    ) -> Option<dsp::Kind> {
        let mut lists = Vec::new();
        for (name, v, span) in shaping {
            lists.push(self.number_list(f, name, v, span)?);
        }
        let [levels, times] = lists.as_slice() else {
            return None;
        };
        match Breakpoints::new(levels, times) {
            Some(points) => Some(dsp::Kind::Segments(Some(std::sync::Arc::new(points)))),
            None => {
                self.error(
                    span,
                    format!(
                        "`{}` needs 2 to {} levels and one time fewer than levels: found {} levels and {} times",
                        f.name,
                        dsp::envelopes::triggered::MAX_LEVELS,
                        levels.len(),
                        times.len()
                    ),
                );
                None
            }
        }
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
        let shaping = self.settings(f, args, &mut inputs, span)?;
        let kind = match f.node.clone()? {
            dsp::Kind::Env(_) => dsp::Kind::Env(match shaping.into_iter().next() {
                Some((_, v, span)) => Trigger::Events(self.triggers(v, span)?),
                None => self
                    .pattern_upstream(&inputs[0].1)
                    .map_or(Trigger::Once, Trigger::Events),
            }),
            dsp::Kind::Convolve(_) => match shaping.into_iter().next() {
                Some((_, Val::Str { text, at }, span)) => {
                    // Read as a sound pattern so the bank loads it and checks the name.
                    self.sounds(&text, at)?;
                    let name = text.trim();
                    if name.is_empty() || name.contains(char::is_whitespace) {
                        self.error(span, "`ir` names one sound, such as \"hall\"");
                        return None;
                    }
                    dsp::Kind::Convolve(Some(name.into()))
                }
                Some((_, v, span)) => {
                    self.error(
                        span,
                        format!(
                            "`ir` names a sound, such as \"hall\", found {}",
                            v.describe()
                        ),
                    );
                    return None;
                }
                None => dsp::Kind::Convolve(None),
            },
            kind => kind,
        };
        let channels = match kind.width() {
            Width::Mono => 1,
            Width::Stereo => 2,
            Width::AsInput => inputs[0].1.channels(),
        };
        Some(Val::Signal(self.add_node(kind, inputs, channels)))
    }

    /// Adds the bus `name` to `mix`, sounding for each `~name` step of `pattern` (gated by a
    /// short-edged envelope over the step), as Phonon played buses named in a sound pattern.
    fn bus_voice(
        &mut self,
        pattern: &Pattern<pattern::Sound>,
        name: &str,
        mix: Signal,
        span: Range<usize>,
    ) -> Option<Signal> {
        if !self.buses.contains_key(name) {
            // Reported where the sound string names it.
            return Some(mix);
        }
        if self.building_samplers.iter().any(|b| b == name) {
            // Said where the bus is defined (its last definition, the one that plays).
            let defined = self
                .statements
                .iter()
                .rev()
                .find(|s| matches!(&s.head, crate::ast::Head::Bus(b) if b == name))
                .map_or(span, |s| s.expr.span.clone());
            self.diagnostics.push(
                Diagnostic::error(
                    defined,
                    format!("`~{name}` is a step of its own sound pattern, through itself or other buses' steps"),
                )
                .with_help(format!(
                    "a bus cannot play itself as a step; play `~{name}` from an output or another bus"
                )),
            );
            return None;
        }
        let value = self.bus(name, span.clone())?;
        let signal = self.signal_input(value, span)?;
        let wanted: std::sync::Arc<str> = name.into();
        let steps = pattern
            .filter_values(move |s| bus_voice(s) == Some(&*wanted))
            .fmap(|_| 1.0);
        let channels = signal.channels();
        let gated = self.add_node(
            dsp::Kind::Env(Trigger::Events(steps)),
            vec![
                ("input", signal),
                ("attack", SignalInput::Const(0.002)),
                ("decay", SignalInput::Const(0.0)),
                ("sustain", SignalInput::Const(1.0)),
                ("release", SignalInput::Const(0.01)),
            ],
            channels,
        );
        Some(self.add_node(
            dsp::Kind::Math(dsp::MathOp::Add),
            vec![
                ("a", SignalInput::Signal(mix)),
                ("b", SignalInput::Signal(gated)),
            ],
            2,
        ))
    }

    /// The sound patterns a signal plays when it is nothing but samplers added together
    /// (`~call + ~response`), as one stack: what a transform piped after the sum takes.
    pub(super) fn sounds_played_by(signal: &SignalNode) -> Option<Pattern<pattern::Sound>> {
        match &signal.kind {
            SignalKind::Dsp(dsp::Kind::Sampler(p)) if signal.inputs.is_empty() => Some(p.clone()),
            SignalKind::Dsp(dsp::Kind::Math(dsp::MathOp::Add)) => {
                let [(_, SignalInput::Signal(a)), (_, SignalInput::Signal(b))] = &signal.inputs[..]
                else {
                    return None;
                };
                let (a, b) = (Self::sounds_played_by(a)?, Self::sounds_played_by(b)?);
                Some(pattern::stack(vec![a, b]))
            }
            _ => None,
        }
    }

    /// The pattern whose onsets drive a chain: the first note, number or sound pattern found
    /// walking up from `input` (first inputs first), for `env` to start on its events.
    fn pattern_upstream(&self, input: &SignalInput) -> Option<Pattern<f64>> {
        let mut stack = vec![input];
        let mut seen = std::collections::HashSet::new();
        while let Some(SignalInput::Signal(signal)) = stack.pop() {
            if !seen.insert(Signal::as_ptr(signal)) {
                continue;
            }
            match &signal.kind {
                SignalKind::Dsp(dsp::Kind::Numbers(p)) => return Some(p.clone()),
                SignalKind::Dsp(dsp::Kind::Voices { notes: Some(p), .. }) => {
                    return Some(p.clone())
                }
                SignalKind::Dsp(dsp::Kind::Sampler(p)) => return Some(p.fmap(|_| 1.0)),
                _ => stack.extend(signal.inputs.iter().rev().map(|(_, i)| i)),
            }
        }
        None
    }

    /// An envelope called without its input (`adsr 0.01 0.1 0.7 0.2`, `env_trig "x*4" …`): a
    /// generator, started every cycle or by its trigger pattern.
    pub(super) fn envelope_generator(
        &mut self,
        f: &'r Function,
        args: Vec<(Val<'r>, Range<usize>)>,
        span: Range<usize>,
    ) -> Option<Signal> {
        let mut inputs = vec![("input", SignalInput::Const(1.0))];
        let shaping = self.settings(f, args, &mut inputs, span)?;
        let trigger = match shaping.into_iter().next() {
            Some((_, v, span)) => Trigger::Events(self.triggers(v, span)?),
            None => Trigger::EveryCycle,
        };
        if f.node.as_ref().is_some_and(|k| k.is(&dsp::envelopes::AR)) {
            // attack, release → attack, decay 0, sustain 1, release.
            let release = inputs.pop()?;
            inputs.push(("decay", SignalInput::Const(0.0)));
            inputs.push(("sustain", SignalInput::Const(1.0)));
            inputs.push(release);
        }
        Some(self.add_node(dsp::Kind::Env(trigger), inputs, 1))
    }
}

/// The bus a `~name` step plays (without its `~`), if it is one.
fn bus_voice(s: &pattern::Sound) -> Option<&str> {
    let name = match &s.sound {
        Value::Str(name) => name,
        Value::List(parts) => match parts.first() {
            Some(Value::Str(name)) => name,
            _ => return None,
        },
        _ => return None,
    };
    name.strip_prefix('~')
}

/// The buses a sound pattern names in its first 64 cycles, in order of first use; each cycle's
/// query is bounded as the audio path bounds it, so a runaway pattern costs little here.
fn bus_voices(pattern: &Pattern<pattern::Sound>) -> Vec<String> {
    let mut arena = bumpalo::Bump::new();
    let mut names: Vec<String> = Vec::new();
    for cycle in 0..64 {
        let span = pattern::Span::new(pattern::Time::from(cycle), pattern::Time::from(cycle + 1));
        let (events, _) =
            pattern::budget::limited(dsp::QUERY_BUDGET, || pattern.query(span, &arena));
        for e in events.iter() {
            if let Some(name) = bus_voice(&e.value) {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
        }
        drop(events);
        arena.reset();
    }
    names
}
