//! Pitched synth voices: a note pattern played on an instrument (`saw "c3 e3 g3"`,
//! `sine "<a4 c5>"`, `supersaw "c3 e3" 0.5`, chords too), one voice per event from a fixed pool,
//! each under its envelope: held for the event's length then released, or for percussion, its
//! own length.

use crate::envelope::{step, Stage};
use crate::instrument::{Instrument, Tone};
use crate::osc::{Oscillator, Wave};
use crate::{downcast, Carry, Context, In, Node, VoiceCount};
use pattern::Pattern;

/// Voices per synth.
pub const SYNTH_VOICES: usize = 32;
/// The longest block a synth renders (larger blocks are rendered in pieces).
const MAX_BLOCK: usize = 4096;
/// The envelope of a plain oscillator's voices: a short attack, held, a short release.
pub const OSC_ENVELOPE: [f32; 4] = [0.005, 0.0, 1.0, 0.03];

struct Voice {
    osc: Oscillator,
    tone: Tone,
    /// The instrument with the parameters its event started with.
    instrument: Instrument,
    freq: f32,
    /// Frames left before the release starts.
    hold: f32,
    level: f32,
    stage: Stage,
    active: bool,
    /// Frame within the current block where the voice starts.
    start: usize,
    age: u64,
}

/// A polyphonic synth playing a pattern of frequencies in Hz.
pub struct Synth {
    pattern: Pattern<f64>,
    instrument: Instrument,
    voices: Box<[Voice]>,
    scratch: Box<[f32]>,
    /// The voices' delay lines, one after another (plucked strings only; empty otherwise).
    strings: Box<[f32]>,
    sample_rate: f32,
    started: u64,
    steals: u64,
    /// Blocks whose query was cut at the budget.
    cut: u64,
}

impl Synth {
    /// A synth of `instrument` voices. Allocates.
    pub fn new(pattern: Pattern<f64>, instrument: Instrument, sample_rate: f32) -> Synth {
        let wave = instrument.wave().unwrap_or(Wave::Sine);
        Synth {
            pattern,
            instrument,
            voices: (0..SYNTH_VOICES)
                .map(|_| Voice {
                    osc: Oscillator::new(wave),
                    tone: Tone::new(0),
                    instrument,
                    freq: 0.0,
                    hold: 0.0,
                    level: 0.0,
                    stage: Stage::Attack,
                    active: false,
                    start: 0,
                    age: 0,
                })
                .collect(),
            scratch: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            strings: match instrument {
                Instrument::Pluck { .. } => {
                    vec![0.0; SYNTH_VOICES * crate::instrument::string_length(sample_rate)]
                        .into_boxed_slice()
                }
                _ => Box::default(),
            },
            sample_rate,
            started: 0,
            steals: 0,
            cut: 0,
        }
    }

    /// Renders the block `ctx` covers into `out`, overwriting it. `inputs` are the
    /// instrument's parameters, in [`Instrument::ports`] order: each voice takes their values
    /// at its onset; absent ones keep the instrument's own.
    pub fn render(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [f32]) {
        let span = ctx.span;
        out.fill(0.0);
        let frames = out.len().min(MAX_BLOCK);
        if frames == 0 || span.end <= span.begin {
            return;
        }
        let events = crate::query_within_budget(&self.pattern, span, ctx.arena, &mut self.cut);
        for (offset, hold, &freq) in crate::sampler::onsets(&events, span, frames) {
            let slot = match self.voices.iter().position(|v| !v.active) {
                Some(i) => i,
                None => {
                    self.steals += 1;
                    (0..self.voices.len())
                        .min_by_key(|&i| self.voices[i].age)
                        .unwrap_or(0)
                }
            };
            self.started += 1;
            let mut instrument = self.instrument;
            for (name, input) in self.instrument.ports().iter().zip(inputs) {
                let x = input.at(offset);
                if x.is_finite() {
                    instrument = instrument.with(name, x);
                }
            }
            let v = &mut self.voices[slot];
            v.instrument = instrument;
            v.osc.reset();
            v.tone = Tone::new(self.started as u32);
            v.freq = freq as f32;
            // Percussion plays its own length, whatever the event's.
            v.hold = match instrument.one_shot() {
                Some(_) => f32::INFINITY,
                None => hold as f32,
            };
            v.level = 0.0;
            v.stage = Stage::Attack;
            v.active = true;
            v.start = offset;
            v.age = self.started;
        }
        let string_length = self.strings.len() / SYNTH_VOICES;
        for (k, v) in self.voices.iter_mut().enumerate().filter(|(_, v)| v.active) {
            let scratch = &mut self.scratch[..frames - v.start];
            let string = &mut self.strings[k * string_length..(k + 1) * string_length];
            let [attack, decay, sustain, release] = v.instrument.envelope();
            let sustain = sustain.clamp(0.0, 1.0);
            let up = step(1.0, attack, self.sample_rate);
            let down = step(1.0 - sustain, decay, self.sample_rate);
            if v.instrument.wave().is_some() {
                let voice_ctx = Context {
                    sample_rate: self.sample_rate,
                    frames: frames - v.start,
                    ..*ctx
                };
                v.osc
                    .process(&voice_ctx, &[In::Const(v.freq)], &mut [&mut scratch[..]]);
            } else {
                for x in scratch.iter_mut() {
                    *x = v.tone.next(&v.instrument, v.freq, self.sample_rate, string);
                }
            }
            // The release covers the level the voice had when it began.
            let fall = step(1.0, release, self.sample_rate);
            for (y, &x) in out[v.start..frames].iter_mut().zip(scratch.iter()) {
                if v.hold <= 0.0 && v.stage != Stage::Release {
                    v.stage = Stage::Release;
                }
                v.hold -= 1.0;
                match v.stage {
                    Stage::Attack => {
                        v.level += up;
                        if v.level >= 1.0 {
                            v.level = 1.0;
                            v.stage = Stage::Decay;
                        }
                    }
                    Stage::Decay => {
                        v.level -= down;
                        if v.level <= sustain || !v.level.is_finite() {
                            v.level = sustain;
                            v.stage = Stage::Sustain;
                        }
                    }
                    Stage::Sustain => v.level = sustain,
                    Stage::Release => v.level = (v.level - fall).max(0.0),
                    Stage::Idle => v.level = 0.0,
                }
                *y += x * v.level;
            }
            let silent = v.stage == Stage::Release && v.level <= 0.0
                || (v.stage == Stage::Sustain && sustain <= 0.0);
            if silent || v.tone.finished(&v.instrument, self.sample_rate) {
                v.active = false;
            }
            v.start = 0;
        }
    }
}

impl Node for Synth {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let frames = ctx.frames;
        if let [first, rest @ ..] = out {
            self.render(ctx, inputs, &mut first[..frames]);
            for other in rest {
                other[..frames].copy_from_slice(&first[..frames]);
            }
        }
    }

    /// Takes over the sounding voices of the older synth (the same oscillator) without
    /// allocating, so held notes ring on across an edit.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<Synth>(old) {
            if self.instrument.id() == old.instrument.id() {
                std::mem::swap(&mut self.voices, &mut old.voices);
                std::mem::swap(&mut self.strings, &mut old.strings);
                self.started = old.started;
                self.steals = old.steals;
            }
        }
        Carry::Taken
    }

    fn voices(&self) -> Option<VoiceCount> {
        Some(VoiceCount {
            sounding: self.voices.iter().filter(|v| v.active).count(),
            stolen: self.steals,
        })
    }

    fn queries_cut(&self) -> u64 {
        self.cut
    }
}
