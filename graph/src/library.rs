//! The node library's entries in the registry: oscillators, filters, envelopes, levels, math,
//! effects and live input. The DSP that runs them lives with the node implementations.

use crate::dsp::{self, effect, envelope, filter, ladder, level, osc, Make};
use crate::registry::{Channels, Control, Function, Param, ParamKind, Registry, Role};

const INPUT: Param = Param::required("input", ParamKind::Input, "");

const fn signal(name: &'static str, default: f64, unit: &'static str) -> Param {
    Param::optional(name, ParamKind::Signal, default, unit)
}

const fn node(
    name: &'static str,
    aliases: &'static [&'static str],
    role: Role,
    params: &'static [Param],
    channels: Channels,
    doc: &'static str,
    make: Option<Make>,
) -> Function {
    Function {
        name,
        aliases,
        role,
        params,
        channels,
        control: None,
        doc,
        make,
    }
}

const FREQ: Param = signal("freq", 440.0, "Hz");

/// Every node of the library.
pub const NODES: &[Function] = &[
    node(
        "sine",
        &["sin"],
        Role::Source,
        &[FREQ],
        Channels::Mono,
        "Sine oscillator.",
        Some(osc::make_sine),
    ),
    node(
        "saw",
        &["sawtooth"],
        Role::Source,
        &[FREQ],
        Channels::Mono,
        "Band-limited sawtooth oscillator.",
        Some(osc::make_saw),
    ),
    node(
        "square",
        &["pulse"],
        Role::Source,
        &[FREQ, signal("width", 0.5, "")],
        Channels::Mono,
        "Band-limited pulse oscillator with pulse width.",
        Some(osc::make_square),
    ),
    node(
        "tri",
        &["triangle"],
        Role::Source,
        &[FREQ],
        Channels::Mono,
        "Band-limited triangle oscillator.",
        Some(osc::make_tri),
    ),
    node(
        "noise",
        &["white"],
        Role::Source,
        &[],
        Channels::Mono,
        "White noise.",
        Some(osc::make_noise),
    ),
    node(
        "pink",
        &["pinknoise"],
        Role::Source,
        &[],
        Channels::Mono,
        "Pink noise.",
        Some(osc::make_pink),
    ),
    node(
        "in",
        &["input"],
        Role::Source,
        &[Param::optional("channel", ParamKind::Number, 1.0, "")],
        Channels::Mono,
        "The engine's nth input channel (silence offline).",
        Some(dsp::make_in),
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
        Channels::AsInput,
        "Resonant low-pass biquad filter.",
        Some(filter::make_lpf),
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
        Channels::AsInput,
        "Resonant high-pass biquad filter.",
        Some(filter::make_hpf),
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
        Channels::AsInput,
        "Band-pass biquad filter.",
        Some(filter::make_bpf),
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
        Channels::AsInput,
        "Notch (band-stop) biquad filter.",
        Some(filter::make_notch),
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
        Channels::AsInput,
        "Resonant four-pole ladder low-pass filter.",
        Some(ladder::make_moog),
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
        Channels::AsInput,
        "Attack-decay-sustain-release envelope on a gate signal.",
        Some(envelope::make_adsr),
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
        Channels::AsInput,
        "Attack-release envelope on a gate signal.",
        Some(envelope::make_ar),
    ),
    node(
        "gain",
        &["amp"],
        Role::Processor,
        &[INPUT, signal("amount", 1.0, "")],
        Channels::AsInput,
        "Multiply by a gain (on a sound pattern, sets each event's gain).",
        Some(level::make_gain),
    ),
    node(
        "pan",
        &[],
        Role::Processor,
        &[INPUT, signal("position", 0.0, "")],
        Channels::Stereo,
        "Equal-power pan, -1 left to 1 right (on a sound pattern, 0 to 1 per event).",
        Some(level::make_pan),
    ),
    node(
        "min",
        &[],
        Role::Processor,
        &[INPUT, signal("other", 0.0, "")],
        Channels::AsInput,
        "The smaller of two signals.",
        Some(level::make_min),
    ),
    node(
        "max",
        &[],
        Role::Processor,
        &[INPUT, signal("other", 0.0, "")],
        Channels::AsInput,
        "The larger of two signals.",
        Some(level::make_max),
    ),
    node(
        "clip",
        &[],
        Role::Processor,
        &[INPUT, signal("low", -1.0, ""), signal("high", 1.0, "")],
        Channels::AsInput,
        "Limit a signal to a range.",
        Some(level::make_clip),
    ),
    node(
        "mix",
        &[],
        Role::Processor,
        &[INPUT, signal("other", 0.0, ""), signal("amount", 0.5, "")],
        Channels::AsInput,
        "Crossfade from the input to another signal.",
        Some(level::make_mix),
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
        Channels::AsInput,
        "Feedback delay line.",
        Some(effect::make_delay),
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
        Channels::Stereo,
        "Freeverb-class room reverb.",
        Some(effect::make_reverb),
    ),
    node(
        "distort",
        &["distortion"],
        Role::Processor,
        &[INPUT, signal("drive", 2.0, ""), signal("mix", 1.0, "")],
        Channels::AsInput,
        "Soft-clipping distortion.",
        Some(effect::make_distort),
    ),
    node(
        "bitcrush",
        &["crush"],
        Role::Processor,
        &[INPUT, signal("bits", 8.0, ""), signal("rate", 1.0, "")],
        Channels::AsInput,
        "Reduce bit depth and sample rate.",
        Some(effect::make_bitcrush),
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
        Channels::Stereo,
        "Modulated-delay chorus.",
        Some(effect::make_chorus),
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
        Channels::AsInput,
        "Peak limiter.",
        Some(effect::make_limiter),
    ),
];

/// Registers the node library.
pub fn register(r: &mut Registry) {
    for f in NODES {
        let mut f = f.clone();
        f.control = match f.name {
            "gain" => Some(Control::Gain),
            "pan" => Some(Control::Pan),
            _ => None,
        };
        r.register(f);
    }
}
