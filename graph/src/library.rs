//! The node library's entries in the registry: oscillators, filters, envelopes, levels, math,
//! effects and live input. The DSP that runs them lives with the node implementations.

use crate::registry::{Function, Param, ParamKind, Registry, Role};
use dsp::Kind;
use pattern::Control;

const INPUT: Param = Param::required("input", ParamKind::Input, "");

const fn signal(name: &'static str, default: f64, unit: &'static str) -> Param {
    Param::optional(name, ParamKind::Signal, default, unit)
}

const fn node(
    name: &'static str,
    aliases: &'static [&'static str],
    role: Role,
    params: &'static [Param],
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
    }
}

/// A processor that, after `#` on a sound pattern, sets that control of each event instead.
const fn level(
    name: &'static str,
    aliases: &'static [&'static str],
    params: &'static [Param],
    kind: Kind,
    control: Control,
    doc: &'static str,
) -> Function {
    Function {
        name,
        aliases,
        role: Role::Processor,
        params,
        node: Some(kind),
        pattern: None,
        control: Some(control),
        doc,
    }
}

const FREQ: Param = signal("freq", 440.0, "Hz");

/// Every node of the library.
pub const NODES: &[Function] = &[
    node(
        "sine",
        &["sin", "sine_hz"],
        Role::Source,
        &[FREQ],
        Kind::Sine,
        "Sine oscillator.",
    ),
    node(
        "saw",
        &["sawtooth", "saw_hz"],
        Role::Source,
        &[FREQ],
        Kind::Saw,
        "Band-limited sawtooth oscillator.",
    ),
    node(
        "square",
        &["pulse", "square_hz"],
        Role::Source,
        &[FREQ, signal("width", 0.5, "")],
        Kind::Square,
        "Band-limited pulse oscillator with pulse width.",
    ),
    node(
        "tri",
        &["triangle", "tri_hz"],
        Role::Source,
        &[FREQ],
        Kind::Tri,
        "Band-limited triangle oscillator.",
    ),
    node(
        "noise",
        &["white", "white_noise"],
        Role::Source,
        &[],
        Kind::Noise,
        "White noise.",
    ),
    node(
        "pink",
        &["pinknoise", "pink_noise"],
        Role::Source,
        &[],
        Kind::Pink,
        "Pink noise: -3 dB per octave.",
    ),
    node(
        "line",
        &[],
        Role::Source,
        &[
            signal("start", 0.0, ""),
            signal("end", 1.0, ""),
            signal("time", 1.0, "s"),
        ],
        Kind::Line,
        "A straight ramp from start to end over time seconds from when the patch starts, then end.",
    ),
    node(
        "xline",
        &[],
        Role::Source,
        &[
            signal("start", 1.0, ""),
            signal("end", 0.001, ""),
            signal("time", 1.0, "s"),
        ],
        Kind::XLine,
        "An exponential ramp (equal ratios in equal times) from start to end, then end.",
    ),
    node(
        "impulse",
        &["impulse_hz"],
        Role::Source,
        &[signal("freq", 1.0, "Hz")],
        Kind::Impulse,
        "Single-sample impulses at a frequency: a click track or a trigger.",
    ),
    node(
        "brown",
        &["brown_noise", "brownnoise"],
        Role::Source,
        &[],
        Kind::Brown,
        "Brown noise: -6 dB per octave.",
    ),
    node(
        "in",
        &["input"],
        Role::Source,
        &[Param::optional("channel", ParamKind::Number, 1.0, "")],
        Kind::Input,
        "The engine's nth input channel (silence offline).",
    ),
    node(
        "lpf",
        &["lowpass"],
        Role::Processor,
        &[
            INPUT,
            signal("cutoff", 1000.0, "Hz"),
            signal("q", 0.707, ""),
        ],
        Kind::Lpf,
        "Resonant low-pass biquad filter.",
    ),
    node(
        "hpf",
        &["highpass"],
        Role::Processor,
        &[
            INPUT,
            signal("cutoff", 1000.0, "Hz"),
            signal("q", 0.707, ""),
        ],
        Kind::Hpf,
        "Resonant high-pass biquad filter.",
    ),
    node(
        "bpf",
        &["bandpass"],
        Role::Processor,
        &[
            INPUT,
            signal("cutoff", 1000.0, "Hz"),
            signal("q", 0.707, ""),
        ],
        Kind::Bpf,
        "Band-pass biquad filter.",
    ),
    node(
        "notch",
        &[],
        Role::Processor,
        &[
            INPUT,
            signal("cutoff", 1000.0, "Hz"),
            signal("q", 0.707, ""),
        ],
        Kind::Notch,
        "Notch (band-stop) biquad filter.",
    ),
    node(
        "moog",
        &["ladder"],
        Role::Processor,
        &[
            INPUT,
            signal("cutoff", 1000.0, "Hz"),
            signal("resonance", 0.5, ""),
        ],
        Kind::Moog,
        "Resonant four-pole ladder low-pass filter.",
    ),
    node(
        "adsr",
        &[],
        Role::Processor,
        &[
            INPUT,
            signal("attack", 0.01, "s"),
            signal("decay", 0.1, "s"),
            signal("sustain", 0.7, ""),
            signal("release", 0.2, "s"),
        ],
        Kind::Adsr,
        "Attack-decay-sustain-release envelope on a gate signal.",
    ),
    node(
        "ar",
        &[],
        Role::Processor,
        &[
            INPUT,
            signal("attack", 0.01, "s"),
            signal("release", 0.2, "s"),
        ],
        Kind::Ar,
        "Attack-release envelope on a gate signal.",
    ),
    level(
        "gain",
        &["amp"],
        &[INPUT, signal("amount", 1.0, "")],
        Kind::Gain,
        Control::Gain,
        "Multiply by a gain (on a sound pattern, sets each event's gain).",
    ),
    level(
        "pan",
        &[],
        &[INPUT, signal("position", 0.0, "")],
        Kind::Pan,
        Control::Pan,
        "Equal-power pan, -1 left to 1 right (on a sound pattern, 0 to 1 per event).",
    ),
    node(
        "min",
        &[],
        Role::Processor,
        &[INPUT, signal("other", 0.0, "")],
        Kind::Min,
        "The smaller of two signals.",
    ),
    node(
        "max",
        &[],
        Role::Processor,
        &[INPUT, signal("other", 0.0, "")],
        Kind::Max,
        "The larger of two signals.",
    ),
    node(
        "clip",
        &[],
        Role::Processor,
        &[INPUT, signal("low", -1.0, ""), signal("high", 1.0, "")],
        Kind::Clip,
        "Limit a signal to a range.",
    ),
    node(
        "mix",
        &[],
        Role::Processor,
        &[INPUT, signal("other", 0.0, ""), signal("amount", 0.5, "")],
        Kind::Mix,
        "Crossfade from the input to another signal.",
    ),
    node(
        "delay",
        &[],
        Role::Processor,
        &[
            INPUT,
            signal("time", 0.25, "s"),
            signal("feedback", 0.5, ""),
            signal("mix", 0.5, ""),
        ],
        Kind::Delay,
        "Feedback delay line.",
    ),
    node(
        "reverb",
        &["freeverb"],
        Role::Processor,
        &[
            INPUT,
            signal("size", 0.7, ""),
            signal("damping", 0.5, ""),
            signal("mix", 0.3, ""),
        ],
        Kind::Reverb,
        "Freeverb-class room reverb.",
    ),
    node(
        "distort",
        &["distortion", "dist"],
        Role::Processor,
        &[INPUT, signal("drive", 2.0, ""), signal("mix", 1.0, "")],
        Kind::Distort,
        "Soft-clipping distortion.",
    ),
    node(
        "lag",
        &["slew"],
        Role::Processor,
        &[INPUT, signal("time", 0.1, "s")],
        Kind::Lag,
        "One-pole smoothing: follows the input with a time constant (63% of a step after it).",
    ),
    node(
        "pan2_l",
        &[],
        Role::Processor,
        &[INPUT, signal("pan", 0.0, "")],
        Kind::Pan2L,
        "The left side of an equal-power pan, -1 (left) to 1 (right), as a mono signal.",
    ),
    node(
        "pan2_r",
        &[],
        Role::Processor,
        &[INPUT, signal("pan", 0.0, "")],
        Kind::Pan2R,
        "The right side of an equal-power pan, -1 (left) to 1 (right), as a mono signal.",
    ),
    node(
        "ring_mod",
        &["ringmod"],
        Role::Processor,
        &[INPUT, signal("freq", 100.0, "Hz")],
        Kind::RingMod,
        "Ring modulation: the input times a sine, leaving sum and difference frequencies.",
    ),
    node(
        "bitcrush",
        &["crush"],
        Role::Processor,
        &[INPUT, signal("bits", 8.0, ""), signal("rate", 1.0, "")],
        Kind::Bitcrush,
        "Reduce bit depth and sample rate.",
    ),
    node(
        "chorus",
        &[],
        Role::Processor,
        &[
            INPUT,
            signal("rate", 0.8, "Hz"),
            signal("depth", 0.4, ""),
            signal("mix", 0.5, ""),
        ],
        Kind::Chorus,
        "Modulated-delay chorus.",
    ),
    node(
        "limiter",
        &["limit"],
        Role::Processor,
        &[
            INPUT,
            signal("threshold", 0.9, ""),
            signal("release", 0.05, "s"),
        ],
        Kind::Limiter,
        "Peak limiter.",
    ),
];

/// Registers the node library. An oscillator's name also means its continuous pattern where a
/// pattern is expected (`range 1 5 saw`), as in Tidal.
pub fn register(r: &mut Registry) {
    for f in NODES {
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
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nodes read their inputs by position: the registry's parameters must be the kind's ports,
    /// in the same order.
    #[test]
    fn parameters_are_the_nodes_ports_in_order() {
        for f in NODES {
            let kind = f.node.as_ref().expect("a library entry names its node");
            let params: Vec<&str> = f.params.iter().map(|p| p.name).collect();
            assert_eq!(params, kind.ports(), "`{}`", f.name);
            assert_eq!(kind.label(), f.name, "the listing label is the name");
        }
        assert_eq!(NODES.len(), dsp::Kind::UNITS.len(), "every unit has a name");
    }
}
