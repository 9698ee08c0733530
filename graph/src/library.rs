//! The node library's entries in the registry. A node made from its ports alone declares
//! itself beside its code (`dsp::catalog`), and its entry is derived from that declaration;
//! what is written here are the nodes the compiler shapes from more than numbers (voices of an
//! instrument, envelopes started by a pattern, breakpoints, harmonics, an impulse response).

use crate::registry::{Function, ParamKind, ParamSpec, Registry, Role};
use dsp::declaration::{Declaration, Port, PortKind};
use dsp::envelopes::triggered::Trigger;
use dsp::instruments::Instrument;
use dsp::oscillators::Wave;
use dsp::Kind;
use std::sync::OnceLock;

const INPUT: ParamSpec = ParamSpec::required("input", ParamKind::Input, "");

const fn signal(name: &'static str, default: f64, unit: &'static str) -> ParamSpec {
    ParamSpec::optional(name, ParamKind::Signal, default, unit)
}

const fn node(
    name: &'static str,
    aliases: &'static [&'static str],
    role: Role,
    params: &'static [ParamSpec],
    kind: Kind,
    doc: &'static str,
) -> Function {
    Function {
        name,
        aliases,
        role,
        params,
        node: Some(kind),
        pattern: None,
        control: None,
        doc,
        example: "",
    }
}

/// A port as a parameter of the language.
fn param(port: &Port) -> ParamSpec {
    let default = widen(port.default);
    let mut spec = match port.kind {
        PortKind::Input => ParamSpec::required(port.name, ParamKind::Input, ""),
        PortKind::Signal => ParamSpec::optional(port.name, ParamKind::Signal, default, port.unit),
        PortKind::Number => ParamSpec::optional(port.name, ParamKind::Number, default, port.unit),
        // Left out, the node runs once (a default of 0); given, a pattern's steps or a signal
        // restart it.
        PortKind::Trigger => ParamSpec::optional(port.name, ParamKind::Triggers, 0.0, ""),
    };
    spec.range = port.range().map(|(low, high)| (widen(low), widen(high)));
    spec
}

/// `x` as the f64 that prints as it does (0.707, not 0.7070000171661377).
fn widen(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

/// The registry entry of a declared node.
fn declared(declaration: &'static Declaration, params: &'static [ParamSpec]) -> Function {
    Function {
        name: declaration.name,
        aliases: declaration.aliases,
        role: if declaration.takes_input() {
            Role::Processor
        } else {
            Role::Source
        },
        params,
        node: Some(Kind::Node(declaration)),
        pattern: None,
        control: declaration.control,
        doc: declaration.doc,
        example: declaration.example,
    }
}

/// The entries of every declared node, made once.
pub fn declared_nodes() -> &'static [Function] {
    static ENTRIES: OnceLock<Vec<Function>> = OnceLock::new();
    static PARAMS: OnceLock<Vec<Vec<ParamSpec>>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let params = PARAMS.get_or_init(|| {
            dsp::catalog::NODES
                .iter()
                .map(|d| d.ports.iter().map(param).collect())
                .collect()
        });
        dsp::catalog::NODES
            .iter()
            .zip(params)
            .map(|(d, params)| declared(d, params))
            .collect()
    })
}

const FREQ: ParamSpec = signal("freq", 440.0, "Hz");
/// A trigger pattern that starts a ramp again at each of its steps (none, a default of 0: it
/// runs once).
const RESTART: ParamSpec = ParamSpec::optional("trigger", ParamKind::Triggers, 0.0, "");
const NOTES: ParamSpec = ParamSpec::required("freq", ParamKind::Notes, "Hz");

/// Voices of `instrument`, each started by an event of the note pattern.
const fn voices(
    name: &'static str,
    params: &'static [ParamSpec],
    instrument: Instrument,
    doc: &'static str,
) -> Function {
    node(
        name,
        &[],
        Role::Source,
        params,
        Kind::Voices {
            instrument,
            notes: None,
        },
        doc,
    )
}

const TRIGGERED_OSC: &[ParamSpec] = &[
    NOTES,
    signal("attack", 0.001, "s"),
    signal("decay", 0.1, "s"),
    signal("sustain", 0.0, ""),
    signal("release", 0.1, "s"),
];

/// A note-triggered oscillator (`sine_trig "c4 e4" 0.01 0.2 0.5 0.3`).
const fn triggered_osc(name: &'static str, wave: Wave, doc: &'static str) -> Function {
    voices(
        name,
        TRIGGERED_OSC,
        Instrument::Osc {
            wave,
            envelope: [0.001, 0.1, 0.0, 0.1],
        },
        doc,
    )
}

/// The voice library: note-triggered oscillators and SuperDirt-style instruments.
pub const VOICES: &[Function] = &[
    triggered_osc(
        "sine_trig",
        Wave::Sine,
        "A sine voice per event of a note pattern, under an ADSR envelope held for the event.",
    ),
    triggered_osc(
        "saw_trig",
        Wave::Saw,
        "A sawtooth voice per event of a note pattern, under an ADSR envelope held for the event.",
    ),
    triggered_osc(
        "square_trig",
        Wave::Square,
        "A square voice per event of a note pattern, under an ADSR envelope held for the event.",
    ),
    triggered_osc(
        "tri_trig",
        Wave::Triangle,
        "A triangle voice per event of a note pattern, under an ADSR envelope held for the event.",
    ),
    voices(
        "supersaw",
        &[NOTES, signal("detune", 0.3, ""), signal("voices", 7.0, "")],
        Instrument::SUPERSAW,
        "Detuned saws (2-7, spread up to ±10%) per event of a note pattern: pads and leads.",
    ),
    voices(
        "superkick",
        &[
            NOTES,
            signal("pitch_env", 0.5, ""),
            signal("sustain", 0.3, "s"),
            signal("noise", 0.1, ""),
        ],
        Instrument::SUPERKICK,
        "A sine kick per event: pitch swept down over 50 ms, a noise click, decaying over sustain.",
    ),
    voices(
        "supersnare",
        &[
            NOTES,
            signal("snappy", 0.8, ""),
            signal("sustain", 0.15, "s"),
        ],
        Instrument::SUPERSNARE,
        "A snare per event: a pitched body and a noise burst (snappy its level).",
    ),
    voices(
        "superhat",
        &[
            signal("bright", 0.7, ""),
            signal("sustain", 0.05, "s"),
            ParamSpec::optional("trigger", ParamKind::Triggers, 1.0, ""),
        ],
        Instrument::SUPERHAT,
        "A hi-hat of high-passed noise, once a cycle or at each step of a trigger pattern.",
    ),
    voices(
        "superfm",
        &[
            NOTES,
            signal("mod_ratio", 2.0, ""),
            signal("mod_index", 1.0, ""),
        ],
        Instrument::SUPERFM,
        "Two-operator FM per event: a sine modulator at mod_ratio times the note.",
    ),
    voices(
        "superchip",
        &[
            NOTES,
            signal("vibrato_rate", 5.0, "Hz"),
            signal("vibrato_depth", 0.05, ""),
        ],
        Instrument::SUPERCHIP,
        "A chiptune square with vibrato per event of a note pattern.",
    ),
    voices(
        "pluck",
        &[NOTES, signal("damping", 0.5, "")],
        Instrument::Pluck {
            damping: 0.5,
            pickup: 0.0,
        },
        "A plucked string (Karplus-Strong) per event of a note pattern; damping shortens it.",
    ),
    voices(
        "waveguide",
        &[NOTES, signal("damping", 0.5, ""), signal("pickup", 0.5, "")],
        Instrument::Pluck {
            damping: 0.5,
            pickup: 0.5,
        },
        "A waveguide string per event: plucked at pickup (0-1 along it), which shapes its tone.",
    ),
    voices(
        "superpwm",
        &[
            NOTES,
            signal("pwm_rate", 0.5, "Hz"),
            signal("pwm_depth", 0.8, ""),
        ],
        Instrument::SUPERPWM,
        "Two pulse waves with their width swept by a sine, per event of a note pattern.",
    ),
];

/// The nodes the compiler shapes from more than numbers.
pub const SHAPED: &[Function] = &[
    node(
        "ctrl",
        &[],
        Role::Source,
        &[
            ParamSpec::required("name", ParamKind::Words, ""),
            signal("default", 0.0, ""),
        ],
        Kind::Named(None),
        "A value a controller sets by name over the control port (`/set cutoff 800`), its \
         default until then: a knob for a running patch.",
    ),
    crate::transforms::with_example(
        node(
            "keys",
            &["midi_keys"],
            Role::Source,
            &[
                ParamSpec::required("sound", ParamKind::Words, ""),
                signal("channel", 0.0, ""),
                signal("attack", 0.005, "s"),
                signal("decay", 0.0, "s"),
                signal("sustain", 1.0, ""),
                signal("release", 0.1, "s"),
            ],
            Kind::Keys(None),
            "A keyboard on `--midi-in` playing a synth (`sine`, `sawtooth`, `square`, `triangle` or \
             a library synth such as `superpiano`): up to 16 notes at once, each as loud as it was \
             struck, held by the sustain pedal; `channel` 1–16 listens to one channel (0: any), \
             and an oscillator takes the envelope.",
        ),
        "out: keys \"sawtooth\" :release 0.3 * 0.5",
    ),
    node(
        "env",
        &["envelope"],
        Role::Processor,
        &[
            INPUT,
            signal("attack", 0.01, "s"),
            signal("decay", 0.1, "s"),
            signal("sustain", 0.7, ""),
            signal("release", 0.2, "s"),
        ],
        Kind::Env(Trigger::Once),
        "ADSR envelope on the chain, started by the onsets of its pattern (held for each event), \
         or once when it has none; alone, every cycle.",
    ),
    node(
        "env_trig",
        &[],
        Role::Processor,
        &[
            INPUT,
            ParamSpec::required("trigger", ParamKind::Triggers, ""),
            signal("attack", 0.001, "s"),
            signal("decay", 0.1, "s"),
            signal("sustain", 0.0, ""),
            signal("release", 0.1, "s"),
        ],
        Kind::Env(Trigger::Once),
        "ADSR envelope started by each step of a trigger pattern (`\"x(3,8)\"`), held for the step.",
    ),
    node(
        "ad",
        &[],
        Role::Source,
        &[
            signal("attack", 0.01, "s"),
            signal("decay", 0.1, "s"),
            ParamSpec::optional("trigger", ParamKind::Triggers, 1.0, ""),
        ],
        Kind::Ad(Trigger::EveryCycle),
        "Attack-decay envelope, every cycle or at each step of a trigger pattern.",
    ),
    node(
        "segments",
        &[],
        Role::Source,
        &[
            ParamSpec::required("levels", ParamKind::Levels, ""),
            ParamSpec::required("times", ParamKind::Levels, "s"),
            RESTART,
        ],
        Kind::Segments(None),
        "Straight segments through the levels, times seconds apart: from when the patch starts, or again at each step of a trigger pattern.",
    ),
    node(
        "additive",
        &[],
        Role::Source,
        &[FREQ, ParamSpec::required("amplitudes", ParamKind::Levels, "")],
        Kind::Additive(None),
        "Additive synthesis: harmonics 1, 2, … of freq at the given amplitudes (up to 32).",
    ),
    node(
        "convolve",
        &["convolution"],
        Role::Processor,
        &[
            INPUT,
            signal("mix", 1.0, ""),
            ParamSpec::optional("ir", ParamKind::Sounds, 0.0, ""),
        ],
        Kind::Convolve(None),
        "Convolution reverb: the input through an impulse response, a sound of the bank \
         (`:ir \"hall\"`) or a built-in room; 128 frames late.",
    ),
];

/// Registers the node library. An oscillator's name also means its continuous pattern where a
/// pattern is expected (`range 1 5 saw`), as in Tidal.
pub fn register(r: &mut Registry) {
    for f in declared_nodes().iter().chain(SHAPED).chain(VOICES) {
        let mut f = f.clone();
        f.pattern = f.node.as_ref().and_then(crate::transforms::signal_pattern);
        r.register(f);
    }
}

impl Registry {
    /// Everything Phonon ships: pattern functions, sound controls and the node library.
    pub fn standard() -> Registry {
        let mut r = Registry::new();
        crate::transforms::register(&mut r);
        register(&mut r);
        crate::transforms::register_controls(&mut r);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nodes the compiler shapes read their inputs as their kind's ports: the registry's
    /// parameters that are ports must be those, in the same order.
    #[test]
    fn shaped_parameters_are_the_nodes_ports_in_order() {
        for f in SHAPED {
            let kind = f.node.as_ref().expect("a library entry names its node");
            let params: Vec<&str> = f
                .params
                .iter()
                .filter(|p| p.kind.is_port() || kind.ports().contains(&p.name))
                .map(|p| p.name)
                .collect();
            assert_eq!(params, kind.ports(), "`{}`", f.name);
        }
        // A voice's parameters are its instrument's ports, in order (some may be left out at
        // the end: `pluck` has no pickup).
        for f in VOICES {
            let kind = f.node.as_ref().expect("a library entry names its node");
            let params: Vec<&str> = f
                .params
                .iter()
                .filter(|p| p.kind.is_port())
                .map(|p| p.name)
                .collect();
            assert_eq!(params, kind.ports()[..params.len()], "`{}`", f.name);
        }
    }

    #[test]
    fn every_declared_node_is_a_function_of_its_name_with_its_ports() {
        let registry = Registry::standard();
        for declaration in dsp::catalog::NODES {
            let f = registry.get(declaration.name).expect("registered");
            assert_eq!(
                f.node.as_ref().map(Kind::key),
                Some(Kind::Node(declaration).key())
            );
            let names: Vec<&str> = f.params.iter().map(|p| p.name).collect();
            let ports: Vec<&str> = declaration.ports.iter().map(|p| p.name).collect();
            assert_eq!(names, ports, "`{}`", declaration.name);
            for alias in declaration.aliases {
                assert_eq!(registry.get(alias).map(|f| f.name), Some(declaration.name));
            }
        }
        let cutoff = &registry.get("lpf").expect("lpf").params[1];
        assert_eq!(
            (cutoff.name, cutoff.default, cutoff.unit, cutoff.range),
            ("cutoff", Some(1000.0), "Hz", Some((10.0, 24_000.0)))
        );
    }

    #[test]
    fn every_declared_example_compiles_and_calls_its_node() {
        let registry = Registry::standard();
        let mut wrong = Vec::new();
        for declaration in dsp::catalog::NODES {
            let source =
                crate::diagnostic::Source::new("example.ph", format!("{}\n", declaration.example));
            let compiled = crate::compile(&source, &registry);
            let errors: Vec<String> = compiled
                .diagnostics
                .iter()
                .map(|d| source.render(d))
                .collect();
            let plays = compiled.graph.is_some_and(|graph| {
                graph.nodes.iter().any(
                    |n| matches!(&n.kind, crate::ir::GraphNodeKind::Dsp(k) if k.is(declaration)),
                )
            });
            if !errors.is_empty() || !plays {
                wrong.push(format!("`{}`: {errors:?}", declaration.example));
            }
        }
        assert_eq!(
            wrong,
            Vec::<String>::new(),
            "examples that do not play their node"
        );
    }
}
