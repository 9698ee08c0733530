//! Every node that is made from its ports alone, in the order `phonon functions` lists them:
//! adding such a node is its own file with its [`Declaration`] plus one line here.

use crate::declaration::Declaration;
use crate::{
    delays, dynamics, envelopes, filters, levels, live, midi_in, modulation, oscillators, reverbs,
};

/// The nodes, each declared beside its code.
pub static NODES: &[&Declaration] = &[
    // Oscillators and noise.
    &oscillators::SINE,
    &oscillators::SAW,
    &oscillators::SQUARE,
    &oscillators::TRI,
    &oscillators::NOISE,
    &oscillators::PINK,
    &oscillators::BROWN,
    &oscillators::IMPULSE,
    &oscillators::phasor::PHASOR,
    &oscillators::synthesis::FM,
    &oscillators::synthesis::WAVETABLE,
    &live::LIVE_INPUT,
    &midi_in::CC,
    // Ramps and envelopes.
    &envelopes::LINE,
    &envelopes::XLINE,
    &envelopes::triggered::CURVE,
    &envelopes::ADSR,
    &envelopes::AR,
    // Filters.
    &filters::LPF,
    &filters::HPF,
    &filters::BPF,
    &filters::NOTCH,
    &filters::ladder::MOOG,
    &filters::eq::PARAMETRIC_EQ,
    &filters::formant::FORMANT,
    &filters::formant::VOCODER,
    // Levels.
    &levels::GAIN,
    &levels::IF,
    &levels::SWITCH,
    &levels::PAN,
    &levels::MIN,
    &levels::MAX,
    &levels::CLIP,
    &levels::MIX,
    &levels::MTOF,
    &levels::LAG,
    &levels::PAN2_L,
    &levels::PAN2_R,
    // Delays and reverbs.
    &delays::DELAY,
    &delays::tape::TAPEDELAY,
    &delays::taps::MULTITAP,
    &delays::taps::PINGPONG,
    &reverbs::freeverb::REVERB,
    &reverbs::plate::PLATE,
    // Dynamics.
    &dynamics::distortion::DISTORT,
    &dynamics::distortion::BITCRUSH,
    &dynamics::LIMITER,
    &dynamics::COMPRESSOR,
    &delays::comb::COMB,
    &modulation::vibrato::VIBRATO,
    &modulation::phaser::PHASER,
    &dynamics::followers::RMS,
    &dynamics::followers::PEAK_FOLLOWER,
    &dynamics::followers::AMP_FOLLOWER,
    &dynamics::followers::SCHMIDT,
    &dynamics::followers::LATCH,
    // Modulation.
    &modulation::RING_MOD,
    &modulation::CHORUS,
    &modulation::FCHORUS,
    &modulation::FLANGER,
    &modulation::pitch::PITCH_SHIFT,
    &modulation::granular::FREEZE,
    &modulation::granular::GRANULAR,
];
