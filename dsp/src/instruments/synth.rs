//! Pitched synth voices: a note pattern played on an instrument (`saw "c3 e3 g3"`,
//! `sine "<a4 c5>"`, `supersaw "c3 e3" 0.5`, chords too), one voice per event from a
//! [`VoicePool`], each under its envelope: held for the event's length then released, or for
//! percussion, its own length.

use crate::blocks::pool::{VoicePool, MAX_BLOCK};
use crate::instruments::halls::Halls;
use crate::instruments::voice::InstrumentVoice;
use crate::instruments::Instrument;
use crate::{downcast, Carry, Context, In, Node, VoiceCount};
use pattern::Pattern;

/// Voices per synth.
pub const SYNTH_VOICES: usize = 32;
/// The envelope of a plain oscillator's voices: a short attack, held, a short release.
pub const OSC_ENVELOPE: [f32; 4] = [0.005, 0.0, 1.0, 0.03];

/// A polyphonic synth playing a pattern of frequencies in Hz.
pub struct Synth {
    pattern: Pattern<f64>,
    instrument: Instrument,
    pool: VoicePool<InstrumentVoice>,
    sample_rate: f32,
    started: u32,
    /// Blocks whose query was cut at the budget.
    cut: u64,
    /// Halls to lend the voices, for the library synths with reverbs inside.
    halls: Halls,
}

impl Synth {
    /// A synth of `instrument` voices. Allocates.
    pub fn new(pattern: Pattern<f64>, instrument: Instrument, sample_rate: f32) -> Synth {
        Synth {
            pattern,
            instrument,
            pool: VoicePool::new(SYNTH_VOICES, 1, sample_rate, || {
                InstrumentVoice::new(instrument, sample_rate)
            }),
            sample_rate,
            started: 0,
            cut: 0,
            halls: Halls::for_instrument(&instrument, sample_rate),
        }
    }

    /// Renders the block `ctx` covers into `out`, overwriting it. `inputs` are the
    /// instrument's parameters, in [`Instrument::ports`] order: each voice takes their values
    /// at its onset; absent ones keep the instrument's own.
    pub fn render(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [f32]) {
        let span = ctx.span;
        out.fill(0.0);
        let frames = out.len();
        if frames == 0 || span.end <= span.begin {
            return;
        }
        let events = crate::query_within_budget(&self.pattern, span, ctx.arena, &mut self.cut);
        let mut starts = bumpalo::collections::Vec::from_iter_in(
            crate::patterns::onsets(&events, span, frames),
            ctx.arena,
        );
        starts.sort_by_key(|&(offset, ..)| offset);
        let mut next = 0;
        let mut piece_start = 0;
        while piece_start < frames {
            let n = (frames - piece_start).min(MAX_BLOCK);
            while let Some(&(offset, hold, &freq)) = starts.get(next) {
                if offset >= piece_start + n {
                    break;
                }
                next += 1;
                self.start(offset, piece_start, hold, freq, inputs);
            }
            let piece = Context::new(self.sample_rate, n, span, ctx.arena);
            let to = &mut out[piece_start..piece_start + n];
            self.pool.render(&piece, |_, from, played| {
                for (y, x) in to[from..].iter_mut().zip(played[0].iter()) {
                    *y += x;
                }
            });
            self.halls.take_back(self.pool.idle_mut());
            piece_start += n;
        }
    }

    /// Starts a voice at frame `offset` of the block (`piece_start` is where the piece being
    /// rendered begins), held for `hold` frames, at `freq` Hz.
    fn start(
        &mut self,
        offset: usize,
        piece_start: usize,
        hold: f64,
        freq: f64,
        inputs: &[In<'_>],
    ) {
        let mut instrument = self.instrument;
        for (name, input) in self.instrument.ports().iter().zip(inputs) {
            let x = input.at(offset);
            if x.is_finite() {
                instrument = instrument.with(name, x);
            }
        }
        self.started = self.started.wrapping_add(1);
        let seed = self.started;
        let voice = self.pool.start(offset - piece_start, None);
        self.halls.lend(voice, &instrument);
        voice.start(instrument, freq as f32, hold as f32, seed);
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

    /// Takes over the sounding voices of the older synth (the same instrument) without
    /// allocating, so held notes ring on across an edit.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<Synth>(old) {
            if self.instrument.id() == old.instrument.id() && self.pool.take_over(&mut old.pool) {
                self.started = old.started;
                // The voices hold what they borrowed: their lender goes with them.
                std::mem::swap(&mut self.halls, &mut old.halls);
            }
        }
        Carry::Taken
    }

    fn voices(&self) -> Option<VoiceCount> {
        Some(self.pool.count())
    }

    fn queries_cut(&self) -> u64 {
        self.cut
    }
}
