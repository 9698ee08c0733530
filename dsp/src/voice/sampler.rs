//! The sampler: plays a pattern of sounds from the sample bank through an
//! [`Orbit`] — the same voices, laws and orbit effects as `phonon dirt`.
//!
//! Each block it queries its pattern once for the block's cycle span and starts a voice at the
//! exact frame of every onset, with the event's length (`delta`) and the tempo (`cps`) filled in
//! for `legato` and `unit "c"`. Nothing is allocated while processing.

use crate::blocks::laws::PATCH_AMP;
use crate::blocks::pool::MAX_BLOCK;
use crate::instruments::Instrument;
use crate::patterns::onsets;
use crate::samples::bank::SampleBank;
use crate::voice::Orbit;
use crate::{downcast, Carry, Context, In, Node, VoiceCount};
use bumpalo::Bump;
use pattern::{Control, Controls, Pattern, Sound, Span, Value};
use std::sync::Arc;

/// The default number of voices per sampler.
pub const DEFAULT_VOICES: usize = 128;

/// Plays a sound pattern.
pub struct Sampler {
    pattern: Pattern<Sound>,
    bank: Arc<SampleBank>,
    orbit: Orbit,
    sample_rate: f32,
    /// Blocks whose query was cut at the budget.
    cut: u64,
}

impl Sampler {
    /// A sampler of which `voices` voices may sound at once. Allocates.
    pub fn new(
        pattern: Pattern<Sound>,
        bank: Arc<SampleBank>,
        voices: usize,
        sample_rate: f32,
    ) -> Sampler {
        Sampler {
            pattern,
            bank,
            orbit: Orbit::new(sample_rate, voices, PATCH_AMP),
            sample_rate,
            cut: 0,
        }
    }

    /// Renders one block covering `span` (in cycles) of `left.len()` frames, adding nothing else:
    /// `left` and `right` are overwritten. Temporary lists go in `arena`.
    pub fn render(&mut self, span: Span, arena: &Bump, left: &mut [f32], right: &mut [f32]) {
        self.render_with(span, arena, &[], left, right);
    }

    /// [`Sampler::render`], with controls from signals: input k sets control
    /// `Control::ALL[k]` of each event starting in the block to its value at the onset (NaN
    /// leaves the event's own).
    pub fn render_with(
        &mut self,
        span: Span,
        arena: &Bump,
        controls: &[In<'_>],
        left: &mut [f32],
        right: &mut [f32],
    ) {
        let frames = left.len().min(right.len());
        left[..frames].fill(0.0);
        right[..frames].fill(0.0);
        if frames == 0 || span.end <= span.begin {
            return;
        }
        let events = crate::query_within_budget(&self.pattern, span, arena, &mut self.cut);
        let frames_per_cycle = frames as f64 / (span.end - span.begin).to_f64();
        let mut starts =
            bumpalo::collections::Vec::from_iter_in(onsets(&events, span, frames), arena);
        // In time order, so a later event cuts an earlier one of the same block.
        starts.sort_by_key(|&(offset, ..)| offset);
        let mut next = 0;
        let mut piece_start = 0;
        while piece_start < frames {
            let n = (frames - piece_start).min(MAX_BLOCK);
            while let Some(&(offset, duration, sound)) = starts.get(next) {
                if offset >= piece_start + n {
                    break;
                }
                next += 1;
                let mut event = sound.controls;
                event.set(Control::Delta, duration / f64::from(self.sample_rate));
                if event.get(Control::Cps).is_none() {
                    event.set(Control::Cps, f64::from(self.sample_rate) / frames_per_cycle);
                }
                if event.get(Control::Cycle).is_none() {
                    let cycle = span.begin.to_f64() + offset as f64 / frames_per_cycle;
                    event.set(Control::Cycle, cycle);
                }
                for (control, input) in Control::ALL.iter().zip(controls) {
                    let x = input.at(offset);
                    if x.is_finite() {
                        event.set(*control, f64::from(x));
                    }
                }
                self.start(offset - piece_start, &sound.sound, &event);
            }
            let ctx = Context::new(self.sample_rate, n, span, arena);
            let to = piece_start..piece_start + n;
            self.orbit
                .render(&ctx, [&mut left[to.clone()], &mut right[to]]);
            piece_start += n;
        }
    }

    fn start(&mut self, offset: usize, sound: &Value, controls: &Controls) {
        let (name, index) = match sound {
            Value::Str(name) => (&**name, 0i64),
            Value::List(items) => match (items.first(), items.get(1)) {
                (Some(Value::Str(name)), Some(n)) => (&**name, n.as_f64().unwrap_or(0.0) as i64),
                (Some(Value::Str(name)), None) => (&**name, 0),
                _ => return,
            },
            _ => return,
        };
        let n = index + controls.or(Control::N, 0.0) as i64;
        if name.is_empty() {
            // A control pattern's notes, with no sound named: the default synth's.
            self.orbit
                .start_instrument(offset, Instrument::DEFAULT, controls);
        } else if let Some(sample) = self.bank.get(name, n) {
            self.orbit.start(offset, sample, controls);
        } else if let Some(instrument) = Instrument::by_sound_name(name) {
            // Synths are sounds too: `s "superkick*4"`, `s "sawtooth"`.
            self.orbit.start_instrument(offset, instrument, controls);
        }
    }
}

impl Node for Sampler {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        match out {
            [left, right, ..] => self.render_with(
                ctx.span,
                ctx.arena,
                inputs,
                &mut left[..ctx.frames],
                &mut right[..ctx.frames],
            ),
            [left] => {
                // A mono output hears both sides.
                let mut right = [0.0f32; MAX_BLOCK];
                let mut done = 0;
                while done < ctx.frames {
                    let n = (ctx.frames - done).min(MAX_BLOCK);
                    let span = piece_span(ctx.span, ctx.frames, done, n);
                    let l = &mut left[done..done + n];
                    self.render_with(span, ctx.arena, &[], l, &mut right[..n]);
                    for (y, x) in l.iter_mut().zip(&right[..n]) {
                        *y += x;
                    }
                    done += n;
                }
            }
            [] => {}
        }
    }

    /// Takes over the sounding voices, effect tails and counters of the older sampler without
    /// allocating, so notes ring on across an edit; the older one gets this one's silence.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<Sampler>(old) {
            self.orbit.take_over(&mut old.orbit);
            self.cut = old.cut;
        }
        Carry::Taken
    }

    fn voices(&self) -> Option<VoiceCount> {
        Some(self.orbit.voices())
    }

    fn queries_cut(&self) -> u64 {
        self.cut
    }
}

/// The part of `span` (a block of `frames`) that frames `from..from + n` cover.
fn piece_span(span: Span, frames: usize, from: usize, n: usize) -> Span {
    let length = span.end - span.begin;
    let at = |k: usize| span.begin + length * pattern::Time::new(k as i64, frames as i64);
    Span::new(at(from), at(from + n))
}
