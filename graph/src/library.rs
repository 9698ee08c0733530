//! The node library's entries in the registry: oscillators, filters, envelopes, levels, math,
//! effects and live input. The DSP that runs them lives with the node implementations.

use crate::registry::{Function, ParamKind, ParamSpec, Registry, Role};
use dsp::envelopes::triggered::Trigger;
use dsp::instruments::Instrument;
use dsp::oscillators::Wave;
use dsp::Kind;
use pattern::Control;

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
    }
}

/// A processor that, after `#` on a sound pattern, sets that control of each event instead.
const fn level(
    name: &'static str,
    aliases: &'static [&'static str],
    params: &'static [ParamSpec],
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

const FREQ: ParamSpec = signal("freq", 440.0, "Hz");
/// A trigger pattern that starts a ramp again at each of its steps (none: it runs once).
const RESTART: ParamSpec = ParamSpec::optional("trigger", ParamKind::Triggers, 1.0, "");
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
        &["sawtooth", "saw_hz", "soft_saw_hz"],
        Role::Source,
        &[FREQ],
        Kind::Saw,
        "Band-limited sawtooth oscillator.",
    ),
    node(
        "square",
        &["pulse", "square_hz", "pulse_hz"],
        Role::Source,
        &[FREQ, signal("width", 0.5, "")],
        Kind::Square,
        "Band-limited pulse oscillator with pulse width.",
    ),
    node(
        "tri",
        &["triangle", "tri_hz", "triangle_hz"],
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
            RESTART,
        ],
        Kind::Line,
        "A straight ramp from start to end over time seconds, then end: from when the patch starts, or again at each step of a trigger pattern.",
    ),
    node(
        "xline",
        &[],
        Role::Source,
        &[
            signal("start", 1.0, ""),
            signal("end", 0.001, ""),
            signal("time", 1.0, "s"),
            RESTART,
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
        &[ParamSpec::optional("channel", ParamKind::Number, 1.0, "")],
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
        &["ladder", "moog_ladder", "moog_hz"],
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
        "Attack-decay-sustain-release envelope on a gate signal (alone, every cycle).",
    ),
    node(
        "ar",
        &["asr"],
        Role::Processor,
        &[
            INPUT,
            signal("attack", 0.01, "s"),
            signal("release", 0.2, "s"),
        ],
        Kind::Ar,
        "Attack-release envelope on a gate signal (alone, every cycle).",
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
        "curve",
        &[],
        Role::Source,
        &[
            signal("start", 0.0, ""),
            signal("end", 1.0, ""),
            signal("time", 1.0, "s"),
            signal("curve", 0.0, ""),
            RESTART,
        ],
        Kind::Curve,
        "A curved ramp from start to end over time seconds (curve 0 straight, > 0 slow then fast), restarted by a trigger pattern if given.",
    ),
    node(
        "fm",
        &[],
        Role::Source,
        &[signal("carrier", 440.0, "Hz"), signal("modulator", 220.0, "Hz"), signal("index", 1.0, "")],
        Kind::Fm,
        "Two-operator FM: a sine carrier phase-modulated by a sine, index radians deep.",
    ),
    node(
        "wavetable",
        &[],
        Role::Source,
        &[FREQ],
        Kind::Wavetable,
        "Wavetable oscillator on a built-in warm table (16 harmonics falling as 1/n²).",
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
        "parametric_eq",
        &["eq"],
        Role::Processor,
        &[
            INPUT,
            signal("low_freq", 100.0, "Hz"),
            signal("low_gain", 0.0, "dB"),
            signal("low_q", 0.707, ""),
            signal("mid_freq", 1000.0, "Hz"),
            signal("mid_gain", 0.0, "dB"),
            signal("mid_q", 1.0, ""),
            signal("high_freq", 8000.0, "Hz"),
            signal("high_gain", 0.0, "dB"),
            signal("high_q", 0.707, ""),
        ],
        Kind::ParametricEq,
        "Three-band EQ: low shelf, peaking bell and high shelf, gains in dB.",
    ),
    node(
        "formant",
        &[],
        Role::Processor,
        &[
            INPUT,
            signal("f1", 730.0, "Hz"),
            signal("f2", 1090.0, "Hz"),
            signal("f3", 2440.0, "Hz"),
            signal("bw1", 80.0, "Hz"),
            signal("bw2", 90.0, "Hz"),
            signal("bw3", 120.0, "Hz"),
        ],
        Kind::Formant,
        "Formant filter: three band-passes at a vowel's formants (defaults: 'a').",
    ),
    node(
        "vocoder",
        &[],
        Role::Processor,
        &[INPUT, signal("carrier", 0.0, ""), signal("bands", 8.0, "")],
        Kind::Vocoder,
        "Channel vocoder: the input's level in each band (100 Hz-8 kHz) shapes the carrier's.",
    ),
    node(
        "pitch_shift",
        &["pitchshift"],
        Role::Processor,
        &[INPUT, signal("semitones", 0.0, "")],
        Kind::PitchShift,
        "Pitch shifter: two crossfaded delay-line heads, same length, pitch moved by semitones.",
    ),
    node(
        "freeze",
        &[],
        Role::Processor,
        &[INPUT, signal("trigger", 0.0, "")],
        Kind::Freeze,
        "While the trigger is above 0.5, loop the last 0.2 s seamlessly; otherwise pass the input.",
    ),
    node(
        "granular",
        &[],
        Role::Processor,
        &[INPUT, signal("grain_ms", 50.0, "ms"), signal("density", 0.5, ""), signal("pitch", 1.0, "")],
        Kind::Granular,
        "Granulator: windowed grains of the last two seconds of its input, at a pitch ratio.",
    ),
    node(
        "tapedelay",
        &["tape"],
        Role::Processor,
        &[
            INPUT,
            signal("time", 0.375, "s"),
            signal("feedback", 0.5, ""),
            signal("wow_rate", 0.5, "Hz"),
            signal("wow_depth", 0.002, ""),
            signal("flutter_rate", 6.0, "Hz"),
            signal("flutter_depth", 0.0005, ""),
            signal("saturation", 0.3, ""),
            signal("mix", 0.5, ""),
        ],
        Kind::TapeDelay,
        "Tape echo: the time wanders with wow and flutter, repeats saturate and darken.",
    ),
    node(
        "multitap",
        &[],
        Role::Processor,
        &[INPUT, signal("time", 0.125, "s"), signal("taps", 4.0, ""), signal("feedback", 0.5, ""), signal("mix", 0.5, "")],
        Kind::MultiTap,
        "Multi-tap delay: taps at 1, 2, … taps times the time, each feedback times quieter.",
    ),
    node(
        "pingpong",
        &[],
        Role::Processor,
        &[
            INPUT,
            signal("time", 0.25, "s"),
            signal("feedback", 0.5, ""),
            signal("width", 1.0, ""),
            signal("channel", 0.0, ""),
            signal("mix", 0.5, ""),
        ],
        Kind::PingPong,
        "Ping-pong delay: echoes alternate left and right (channel 1 starts right).",
    ),
    node(
        "flanger",
        &[],
        Role::Processor,
        &[INPUT, signal("depth", 0.5, ""), signal("rate", 0.5, "Hz"), signal("feedback", 0.5, "")],
        Kind::Flanger,
        "Flanger: a 1-6 ms delay swept by a sine, with feedback, mixed with the input.",
    ),
    node(
        "fchorus",
        &[],
        Role::Processor,
        &[INPUT, signal("separation", 0.015, "s"), signal("variation", 0.005, "s"), signal("mod_frequency", 0.3, "Hz")],
        Kind::Fchorus,
        "Three-voice chorus: voices separation apart, swung by variation at mod_frequency.",
    ),
    node(
        "compressor",
        &[],
        Role::Processor,
        &[
            INPUT,
            signal("threshold", -12.0, "dB"),
            signal("ratio", 4.0, ""),
            signal("attack", 0.01, "s"),
            signal("release", 0.1, "s"),
            signal("makeup", 0.0, "dB"),
        ],
        Kind::Compressor,
        "Compressor: above threshold, the level rises 1/ratio as fast; then makeup gain.",
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
    node(
        "plate",
        &[],
        Role::Processor,
        &[
            INPUT,
            signal("pre_delay", 20.0, "ms"),
            signal("decay", 2.0, "s"),
            signal("diffusion", 0.7, ""),
            signal("damping", 0.5, ""),
            signal("mod_depth", 0.3, ""),
            signal("mix", 0.5, ""),
        ],
        Kind::Plate,
        "Plate reverb (Dattorro): pre-delay, diffusion, a damped tank decaying in decay seconds.",
    ),
    level(
        "gain",
        &[],
        &[INPUT, signal("amount", 1.0, "")],
        Kind::Gain,
        Control::Gain,
        "Multiply by a gain (on a sound pattern, sets each event's gain: level amp × gain⁴).",
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
    for f in NODES.iter().chain(VOICES) {
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

    /// Nodes read their inputs by position: the registry's parameters must be the kind's ports,
    /// in the same order.
    #[test]
    fn parameters_are_the_nodes_ports_in_order() {
        for f in NODES {
            let kind = f.node.as_ref().expect("a library entry names its node");
            // A trigger pattern may feed a `trigger` port (through an onsets node).
            let params: Vec<&str> = f
                .params
                .iter()
                .filter(|p| p.kind.is_port() || kind.ports().contains(&p.name))
                .map(|p| p.name)
                .collect();
            assert_eq!(params, kind.ports(), "`{}`", f.name);
            // Nodes the compiler shapes (`env_trig` is `env` with its trigger) share a label.
            if f.params.iter().all(|p| p.kind.is_port()) {
                assert_eq!(kind.label(), f.name, "the listing label is the name");
            }
        }
        for unit in dsp::Kind::UNITS {
            assert!(
                NODES
                    .iter()
                    .any(|f| f.node.as_ref().map(|k| k.key()) == Some(unit.key())),
                "{unit:?} has a name"
            );
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
}
