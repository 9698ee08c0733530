//! `Pattern<T>`: a function from a query span to the events active in it, and the core
//! constructors and combinators of Tidal's algebra.
//!
//! Queries write into a bump arena supplied by the caller, so querying allocates nothing from the
//! global allocator: patterns are built (and allocate) off the audio thread, and the audio thread
//! only queries them.

use crate::event::Event;
use crate::time::{Span, Time};
use bumpalo::collections::Vec as BVec;
use bumpalo::Bump;
use std::sync::Arc;

/// A growable list of events living in a query's arena.
pub type Events<'a, T> = BVec<'a, Event<T>>;

/// What a pattern may hold: cheap to clone and shareable across threads.
pub trait Item: Clone + Send + Sync + 'static {}
impl<T: Clone + Send + Sync + 'static> Item for T {}

/// The query behind a pattern: append the events active in `span` to `out`.
pub trait Query<T>: Send + Sync {
    /// Appends the events whose parts fall in `span`; temporary lists go in `arena`.
    fn query<'a>(&self, span: Span, arena: &'a Bump, out: &mut Events<'a, T>);
}

struct FnQuery<F>(F);

impl<T, F> Query<T> for FnQuery<F>
where
    F: for<'a> Fn(Span, &'a Bump, &mut Events<'a, T>) + Send + Sync,
{
    fn query<'a>(&self, span: Span, arena: &'a Bump, out: &mut Events<'a, T>) {
        (self.0)(span, arena, out)
    }
}

/// A pattern of values of type `T`, shared cheaply by cloning.
pub struct Pattern<T>(Arc<dyn Query<T>>);

impl<T> Clone for Pattern<T> {
    fn clone(&self) -> Self {
        Pattern(self.0.clone())
    }
}

impl<T: Item> std::fmt::Debug for Pattern<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pattern")
    }
}

impl<T: Item> Pattern<T> {
    /// Wraps a query.
    pub fn new(query: impl Query<T> + 'static) -> Pattern<T> {
        Pattern(Arc::new(query))
    }

    /// A pattern from a query function.
    pub fn from_fn<F>(f: F) -> Pattern<T>
    where
        F: for<'a> Fn(Span, &'a Bump, &mut Events<'a, T>) + Send + Sync + 'static,
    {
        Pattern(Arc::new(FnQuery(f)))
    }

    /// Appends the events active in `span` to `out`; allocates only from `arena`.
    #[inline]
    pub fn query_into<'a>(&self, span: Span, arena: &'a Bump, out: &mut Events<'a, T>) {
        if span.begin <= span.end {
            self.0.query(span, arena, out)
        }
    }

    /// The events active in `span`, in a list living in `arena`.
    pub fn query<'a>(&self, span: Span, arena: &'a Bump) -> Events<'a, T> {
        let mut out = BVec::new_in(arena);
        self.query_into(span, arena, &mut out);
        out
    }

    /// The events active in `span` as an ordinary `Vec` (allocates; for tools and tests).
    pub fn events(&self, span: Span) -> Vec<Event<T>> {
        let arena = Bump::new();
        self.query(span, &arena).into_iter().collect()
    }

    /// The events of the first `cycles` cycles, starting at cycle 0.
    pub fn first_cycles(&self, cycles: i64) -> Vec<Event<T>> {
        self.events(Span::new(Time::ZERO, Time::from_int(cycles)))
    }

    /// Each value mapped by `f`.
    pub fn fmap<U: Item>(&self, f: impl Fn(&T) -> U + Send + Sync + 'static) -> Pattern<U> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            let mut tmp = BVec::new_in(arena);
            p.query_into(span, arena, &mut tmp);
            out.extend(tmp.iter().map(|e| e.with_value(f(&e.value))));
        })
    }

    /// Each event's value changed by `f` where it lies, with no copy of the events: for
    /// transforms that set a control or scale a gain.
    pub fn update(&self, f: impl Fn(&mut T) + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            let from = out.len();
            p.query_into(span, arena, out);
            for e in out[from..].iter_mut() {
                f(&mut e.value);
            }
        })
    }

    /// Only the events whose values pass `keep`.
    pub fn filter_values(&self, keep: impl Fn(&T) -> bool + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            let from = out.len();
            p.query_into(span, arena, out);
            retain_from(out, from, |e| keep(&e.value));
        })
    }

    /// Only the events whose onset passes `keep` (Tidal's `playWhen`, on whole starts).
    pub fn filter_onsets(&self, keep: impl Fn(Time) -> bool + Send + Sync + 'static) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            let from = out.len();
            p.query_into(span, arena, out);
            retain_from(out, from, |e| keep(e.onset()));
        })
    }

    /// Only the events that start inside the query (drops fragments of earlier events).
    pub fn onsets_only(&self) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            let from = out.len();
            p.query_into(span, arena, out);
            retain_from(out, from, Event::has_onset);
        })
    }

    /// Splits every query at cycle boundaries before passing it on.
    pub fn split_queries(&self) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            for piece in span.cycles() {
                p.query_into(piece, arena, out);
            }
        })
    }

    /// Speeds the pattern up by a constant factor; zero is silence, negative also reverses.
    pub fn fast(&self, factor: Time) -> Pattern<T> {
        if factor == Time::ZERO {
            return silence();
        }
        if !factor.is_positive() {
            return self.fast(-factor).rev();
        }
        if factor == Time::ONE {
            return self.clone();
        }
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            query_fast(&p, factor, span, arena, out);
        })
    }

    /// Slows the pattern down by a constant factor.
    pub fn slow(&self, factor: Time) -> Pattern<T> {
        if factor == Time::ZERO {
            return silence();
        }
        self.fast(Time::ONE / factor)
    }

    /// Speeds up by a patterned factor (Tidal's `fast` with a pattern argument).
    pub fn fast_p(&self, factor: &Pattern<Time>) -> Pattern<T> {
        let p = self.clone();
        patterned(factor, move |&f, span, arena, out| {
            if f.is_positive() {
                query_fast(&p, f, span, arena, out)
            } else if f != Time::ZERO {
                p.fast(f).query_into(span, arena, out)
            }
        })
    }

    /// Slows down by a patterned factor.
    pub fn slow_p(&self, factor: &Pattern<Time>) -> Pattern<T> {
        self.fast_p(&factor.fmap(|&f| {
            if f == Time::ZERO {
                Time::ZERO
            } else {
                Time::ONE / f
            }
        }))
    }

    /// Shifts the pattern earlier in time by `by` cycles (Tidal's `rotL`, `<~`).
    pub fn early(&self, by: Time) -> Pattern<T> {
        if by == Time::ZERO {
            return self.clone();
        }
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| query_shifted(&p, by, span, arena, out))
    }

    /// Shifts the pattern later in time by `by` cycles (Tidal's `rotR`, `~>`).
    pub fn late(&self, by: Time) -> Pattern<T> {
        self.early(-by)
    }

    /// Shifts earlier by a patterned amount.
    pub fn early_p(&self, by: &Pattern<Time>) -> Pattern<T> {
        let p = self.clone();
        patterned(by, move |&by, span, arena, out| {
            query_shifted(&p, by, span, arena, out)
        })
    }

    /// Shifts later by a patterned amount.
    pub fn late_p(&self, by: &Pattern<Time>) -> Pattern<T> {
        self.early_p(&by.fmap(|&b| -b))
    }

    /// Reverses each cycle.
    pub fn rev(&self) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            for piece in span.cycles() {
                let c = piece.begin.floor();
                let mirror = c + c + Time::ONE;
                let reflect = |s: Span| Span::new(mirror - s.end, mirror - s.begin);
                let from = out.len();
                p.query_into(reflect(piece), arena, out);
                map_spans(out, from, reflect);
            }
        })
    }

    /// Squeezes each cycle into the part `[begin, end)` of the cycle, leaving silence around it
    /// (Tidal's `compressArc`). Out-of-range or reversed bounds give silence. An event that
    /// crosses a cycle boundary keeps a whole that contains its part, as in Strudel; Tidal's
    /// `compressArc` goes through [`Pattern::fast_gap`], which does not.
    pub fn compress(&self, begin: Time, end: Time) -> Pattern<T> {
        if begin > end || begin < Time::ZERO || end > Time::ONE || begin == end {
            return silence();
        }
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| query_compressed(&p, begin, end, span, arena, out))
    }

    /// Values combined with another pattern's, keeping this pattern's structure (Tidal's `|<`
    /// family: the right side is sampled over each left event's whole).
    pub fn zip_left<U: Item, V: Item>(
        &self,
        other: &Pattern<U>,
        f: impl Fn(&T, &U) -> V + Send + Sync + 'static,
    ) -> Pattern<V> {
        let (left, right) = (self.clone(), other.clone());
        Pattern::from_fn(move |span, arena, out| {
            let mut lefts = BVec::new_in(arena);
            left.query_into(span, arena, &mut lefts);
            let mut rights = BVec::new_in(arena);
            for l in &lefts {
                rights.clear();
                right.query_into(l.whole_or_part(), arena, &mut rights);
                for r in &rights {
                    if let Some(part) = l.part.intersect(r.part) {
                        out.push(Event {
                            whole: l.whole,
                            part,
                            value: f(&l.value, &r.value),
                        });
                    }
                }
            }
        })
    }

    /// Values combined with another pattern's where both have events, with structure from both
    /// sides (Tidal's `|+|` family, and `<*>`).
    pub fn zip_both<U: Item, V: Item>(
        &self,
        other: &Pattern<U>,
        f: impl Fn(&T, &U) -> V + Send + Sync + 'static,
    ) -> Pattern<V> {
        let (left, right) = (self.clone(), other.clone());
        Pattern::from_fn(move |span, arena, out| {
            let mut lefts = BVec::new_in(arena);
            left.query_into(span, arena, &mut lefts);
            let mut rights = BVec::new_in(arena);
            right.query_into(span, arena, &mut rights);
            let (limit, mut made) = (lefts.len() + rights.len(), 0);
            for l in &lefts {
                for r in &rights {
                    // An analog event on either side makes the result analog (Tidal's appBoth).
                    let whole = match (l.whole, r.whole) {
                        (Some(a), Some(b)) => match a.intersect(b) {
                            Some(w) => Some(w),
                            None => continue,
                        },
                        _ => None,
                    };
                    if let Some(part) = l.part.intersect(r.part) {
                        // Outputs past the inputs' count (a stack against a stack) spend budget.
                        made += 1;
                        if made > limit && !crate::budget::spend() {
                            return;
                        }
                        out.push(Event {
                            whole,
                            part,
                            value: f(&l.value, &r.value),
                        });
                    }
                }
            }
        })
    }

    /// Values combined with another pattern's, keeping the other pattern's structure (Tidal's
    /// `+|` family: this side is sampled over each right event's whole).
    pub fn zip_right<U: Item, V: Item>(
        &self,
        other: &Pattern<U>,
        f: impl Fn(&T, &U) -> V + Send + Sync + 'static,
    ) -> Pattern<V> {
        // The mirror image of `zip_left`: the other side's structure, this side sampled.
        other.zip_left(self, move |r, l| f(l, r))
    }

    /// Samples the pattern `n` times per cycle (Tidal's `segment`).
    pub fn segment(&self, n: Time) -> Pattern<T> {
        pure(()).fast(n).zip_left(self, |_, v| v.clone())
    }

    /// Plays each cycle with probability-free choice: cycle `c` plays `if_true` when `test(c)`.
    pub fn when_cycle(
        &self,
        test: impl Fn(i64) -> bool + Send + Sync + 'static,
        transformed: &Pattern<T>,
    ) -> Pattern<T> {
        let (p, t) = (self.clone(), transformed.clone());
        Pattern::from_fn(move |span, arena, out| {
            for piece in span.cycles() {
                if test(piece.begin.cycle()) {
                    t.query_into(piece, arena, out)
                } else {
                    p.query_into(piece, arena, out)
                }
            }
        })
    }
}

/// No events, ever.
pub fn silence<T: Item>() -> Pattern<T> {
    Pattern::from_fn(|_, _, _| {})
}

/// One event per cycle holding `value`.
pub fn pure<T: Item>(value: T) -> Pattern<T> {
    Pattern::from_fn(move |span, _, out| {
        for piece in span.cycles() {
            if !crate::budget::spend() {
                return;
            }
            out.push(Event {
                whole: Some(piece.whole_cycle()),
                part: piece,
                value: value.clone(),
            });
        }
    })
}

/// All the patterns at once.
pub fn stack<T: Item>(patterns: Vec<Pattern<T>>) -> Pattern<T> {
    match patterns.len() {
        0 => silence(),
        1 => patterns.into_iter().next().unwrap_or_else(silence),
        _ => Pattern::from_fn(move |span, arena, out| {
            for p in &patterns {
                p.query_into(span, arena, out);
            }
        }),
    }
}

/// One pattern per cycle, in turn; each advances only when it plays (Tidal's `cat`).
pub fn slowcat<T: Item>(patterns: Vec<Pattern<T>>) -> Pattern<T> {
    match patterns.len() {
        0 => silence(),
        1 => patterns.into_iter().next().unwrap_or_else(silence),
        n => Pattern::from_fn(move |span, arena, out| {
            let n = n as i64;
            for piece in span.cycles() {
                let cycle = piece.begin.cycle();
                let i = cycle.rem_euclid(n);
                let offset = Time::from_int(cycle - (cycle - i).div_euclid(n));
                let from = out.len();
                patterns[i as usize].query_into(
                    Span::new(piece.begin - offset, piece.end - offset),
                    arena,
                    out,
                );
                map_spans(out, from, |s| Span::new(s.begin + offset, s.end + offset));
            }
        }),
    }
}

/// All the patterns squeezed into one cycle, in equal steps.
pub fn fastcat<T: Item>(patterns: Vec<Pattern<T>>) -> Pattern<T> {
    timecat(patterns.into_iter().map(|p| (Time::ONE, p)).collect())
}

/// The patterns squeezed into one cycle, each taking a share proportional to its weight.
pub fn timecat<T: Item>(steps: Vec<(Time, Pattern<T>)>) -> Pattern<T> {
    let total = steps.iter().fold(Time::ZERO, |acc, (w, _)| acc + *w);
    if !total.is_positive() {
        return silence();
    }
    if steps.len() == 1 {
        return steps
            .into_iter()
            .next()
            .map(|(_, p)| p)
            .unwrap_or_else(silence);
    }
    let mut begin = Time::ZERO;
    let mut parts = Vec::with_capacity(steps.len());
    for (weight, p) in steps {
        let end = begin + weight;
        if weight.is_positive() {
            parts.push(p.compress(begin / total, end / total));
        }
        begin = end;
    }
    stack(parts)
}

/// Runs `each` for every event of `param` over that event's part, keeping only what falls in
/// the part, with the wholes `each` produced (Tidal's `innerJoin`, used for patterned arguments).
pub fn patterned<A: Item, T: Item>(
    param: &Pattern<A>,
    each: impl for<'a> Fn(&A, Span, &'a Bump, &mut Events<'a, T>) + Send + Sync + 'static,
) -> Pattern<T> {
    let param = param.clone();
    Pattern::from_fn(move |span, arena, out| {
        let mut params = BVec::new_in(arena);
        param.query_into(span, arena, &mut params);
        for p in &params {
            let from = out.len();
            each(&p.value, p.part, arena, out);
            clip_parts(out, from, p.part);
        }
    })
}

/// Runs `each` for every event of `outer` over that event's part, keeping what falls in the
/// part, with wholes cut to the outer event's whole (Tidal's `unwrap`, the join of its pattern
/// monad, behind `do` blocks and `spread'`). An analog event on either side gives an analog one.
pub fn bound<A: Item, T: Item>(
    outer: &Pattern<A>,
    each: impl for<'a> Fn(&A, Span, &'a Bump, &mut Events<'a, T>) + Send + Sync + 'static,
) -> Pattern<T> {
    let outer = outer.clone();
    Pattern::from_fn(move |span, arena, out| {
        let mut outers = BVec::new_in(arena);
        outer.query_into(span, arena, &mut outers);
        for o in &outers {
            let from = out.len();
            each(&o.value, o.part, arena, out);
            clip_parts(out, from, o.part);
            retain_from(out, from, |e| match (o.whole, e.whole) {
                (Some(a), Some(b)) => a.intersect(b).is_some(),
                _ => true,
            });
            for e in &mut out[from..] {
                e.whole = match (o.whole, e.whole) {
                    (Some(a), Some(b)) => a.intersect(b),
                    _ => None,
                };
            }
        }
    })
}

/// Keeps, from `from` on, only events whose part meets `limit`, with parts cut to it.
pub(crate) fn clip_parts<T>(out: &mut Events<'_, T>, from: usize, limit: Span) {
    let mut keep = from;
    for i in from..out.len() {
        if let Some(part) = out[i].part.intersect(limit) {
            out[i].part = part;
            out.swap(keep, i);
            keep += 1;
        }
    }
    out.truncate(keep);
}

/// Keeps, from `from` on, only events that pass `keep`, in order.
pub(crate) fn retain_from<T>(
    out: &mut Events<'_, T>,
    from: usize,
    mut keep: impl FnMut(&Event<T>) -> bool,
) {
    let mut kept = from;
    for i in from..out.len() {
        if keep(&out[i]) {
            out.swap(kept, i);
            kept += 1;
        }
    }
    out.truncate(kept);
}

/// Maps the spans of the events appended since `from`.
pub(crate) fn map_spans<T>(out: &mut Events<'_, T>, from: usize, f: impl Fn(Span) -> Span) {
    for e in &mut out[from..] {
        e.whole = e.whole.map(&f);
        e.part = f(e.part);
    }
}

/// `p` sped up by a positive factor, queried over `span`.
pub(crate) fn query_fast<'a, T: Item>(
    p: &Pattern<T>,
    factor: Time,
    span: Span,
    arena: &'a Bump,
    out: &mut Events<'a, T>,
) {
    let from = out.len();
    p.query_into(span.with_time(|t| t * factor), arena, out);
    map_spans(out, from, |s| s.with_time(|t| t / factor));
}

/// `p` shifted earlier by `by`, queried over `span`.
pub(crate) fn query_shifted<'a, T: Item>(
    p: &Pattern<T>,
    by: Time,
    span: Span,
    arena: &'a Bump,
    out: &mut Events<'a, T>,
) {
    let from = out.len();
    p.query_into(span.with_time(|t| t + by), arena, out);
    map_spans(out, from, |s| s.with_time(|t| t - by));
}

/// `p` with each cycle squeezed into `[begin, end)` of that cycle, queried over `span`.
pub(crate) fn query_compressed<'a, T: Item>(
    p: &Pattern<T>,
    begin: Time,
    end: Time,
    span: Span,
    arena: &'a Bump,
    out: &mut Events<'a, T>,
) {
    let width = end - begin;
    for piece in span.cycles() {
        let cycle = piece.begin.floor();
        let region = Span::new(cycle + begin, cycle + end);
        let Some(inside) = piece.intersect(region) else {
            continue;
        };
        let to_inner = |t: Time| cycle + (t - region.begin) / width;
        let from = out.len();
        p.query_into(inside.with_time(to_inner), arena, out);
        map_spans(out, from, |s| {
            s.with_time(|t| region.begin + (t - cycle) * width)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::t;

    fn values<T: Item>(events: &[Event<T>]) -> Vec<T> {
        let mut sorted = events.to_vec();
        sorted.sort_by_key(|e| e.part.begin);
        sorted.into_iter().map(|e| e.value).collect()
    }

    #[test]
    fn pure_gives_one_event_per_cycle() {
        let ev = pure(1).events(Span::new(t(1, 2), t(5, 2)));
        assert_eq!(ev.len(), 3);
        assert_eq!(ev[0].whole, Some(Span::new(t(0, 1), t(1, 1))));
        assert!(!ev[0].has_onset());
        assert!(ev[1].has_onset());
    }

    #[test]
    fn fastcat_and_slowcat_follow_tidal() {
        let p = fastcat(vec![pure('a'), pure('b')]);
        assert_eq!(values(&p.first_cycles(1)), vec!['a', 'b']);
        let s = slowcat(vec![pure('a'), fastcat(vec![pure('b'), pure('c')])]);
        assert_eq!(
            values(&s.first_cycles(4)),
            vec!['a', 'b', 'c', 'a', 'b', 'c']
        );
    }

    #[test]
    fn rev_reverses_each_cycle() {
        let p = fastcat(vec![pure(1), pure(2), pure(3)]).rev();
        assert_eq!(values(&p.first_cycles(2)), vec![3, 2, 1, 3, 2, 1]);
    }
}
