//! The kinds of node: one variant per node the engine can run, with its constructor, its
//! ports and its output width. The patch language maps names to kinds; nothing here knows names
//! a patch uses except as labels for listings.

use crate::envelopes::triggered::{Shape, Trigger, TriggeredEnvelope};
use crate::instruments::synth::Synth;
use crate::instruments::Instrument;
use crate::levels::{Math, MathOp};
use crate::oscillators::Wave;
use crate::patterns::PatternSignal;
use crate::samples::bank::SampleBank;
use crate::voice::sampler::Sampler;
use crate::{
    delays, dynamics, envelopes, filters, levels, modulation, oscillators, reverbs, LiveInput, Node,
};
use pattern::{Pattern, Sound};
use std::mem::Discriminant;
use std::sync::Arc;

/// What a node computes.
#[derive(Clone)]
pub enum Kind {
    /// Sine oscillator.
    Sine,
    /// Band-limited sawtooth oscillator.
    Saw,
    /// Band-limited pulse oscillator.
    Square,
    /// Band-limited triangle oscillator.
    Tri,
    /// White noise.
    Noise,
    /// Pink noise.
    Pink,
    /// Brown noise.
    Brown,
    /// Single-sample impulses at a frequency.
    Impulse,
    /// A straight ramp, then a hold.
    Line,
    /// An exponential ramp, then a hold.
    XLine,
    /// The engine's live input.
    Input,
    /// Low-pass filter.
    Lpf,
    /// High-pass filter.
    Hpf,
    /// Band-pass filter.
    Bpf,
    /// Notch filter.
    Notch,
    /// Four-pole ladder low-pass.
    Moog,
    /// ADSR envelope on a gate.
    Adsr,
    /// Attack-release envelope on a gate.
    Ar,
    /// Multiply by an amount.
    Gain,
    /// Equal-power pan.
    Pan,
    /// The smaller of two signals.
    Min,
    /// The larger of two signals.
    Max,
    /// Limit to a range.
    Clip,
    /// Crossfade to another signal.
    Mix,
    /// Feedback delay.
    Delay,
    /// Freeverb-class reverb.
    Reverb,
    /// Soft-clipping distortion.
    Distort,
    /// Ring modulation by a sine.
    RingMod,
    /// The left side of an equal-power pan.
    Pan2L,
    /// The right side of an equal-power pan.
    Pan2R,
    /// One-pole smoothing.
    Lag,
    /// Bit and rate reduction.
    Bitcrush,
    /// Modulated-delay chorus.
    Chorus,
    /// Peak limiter.
    Limiter,
    /// Arithmetic on its inputs `a` and `b`.
    Math(MathOp),
    /// A control signal that holds each event's value of a pattern of numbers.
    Numbers(Pattern<f64>),
    /// The sampler: plays a pattern of sounds.
    Sampler(Pattern<Sound>),
    /// Pitched synth voices: an instrument playing a pattern of frequencies, a voice per event.
    Voices {
        /// What every voice plays.
        instrument: Instrument,
        /// Frequencies in Hz (none in the registry's entry, which the compiler fills).
        notes: Option<Pattern<f64>>,
    },
    /// An ADSR envelope on its input that starts itself (`env`, `env_trig`, `adsr` alone).
    Env(Trigger),
    /// An attack-decay envelope that starts itself (`ad`).
    Ad(Trigger),
    /// A breakpoint envelope from when the node starts: levels and the seconds between them
    /// (none in the registry's entry, which the compiler fills).
    Segments(Option<Arc<envelopes::triggered::Breakpoints>>),
    /// A curved ramp, then a hold.
    Curve,
    /// A trigger signal: 1 on the frame each event of a pattern starts.
    Onsets(Pattern<f64>),
    /// Three-band parametric EQ.
    ParametricEq,
    /// Three formant band-passes.
    Formant,
    /// Channel vocoder.
    Vocoder,
    /// Delay-line pitch shifter.
    PitchShift,
    /// Loops the last moment while triggered.
    Freeze,
    /// Granulator.
    Granular,
    /// Tape echo with wow, flutter and saturation.
    TapeDelay,
    /// Multi-tap delay.
    MultiTap,
    /// Ping-pong stereo delay.
    PingPong,
    /// Flanger.
    Flanger,
    /// Three-voice chorus.
    Fchorus,
    /// Peak compressor.
    Compressor,
    /// Dattorro plate reverb.
    Plate,
    /// Two-operator FM pair.
    Fm,
    /// Wavetable oscillator.
    Wavetable,
    /// Additive synthesis of harmonics at fixed amplitudes (none in the registry's entry).
    Additive(Option<Arc<crate::oscillators::synthesis::Harmonics>>),
    /// Convolution with an impulse response: a sound of the sample bank, or a built-in room.
    Convolve(Option<Arc<str>>),
    /// A node the host adds to a program beside the patch's (an orbit of `phonon dirt`).
    Hosted(Hosted),
}

/// A node a host adds to a program, made by the host's own function: stereo, no inputs.
#[derive(Clone)]
pub struct Hosted {
    /// Its name in listings (`orbit`).
    pub label: &'static str,
    /// Which of the host's nodes it is: nodes of two programs with the same label and index
    /// are the same node.
    pub index: u8,
    /// Makes the node (on the control thread).
    pub make: MakeHosted,
}

/// How a host makes its node: called on the control thread for each program built.
pub type MakeHosted = Arc<dyn Fn(&Setup) -> Box<dyn Node> + Send + Sync>;

/// How many channels a node writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    /// One.
    Mono,
    /// Two.
    Stereo,
    /// As many as its first input.
    AsInput,
}

/// A kind without its patterns: nodes of two versions of a patch with the same identity and key
/// are the same node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KindKey {
    variant: Discriminant<Kind>,
    detail: u8,
}

/// What making a node needs besides its kind.
#[derive(Clone)]
pub struct Setup {
    /// Samples per second.
    pub sample_rate: f32,
    /// The channels the node will write.
    pub channels: usize,
    /// Where samplers find their sounds.
    pub bank: Arc<SampleBank>,
    /// Voices per sampler.
    pub sampler_voices: usize,
}

impl Kind {
    /// Every kind that takes only signals, in listing order.
    pub const UNITS: &'static [Kind] = &[
        Kind::Sine,
        Kind::Saw,
        Kind::Square,
        Kind::Tri,
        Kind::Noise,
        Kind::Pink,
        Kind::Brown,
        Kind::Impulse,
        Kind::Line,
        Kind::XLine,
        Kind::Input,
        Kind::Lpf,
        Kind::Hpf,
        Kind::Bpf,
        Kind::Notch,
        Kind::Moog,
        Kind::Adsr,
        Kind::Ar,
        Kind::Gain,
        Kind::Pan,
        Kind::Min,
        Kind::Max,
        Kind::Clip,
        Kind::Mix,
        Kind::Delay,
        Kind::Reverb,
        Kind::Distort,
        Kind::RingMod,
        Kind::Pan2L,
        Kind::Pan2R,
        Kind::Lag,
        Kind::Bitcrush,
        Kind::Chorus,
        Kind::Limiter,
        Kind::Curve,
        Kind::ParametricEq,
        Kind::Formant,
        Kind::Vocoder,
        Kind::PitchShift,
        Kind::Freeze,
        Kind::Granular,
        Kind::TapeDelay,
        Kind::MultiTap,
        Kind::PingPong,
        Kind::Flanger,
        Kind::Fchorus,
        Kind::Compressor,
        Kind::Plate,
        Kind::Fm,
        Kind::Wavetable,
        Kind::Convolve(None),
    ];

    /// Makes the node. Allocates; call on the control thread.
    pub fn make(&self, setup: &Setup) -> Box<dyn Node> {
        let (sr, channels) = (setup.sample_rate, setup.channels);
        match self {
            Kind::Sine => oscillators::make_sine(sr, channels),
            Kind::Saw => oscillators::make_saw(sr, channels),
            Kind::Square => oscillators::make_square(sr, channels),
            Kind::Tri => oscillators::make_tri(sr, channels),
            Kind::Noise => oscillators::make_noise(sr, channels),
            Kind::Pink => oscillators::make_pink(sr, channels),
            Kind::Brown => oscillators::make_brown(sr, channels),
            Kind::Impulse => oscillators::make_impulse(sr, channels),
            Kind::Line => envelopes::make_line(sr, channels),
            Kind::XLine => envelopes::make_xline(sr, channels),
            Kind::Input => make_in(sr, channels),
            Kind::Lpf => filters::make_lpf(sr, channels),
            Kind::Hpf => filters::make_hpf(sr, channels),
            Kind::Bpf => filters::make_bpf(sr, channels),
            Kind::Notch => filters::make_notch(sr, channels),
            Kind::Moog => filters::ladder::make_moog(sr, channels),
            Kind::Adsr => envelopes::make_adsr(sr, channels),
            Kind::Ar => envelopes::make_ar(sr, channels),
            Kind::Gain => levels::make_gain(sr, channels),
            Kind::Pan => levels::make_pan(sr, channels),
            Kind::Min => levels::make_min(sr, channels),
            Kind::Max => levels::make_max(sr, channels),
            Kind::Clip => levels::make_clip(sr, channels),
            Kind::Mix => levels::make_mix(sr, channels),
            Kind::Delay => delays::make_delay(sr, channels),
            Kind::Reverb => reverbs::freeverb::make_reverb(sr, channels),
            Kind::Distort => dynamics::distortion::make_distort(sr, channels),
            Kind::RingMod => modulation::make_ring_mod(sr, channels),
            Kind::Pan2L => levels::make_pan2_l(sr, channels),
            Kind::Pan2R => levels::make_pan2_r(sr, channels),
            Kind::Lag => levels::make_lag(sr, channels),
            Kind::Bitcrush => dynamics::distortion::make_bitcrush(sr, channels),
            Kind::Chorus => modulation::make_chorus(sr, channels),
            Kind::Limiter => dynamics::make_limiter(sr, channels),
            Kind::Math(op) => Box::new(Math(*op)),
            Kind::Numbers(p) => Box::new(PatternSignal::new(p.clone())),
            Kind::Sampler(p) => Box::new(Sampler::new(
                p.clone(),
                setup.bank.clone(),
                setup.sampler_voices,
                sr,
            )),
            Kind::Voices { instrument, notes } => Box::new(Synth::new(
                notes.clone().unwrap_or_else(pattern::silence),
                *instrument,
                sr,
            )),
            Kind::Env(t) => Box::new(TriggeredEnvelope::new(t.clone(), Shape::Adsr)),
            Kind::Ad(t) => Box::new(TriggeredEnvelope::new(t.clone(), Shape::Ad)),
            Kind::Segments(points) => Box::new(envelopes::triggered::Segments::new(
                points
                    .as_deref()
                    .copied()
                    .unwrap_or(envelopes::triggered::Breakpoints::EMPTY),
            )),
            Kind::Curve => envelopes::triggered::make_curve(sr, channels),
            Kind::Onsets(p) => Box::new(envelopes::triggered::Onsets::new(p.clone())),
            Kind::ParametricEq => filters::eq::make_parametric_eq(sr, channels),
            Kind::Formant => filters::formant::make_formant(sr, channels),
            Kind::Vocoder => filters::formant::make_vocoder(sr, channels),
            Kind::PitchShift => modulation::pitch::make_pitch_shift(sr, channels),
            Kind::Freeze => modulation::granular::make_freeze(sr, channels),
            Kind::Granular => modulation::granular::make_granular(sr, channels),
            Kind::TapeDelay => delays::tape::make_tapedelay(sr, channels),
            Kind::MultiTap => delays::taps::make_multitap(sr, channels),
            Kind::PingPong => delays::taps::make_pingpong(sr, channels),
            Kind::Flanger => modulation::make_flanger(sr, channels),
            Kind::Fchorus => modulation::make_fchorus(sr, channels),
            Kind::Compressor => dynamics::make_compressor(sr, channels),
            Kind::Plate => reverbs::plate::make_plate(sr, channels),
            Kind::Fm => oscillators::synthesis::make_fm(sr, channels),
            Kind::Wavetable => oscillators::synthesis::make_wavetable(sr, channels),
            Kind::Additive(h) => oscillators::synthesis::make_additive(
                h.as_deref()
                    .copied()
                    .unwrap_or(crate::oscillators::synthesis::Harmonics::EMPTY),
            ),
            Kind::Convolve(name) => {
                let longest = (crate::reverbs::convolve::MAX_IR_SECONDS * sr) as usize;
                let ir = name
                    .as_deref()
                    .and_then(|n| setup.bank.get(n, 0))
                    .and_then(|s| {
                        s.channels
                            .first()
                            .map(|c| c[..c.len().min(longest)].to_vec())
                    })
                    .unwrap_or_else(|| crate::reverbs::convolve::room(sr));
                Box::new(crate::reverbs::convolve::Convolver::new(&ir))
            }
            Kind::Hosted(hosted) => (hosted.make)(setup),
        }
    }

    /// Its input ports, in the order [`Node::process`] reads them.
    pub fn ports(&self) -> &'static [&'static str] {
        match self {
            Kind::Sine | Kind::Saw | Kind::Tri => &["freq"],
            Kind::Square => &["freq", "width"],
            Kind::Noise | Kind::Pink | Kind::Brown => &[],
            Kind::Input => &["channel"],
            Kind::Lpf | Kind::Hpf | Kind::Bpf | Kind::Notch => &["input", "cutoff", "q"],
            Kind::Moog => &["input", "cutoff", "resonance"],
            Kind::Adsr => &["input", "attack", "decay", "sustain", "release"],
            Kind::Ar => &["input", "attack", "release"],
            Kind::Gain => &["input", "amount"],
            Kind::Pan => &["input", "position"],
            Kind::Min | Kind::Max => &["input", "other"],
            Kind::Clip => &["input", "low", "high"],
            Kind::Mix => &["input", "other", "amount"],
            Kind::Delay => &["input", "time", "feedback", "mix"],
            Kind::Reverb => &["input", "size", "damping", "mix"],
            Kind::Distort => &["input", "drive", "mix"],
            Kind::RingMod => &["input", "freq"],
            Kind::Impulse => &["freq"],
            Kind::Line | Kind::XLine => &["start", "end", "time", "trigger"],
            Kind::Pan2L | Kind::Pan2R => &["input", "pan"],
            Kind::Lag => &["input", "time"],
            Kind::Bitcrush => &["input", "bits", "rate"],
            Kind::Chorus => &["input", "rate", "depth", "mix"],
            Kind::Limiter => &["input", "threshold", "release"],
            Kind::Math(_) => &["a", "b"],
            Kind::Env(_) => &["input", "attack", "decay", "sustain", "release"],
            Kind::Ad(_) => &["attack", "decay"],
            Kind::Curve => &["start", "end", "time", "curve", "trigger"],
            Kind::Segments(_) => &["trigger"],
            Kind::ParametricEq => &[
                "input",
                "low_freq",
                "low_gain",
                "low_q",
                "mid_freq",
                "mid_gain",
                "mid_q",
                "high_freq",
                "high_gain",
                "high_q",
            ],
            Kind::Formant => &["input", "f1", "f2", "f3", "bw1", "bw2", "bw3"],
            Kind::Vocoder => &["input", "carrier", "bands"],
            Kind::PitchShift => &["input", "semitones"],
            Kind::Freeze => &["input", "trigger"],
            Kind::Granular => &["input", "grain_ms", "density", "pitch"],
            Kind::TapeDelay => &[
                "input",
                "time",
                "feedback",
                "wow_rate",
                "wow_depth",
                "flutter_rate",
                "flutter_depth",
                "saturation",
                "mix",
            ],
            Kind::MultiTap => &["input", "time", "taps", "feedback", "mix"],
            Kind::PingPong => &["input", "time", "feedback", "width", "channel", "mix"],
            Kind::Flanger => &["input", "depth", "rate", "feedback"],
            Kind::Fchorus => &["input", "separation", "variation", "mod_frequency"],
            Kind::Compressor => &["input", "threshold", "ratio", "attack", "release", "makeup"],
            Kind::Plate => &[
                "input",
                "pre_delay",
                "decay",
                "diffusion",
                "damping",
                "mod_depth",
                "mix",
            ],
            Kind::Fm => &["carrier", "modulator", "index"],
            Kind::Wavetable => &["freq"],
            Kind::Additive(_) => &["freq"],
            Kind::Convolve(_) => &["input", "mix"],
            Kind::Hosted(_) => &[],
            Kind::Voices { instrument, .. } => instrument.ports(),
            // Each control, read at each onset (unset ones are NaN and ignored).
            Kind::Sampler(_) => &pattern::Control::NAMES,
            Kind::Numbers(_) | Kind::Onsets(_) => &[],
        }
    }

    /// How many channels it writes.
    pub fn width(&self) -> Width {
        match self {
            Kind::Sine
            | Kind::Saw
            | Kind::Square
            | Kind::Tri
            | Kind::Noise
            | Kind::Pink
            | Kind::Brown
            | Kind::Impulse
            | Kind::Line
            | Kind::XLine
            | Kind::Pan2L
            | Kind::Pan2R
            | Kind::Input => Width::Mono,
            Kind::Lpf
            | Kind::Hpf
            | Kind::Bpf
            | Kind::Notch
            | Kind::Moog
            | Kind::Adsr
            | Kind::Ar
            | Kind::Gain
            | Kind::Min
            | Kind::Max
            | Kind::Clip
            | Kind::Mix
            | Kind::Delay
            | Kind::Distort
            | Kind::RingMod
            | Kind::Lag
            | Kind::Bitcrush
            | Kind::Limiter
            | Kind::Env(_) => Width::AsInput,
            Kind::Ad(_)
            | Kind::Onsets(_)
            | Kind::Segments(_)
            | Kind::Curve
            | Kind::Additive(_)
            | Kind::Convolve(_) => Width::Mono,
            Kind::ParametricEq
            | Kind::Formant
            | Kind::PitchShift
            | Kind::Freeze
            | Kind::TapeDelay
            | Kind::MultiTap
            | Kind::Flanger
            | Kind::Fchorus
            | Kind::Compressor => Width::AsInput,
            Kind::Vocoder | Kind::Granular | Kind::Fm | Kind::Wavetable => Width::Mono,
            Kind::PingPong | Kind::Plate | Kind::Hosted(_) => Width::Stereo,
            Kind::Pan | Kind::Reverb | Kind::Chorus => Width::Stereo,
            Kind::Math(_) => Width::AsInput,
            Kind::Numbers(_) | Kind::Voices { .. } => Width::Mono,
            Kind::Sampler(_) => Width::Stereo,
        }
    }

    /// The oscillator, for kinds that can play pitched voices.
    pub fn wave(&self) -> Option<Wave> {
        match self {
            Kind::Sine => Some(Wave::Sine),
            Kind::Saw => Some(Wave::Saw),
            Kind::Square => Some(Wave::Square),
            Kind::Tri => Some(Wave::Triangle),
            _ => None,
        }
    }

    /// Its key for matching nodes across an edit.
    pub fn key(&self) -> KindKey {
        let detail = match self {
            Kind::Math(op) => *op as u8,
            Kind::Voices { instrument, .. } => instrument.id(),
            Kind::Hosted(hosted) => hosted.index,
            _ => 0,
        };
        KindKey {
            variant: std::mem::discriminant(self),
            detail,
        }
    }

    /// A short name for listings (`lpf`, `add`, `saw voices`).
    pub fn label(&self) -> &'static str {
        match self {
            Kind::Sine => "sine",
            Kind::Saw => "saw",
            Kind::Square => "square",
            Kind::Tri => "tri",
            Kind::Noise => "noise",
            Kind::Pink => "pink",
            Kind::Brown => "brown",
            Kind::Input => "in",
            Kind::Lpf => "lpf",
            Kind::Hpf => "hpf",
            Kind::Bpf => "bpf",
            Kind::Notch => "notch",
            Kind::Moog => "moog",
            Kind::Adsr => "adsr",
            Kind::Ar => "ar",
            Kind::Gain => "gain",
            Kind::Pan => "pan",
            Kind::Min => "min",
            Kind::Max => "max",
            Kind::Clip => "clip",
            Kind::Mix => "mix",
            Kind::Delay => "delay",
            Kind::Reverb => "reverb",
            Kind::Distort => "distort",
            Kind::RingMod => "ring_mod",
            Kind::Impulse => "impulse",
            Kind::Line => "line",
            Kind::XLine => "xline",
            Kind::Pan2L => "pan2_l",
            Kind::Pan2R => "pan2_r",
            Kind::Lag => "lag",
            Kind::Bitcrush => "bitcrush",
            Kind::Chorus => "chorus",
            Kind::Limiter => "limiter",
            Kind::Math(MathOp::Add) => "add",
            Kind::Math(MathOp::Sub) => "sub",
            Kind::Math(MathOp::Mul) => "mul",
            Kind::Math(MathOp::Div) => "div",
            Kind::Numbers(_) => "pattern",
            Kind::Sampler(_) => "sampler",
            Kind::Voices { instrument, .. } => instrument.label(),
            Kind::Env(_) => "env",
            Kind::Ad(_) => "ad",
            Kind::Segments(_) => "segments",
            Kind::Curve => "curve",
            Kind::Onsets(_) => "onsets",
            Kind::ParametricEq => "parametric_eq",
            Kind::Formant => "formant",
            Kind::Vocoder => "vocoder",
            Kind::PitchShift => "pitch_shift",
            Kind::Freeze => "freeze",
            Kind::Granular => "granular",
            Kind::TapeDelay => "tapedelay",
            Kind::MultiTap => "multitap",
            Kind::PingPong => "pingpong",
            Kind::Flanger => "flanger",
            Kind::Fchorus => "fchorus",
            Kind::Compressor => "compressor",
            Kind::Plate => "plate",
            Kind::Fm => "fm",
            Kind::Wavetable => "wavetable",
            Kind::Additive(_) => "additive",
            Kind::Convolve(_) => "convolve",
            Kind::Hosted(hosted) => hosted.label,
        }
    }
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Makes a live input.
fn make_in(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(LiveInput)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_makes_a_node_and_keys_differ() {
        let setup = Setup {
            sample_rate: 48_000.0,
            channels: 1,
            bank: Arc::new(SampleBank::new(48_000)),
            sampler_voices: 4,
        };
        let mut keys = std::collections::HashSet::new();
        for kind in Kind::UNITS {
            let _node = kind.make(&setup);
            assert!(keys.insert(kind.key()), "{kind:?} shares a key");
            assert!(!kind.label().is_empty());
        }
        assert_ne!(Kind::Math(MathOp::Add).key(), Kind::Math(MathOp::Mul).key());
    }
}
