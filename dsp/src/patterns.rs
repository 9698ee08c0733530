//! Control signals from patterns of numbers (`lpf "400 800 1600" 0.3`): each event's value is
//! held over the frames its part covers, and the last value is held until the next event.

use crate::{downcast, Carry, Context, In, Node};
use bumpalo::Bump;
use pattern::{Pattern, Span};

/// A pattern of numbers as a stepped control signal.
pub struct PatternSignal {
    pattern: Pattern<f64>,
    held: f32,
    /// Blocks whose query was cut at the budget.
    cut: u64,
}

impl PatternSignal {
    /// A signal that holds each event's value of `pattern`.
    pub fn new(pattern: Pattern<f64>) -> PatternSignal {
        PatternSignal {
            pattern,
            held: 0.0,
            cut: 0,
        }
    }

    /// Renders the block covering `span` (in cycles) into `out`. Temporary lists go in `arena`.
    pub fn render(&mut self, span: Span, arena: &Bump, out: &mut [f32]) {
        let frames = out.len();
        if frames == 0 || span.end <= span.begin {
            out.fill(self.held);
            return;
        }
        let mut events = crate::query_within_budget(&self.pattern, span, arena, &mut self.cut);
        // Stacked values: the later onset wins (ties resolve the same way every time).
        events.sort_unstable_by_key(|e| e.part.begin);
        let frames_per_cycle = frames as f64 / (span.end - span.begin).to_f64();
        let frame_at = |t: pattern::Time| -> usize {
            (((t - span.begin).to_f64() * frames_per_cycle).max(0.0) as usize).min(frames)
        };
        let mut filled = 0;
        for e in events.iter() {
            let begin = frame_at(e.part.begin).max(filled);
            let end = frame_at(e.part.end).max(begin);
            out[filled..begin].fill(self.held);
            let value = e.value as f32;
            if value.is_finite() {
                self.held = value;
            }
            out[begin..end].fill(self.held);
            filled = end;
        }
        out[filled..].fill(self.held);
    }
}

impl Node for PatternSignal {
    fn process(&mut self, ctx: &Context<'_>, _: &[In<'_>], out: &mut [&mut [f32]]) {
        let frames = ctx.frames;
        if let [first, rest @ ..] = out {
            self.render(ctx.span, ctx.arena, &mut first[..frames]);
            for other in rest {
                other[..frames].copy_from_slice(&first[..frames]);
            }
        }
    }

    fn queries_cut(&self) -> u64 {
        self.cut
    }

    /// Continues from the value the older signal was holding.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<PatternSignal>(old) {
            self.held = old.held;
        }
        Carry::Taken
    }
}

/// The events of a block that start in it: their frame offset, their whole's length in frames and
/// their value.
pub(crate) fn onsets<T>(
    events: &[pattern::Event<T>],
    span: Span,
    frames: usize,
) -> impl Iterator<Item = (usize, f64, &T)> {
    let frames_per_cycle = frames as f64 / (span.end - span.begin).to_f64();
    events.iter().filter(|e| e.has_onset()).map(move |e| {
        let offset = ((e.part.begin - span.begin).to_f64() * frames_per_cycle) as usize;
        let duration = e.whole.map_or(0.0, |w| w.duration().to_f64()) * frames_per_cycle;
        (offset.min(frames - 1), duration, &e.value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pattern::{mini_as, t, ValueType};

    fn numbers(text: &str) -> Pattern<f64> {
        mini_as(text, ValueType::Double)
            .expect("parses")
            .fmap(|v| v.as_f64().unwrap_or(0.0))
    }

    #[test]
    fn holds_each_value_over_its_frames() {
        let mut signal = PatternSignal::new(numbers("1 2 3 4"));
        let arena = Bump::new();
        let mut out = [0.0f32; 8];
        signal.render(Span::new(t(0, 1), t(1, 1)), &arena, &mut out);
        assert_eq!(out, [1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
        // A block of another length: values still change on their frames.
        let mut out = [0.0f32; 3];
        signal.render(Span::new(t(1, 1), t(11, 8)), &arena, &mut out);
        assert_eq!(out, [1.0, 1.0, 2.0]);
    }

    #[test]
    fn rests_hold_the_last_value() {
        let mut signal = PatternSignal::new(numbers("5 ~"));
        let arena = Bump::new();
        let mut out = [0.0f32; 4];
        signal.render(Span::new(t(0, 1), t(1, 1)), &arena, &mut out);
        assert_eq!(out, [5.0; 4]);
        let mut carried = PatternSignal::new(numbers("~"));
        carried.carry_from(&mut signal);
        carried.render(Span::new(t(1, 1), t(2, 1)), &arena, &mut out);
        assert_eq!(out, [5.0; 4]);
    }
}
