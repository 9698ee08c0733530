//! Pitched synth voices: a note pattern played on an oscillator (`saw "c3 e3 g3"`,
//! `sine "<a4 c5>"`, chords too), one voice per event from a fixed pool, each with a short
//! attack, held for the event's length, then released.

use crate::osc::{Oscillator, Wave};
use crate::{downcast, Carry, Context, In, Node, VoiceCount};
use pattern::Pattern;

/// Voices per synth.
pub const SYNTH_VOICES: usize = 32;
/// The longest block a synth renders (larger blocks are rendered in pieces).
const MAX_BLOCK: usize = 4096;
const ATTACK_SECONDS: f32 = 0.005;
const RELEASE_SECONDS: f32 = 0.03;

struct Voice {
    osc: Oscillator,
    freq: f32,
    /// Frames left before the release starts.
    hold: f32,
    level: f32,
    releasing: bool,
    active: bool,
    /// Frame within the current block where the voice starts.
    start: usize,
    age: u64,
}

/// A polyphonic synth playing a pattern of frequencies in Hz.
pub struct Synth {
    pattern: Pattern<f64>,
    wave: Wave,
    voices: Box<[Voice]>,
    scratch: Box<[f32]>,
    sample_rate: f32,
    started: u64,
    steals: u64,
    /// Blocks whose query was cut at the budget.
    cut: u64,
}

impl Synth {
    /// A synth of `wave` voices. Allocates.
    pub fn new(pattern: Pattern<f64>, wave: Wave, sample_rate: f32) -> Synth {
        Synth {
            pattern,
            wave,
            voices: (0..SYNTH_VOICES)
                .map(|_| Voice {
                    osc: Oscillator::new(wave),
                    freq: 0.0,
                    hold: 0.0,
                    level: 0.0,
                    releasing: false,
                    active: false,
                    start: 0,
                    age: 0,
                })
                .collect(),
            scratch: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            sample_rate,
            started: 0,
            steals: 0,
            cut: 0,
        }
    }

    /// Renders the block `ctx` covers into `out`, overwriting it.
    pub fn render(&mut self, ctx: &Context<'_>, out: &mut [f32]) {
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
            let v = &mut self.voices[slot];
            v.osc.reset();
            v.freq = freq as f32;
            v.hold = hold as f32;
            v.level = 0.0;
            v.releasing = false;
            v.active = true;
            v.start = offset;
            v.age = self.started;
        }
        let attack = 1.0 / (ATTACK_SECONDS * self.sample_rate);
        let release = 1.0 / (RELEASE_SECONDS * self.sample_rate);
        for v in self.voices.iter_mut().filter(|v| v.active) {
            let voice_ctx = Context {
                sample_rate: self.sample_rate,
                frames: frames - v.start,
                ..*ctx
            };
            let scratch = &mut self.scratch[..frames - v.start];
            v.osc
                .process(&voice_ctx, &[In::Const(v.freq)], &mut [&mut scratch[..]]);
            for (y, &x) in out[v.start..frames].iter_mut().zip(scratch.iter()) {
                if v.hold <= 0.0 {
                    v.releasing = true;
                }
                v.hold -= 1.0;
                v.level = if v.releasing {
                    (v.level - release).max(0.0)
                } else {
                    (v.level + attack).min(1.0)
                };
                *y += x * v.level;
            }
            if v.releasing && v.level <= 0.0 {
                v.active = false;
            }
            v.start = 0;
        }
    }
}

impl Node for Synth {
    fn process(&mut self, ctx: &Context<'_>, _: &[In<'_>], out: &mut [&mut [f32]]) {
        let frames = ctx.frames;
        if let [first, rest @ ..] = out {
            self.render(ctx, &mut first[..frames]);
            for other in rest {
                other[..frames].copy_from_slice(&first[..frames]);
            }
        }
    }

    /// Takes over the sounding voices of the older synth (the same oscillator) without
    /// allocating, so held notes ring on across an edit.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<Synth>(old) {
            if self.wave == old.wave {
                std::mem::swap(&mut self.voices, &mut old.voices);
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
