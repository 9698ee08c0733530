//! The kinds of node: a node made from its ports alone, known by its [`Declaration`], or one
//! the compiler shapes from more than numbers (a pattern, an instrument, breakpoints, an impulse
//! response, a host's own node). Each kind gives its constructor, its ports and its width.

use crate::declaration::{Declaration, Port};
use crate::envelopes::triggered::{self, AdPorts, EnvPorts, Shape, Trigger, TriggeredEnvelope};
use crate::instruments::synth::Synth;
use crate::instruments::Instrument;
use crate::levels::{Math, MathOp, MathPorts};
use crate::named::{NamedValue, NamedValuePorts, NamedValues};
use crate::oscillators::{self, synthesis, Wave};
use crate::patterns::PatternSignal;
use crate::reverbs::convolve;
use crate::samples::bank::SampleBank;
use crate::voice::sampler::Sampler;
use crate::Node;
use pattern::{Pattern, Sound};
use std::mem::Discriminant;
use std::sync::Arc;

/// What a node computes.
#[derive(Clone)]
pub enum Kind {
    /// A node made from its ports alone, declared beside its code (see [`crate::catalog`]).
    Node(&'static Declaration),
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
    Segments(Option<Arc<triggered::Breakpoints>>),
    /// A trigger signal: 1 on the frame each event of a pattern starts.
    Onsets(Pattern<f64>),
    /// Additive synthesis of harmonics at fixed amplitudes (none in the registry's entry).
    Additive(Option<Arc<crate::oscillators::synthesis::Harmonics>>),
    /// Convolution with an impulse response: a sound of the sample bank, or a built-in room.
    Convolve(Option<Arc<str>>),
    /// A node the host adds to a program beside the patch's (an orbit of `phonon dirt`).
    Hosted(Hosted),
    /// A value a controller sets by name (`ctrl "cutoff" 800`; none in the registry's entry,
    /// which the compiler fills).
    Named(Option<Arc<str>>),
    /// An instrument played from the MIDI input's notes (`keys "sawtooth"`; none in the
    /// registry's entry, which the compiler fills).
    Keys(Option<crate::instruments::Instrument>),
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
    name: &'static str,
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
    /// The values controllers set by name, for `ctrl` nodes.
    pub named: Arc<NamedValues>,
}

impl Kind {
    /// Makes the node. Allocates; call on the control thread.
    pub fn make(&self, setup: &Setup) -> Box<dyn Node> {
        let sr = setup.sample_rate;
        match self {
            Kind::Node(declaration) => (declaration.make)(sr, setup.channels),
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
            Kind::Segments(points) => Box::new(triggered::Segments::new(
                points
                    .as_deref()
                    .copied()
                    .unwrap_or(triggered::Breakpoints::EMPTY),
            )),
            Kind::Onsets(p) => Box::new(triggered::Onsets::new(p.clone())),
            Kind::Additive(h) => synthesis::make_additive(
                h.as_deref().copied().unwrap_or(synthesis::Harmonics::EMPTY),
            ),
            Kind::Convolve(name) => {
                let longest = (convolve::MAX_IR_SECONDS * sr) as usize;
                let ir = name
                    .as_deref()
                    .and_then(|n| setup.bank.get(n, 0))
                    .and_then(|s| {
                        s.channels
                            .first()
                            .map(|c| c[..c.len().min(longest)].to_vec())
                    })
                    .unwrap_or_else(|| convolve::room(sr));
                Box::new(convolve::Convolver::new(&ir))
            }
            Kind::Hosted(hosted) => (hosted.make)(setup),
            Kind::Named(name) => Box::new(NamedValue::new(
                setup.named.clone(),
                name.as_deref().unwrap_or(""),
            )),
            Kind::Keys(instrument) => Box::new(crate::midi_keys::Keys::new(
                instrument.unwrap_or(crate::instruments::Instrument::DEFAULT),
                crate::midi_keys::MidiNotes::shared(),
                sr,
            )),
        }
    }

    /// Its input ports' names, in the order [`Node::process`] reads them.
    pub fn ports(&self) -> Vec<&'static str> {
        let names = |ports: &'static [Port]| ports.iter().map(|p| p.name).collect();
        match self {
            Kind::Node(declaration) => names(declaration.ports),
            Kind::Math(_) => names(MathPorts::PORTS),
            Kind::Env(_) => names(EnvPorts::PORTS),
            Kind::Ad(_) => names(AdPorts::PORTS),
            Kind::Segments(_) => names(triggered::SegmentsPorts::PORTS),
            Kind::Additive(_) => names(synthesis::PitchPorts::PORTS),
            Kind::Convolve(_) => names(convolve::ConvolvePorts::PORTS),
            Kind::Named(_) => names(NamedValuePorts::PORTS),
            Kind::Keys(_) => names(crate::midi_keys::KeysPorts::PORTS),
            Kind::Voices { instrument, .. } => instrument.ports().to_vec(),
            // Each control, read at each onset (unset ones are NaN and ignored).
            Kind::Sampler(_) => pattern::Control::NAMES.to_vec(),
            Kind::Hosted(_) | Kind::Numbers(_) | Kind::Onsets(_) => Vec::new(),
        }
    }

    /// How many channels it writes.
    pub fn width(&self) -> Width {
        match self {
            Kind::Node(declaration) => declaration.width,
            Kind::Math(_) | Kind::Env(_) => Width::AsInput,
            Kind::Ad(_)
            | Kind::Onsets(_)
            | Kind::Segments(_)
            | Kind::Additive(_)
            | Kind::Convolve(_)
            | Kind::Numbers(_)
            | Kind::Named(_)
            | Kind::Keys(_)
            | Kind::Voices { .. } => Width::Mono,
            Kind::Sampler(_) | Kind::Hosted(_) => Width::Stereo,
        }
    }

    /// True if it is the node `declaration` declares.
    pub fn is(&self, declaration: &Declaration) -> bool {
        matches!(self, Kind::Node(d) if *d == declaration)
    }

    /// Its declaration, for nodes made from their ports alone.
    pub fn declaration(&self) -> Option<&'static Declaration> {
        match self {
            Kind::Node(declaration) => Some(declaration),
            _ => None,
        }
    }

    /// The oscillator, for kinds that can play pitched voices.
    pub fn wave(&self) -> Option<Wave> {
        let waves = [
            (&oscillators::SINE, Wave::Sine),
            (&oscillators::SAW, Wave::Saw),
            (&oscillators::SQUARE, Wave::Square),
            (&oscillators::TRI, Wave::Triangle),
        ];
        let declaration = self.declaration()?;
        waves
            .into_iter()
            .find_map(|(d, wave)| (d == declaration).then_some(wave))
    }

    /// Its key for matching nodes across an edit.
    pub fn key(&self) -> KindKey {
        let (detail, name) = match self {
            Kind::Node(declaration) => (0, declaration.name),
            Kind::Math(op) => (*op as u8, ""),
            Kind::Voices { instrument, .. } => (instrument.id(), ""),
            Kind::Keys(instrument) => (instrument.map_or(0, |i| i.id()), ""),
            Kind::Hosted(hosted) => (hosted.index, hosted.label),
            _ => (0, ""),
        };
        KindKey {
            variant: std::mem::discriminant(self),
            detail,
            name,
        }
    }

    /// A short name for listings (`lpf`, `add`, `saw voices`).
    pub fn label(&self) -> &'static str {
        match self {
            Kind::Node(declaration) => declaration.name,
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
            Kind::Onsets(_) => "onsets",
            Kind::Additive(_) => "additive",
            Kind::Convolve(_) => "convolve",
            Kind::Hosted(hosted) => hosted.label,
            Kind::Named(_) => "ctrl",
            Kind::Keys(_) => "keys",
        }
    }
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
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
            named: Arc::default(),
        };
        let mut keys = std::collections::HashSet::new();
        for declaration in crate::catalog::NODES {
            let kind = Kind::Node(declaration);
            let _node = kind.make(&setup);
            assert!(keys.insert(kind.key()), "{kind:?} shares a key");
            assert!(!kind.label().is_empty());
        }
        assert_ne!(Kind::Math(MathOp::Add).key(), Kind::Math(MathOp::Mul).key());
    }
}
