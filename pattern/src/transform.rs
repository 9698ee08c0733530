//! Tidal's transforms: randomness, Euclidean rhythms, `every`, `ply`, `iter`, `chunk`, `off`…

use crate::event::Event;
use crate::pattern::{
    patterned, pure, query_compressed, query_shifted, retain_from, silence, slowcat, stack, Item,
    Pattern,
};
use crate::signal::time_to_rand;
use crate::time::{Span, Time};
use bumpalo::collections::Vec as BVec;
use bumpalo::Bump;

/// The Euclidean distribution of `hits` onsets over `steps` steps (Bjorklund's algorithm, as in
/// Tidal), written into `out`; scratch space comes from `arena`.
///
/// At every stage of the algorithm all groups on each side are identical, so each side is kept
/// as one group and a count.
pub fn bjorklund<'a>(hits: usize, steps: usize, arena: &'a Bump, out: &mut BVec<'a, bool>) {
    out.clear();
    if steps == 0 {
        return;
    }
    let hits = hits.min(steps);
    let (mut a_count, mut b_count) = (hits, steps - hits);
    let mut a = BVec::with_capacity_in(steps, arena);
    a.push(true);
    let mut b = BVec::with_capacity_in(steps, arena);
    b.push(false);
    while a_count.min(b_count) > 1 {
        let mut joined = BVec::with_capacity_in(a.len() + b.len(), arena);
        joined.extend_from_slice(&a);
        joined.extend_from_slice(&b);
        if a_count > b_count {
            // Pair the first b_count groups of a with b; the rest of a is the remainder.
            (a_count, b_count) = (b_count, a_count - b_count);
            b = std::mem::replace(&mut a, joined);
        } else {
            // Pair every group of a with one of b; the rest of b stays the remainder.
            b_count -= a_count;
            a = joined;
        }
    }
    for _ in 0..a_count {
        out.extend_from_slice(&a);
    }
    for _ in 0..b_count {
        out.extend_from_slice(&b);
    }
}

/// The most steps a Euclidean rhythm or a range may have; beyond it the pattern is silent, so a
/// typo cannot make a block's query unbounded.
pub const MAX_STEPS: i64 = 4096;

impl<T: Item> Pattern<T> {
    /// Drops events whose random value (seeded by `seed`, as Tidal seeds `?`) is below `amount`.
    pub fn degrade_by_seeded(&self, seed: u32, amount: f64) -> Pattern<T> {
        self.keep_by_rand(seed, move |r| r >= amount)
    }

    /// The events [`Pattern::degrade_by_seeded`] would drop.
    pub fn undegrade_by_seeded(&self, seed: u32, amount: f64) -> Pattern<T> {
        self.keep_by_rand(seed, move |r| r < amount)
    }

    fn keep_by_rand(
        &self,
        seed: u32,
        keep: impl Fn(f64) -> bool + Send + Sync + 'static,
    ) -> Pattern<T> {
        let p = self.clone();
        let shift = Time::new(i64::from(seed), 10_000);
        Pattern::from_fn(move |span, arena, out| {
            let from = out.len();
            p.query_into(span, arena, out);
            retain_from(out, from, |e| {
                keep(time_to_rand(e.whole_or_part().begin + shift))
            });
        })
    }

    /// Randomly removes events with probability `amount` (Tidal's `degradeBy`).
    pub fn degrade_by(&self, amount: f64) -> Pattern<T> {
        self.degrade_by_seeded(0, amount)
    }

    /// Randomly removes half the events (Tidal's `degrade`).
    pub fn degrade(&self) -> Pattern<T> {
        self.degrade_by(0.5)
    }

    /// Applies `f` to a random `amount` of the events (Tidal's `sometimesBy`).
    pub fn sometimes_by(
        &self,
        amount: f64,
        f: impl FnOnce(&Pattern<T>) -> Pattern<T>,
    ) -> Pattern<T> {
        stack(vec![
            self.degrade_by(amount),
            f(&self.undegrade_by_seeded(0, amount)),
        ])
    }

    /// Plays `k` hits spread over `n` steps, rotated left by `rotation` steps; a negative `k`
    /// plays the complement (Tidal's `euclidOff`).
    pub fn euclid(&self, k: i64, n: i64, rotation: i64) -> Pattern<T> {
        self.euclid_with_rests(k, n, rotation, &silence())
    }

    /// A Euclidean rhythm that plays `rests` on the steps without a hit (Tidal's `euclidFull`).
    pub fn euclid_with_rests(
        &self,
        k: i64,
        n: i64,
        rotation: i64,
        rests: &Pattern<T>,
    ) -> Pattern<T> {
        let args = pure((k, n, rotation));
        self.euclid_p_with_rests(&args, rests)
    }

    /// A Euclidean rhythm with patterned hits, steps and rotation.
    pub fn euclid_p(&self, args: &Pattern<(i64, i64, i64)>) -> Pattern<T> {
        self.euclid_p_with_rests(args, &silence())
    }

    /// A Euclidean rhythm with patterned arguments that plays `rests` between the hits.
    pub fn euclid_p_with_rests(
        &self,
        args: &Pattern<(i64, i64, i64)>,
        rests: &Pattern<T>,
    ) -> Pattern<T> {
        let (hit, rest) = (self.clone(), rests.clone());
        patterned(args, move |&(k, n, rotation), span, arena, out| {
            if n <= 0 || n > MAX_STEPS {
                return;
            }
            let mut bools = BVec::new_in(arena);
            bjorklund(k.unsigned_abs() as usize, n as usize, arena, &mut bools);
            let invert = k < 0;
            let shift = Time::new(rotation.rem_euclid(n), n);
            let step = Time::new(1, n);
            let from = out.len();
            for piece in span.cycles() {
                let shifted = Span::new(piece.begin + shift, piece.end + shift);
                for (i, &b) in bools.iter().enumerate() {
                    let begin = step * Time::from_int(i as i64);
                    let which = if b != invert { &hit } else { &rest };
                    query_compressed(which, begin, begin + step, shifted, arena, out);
                }
            }
            crate::pattern::map_spans(out, from, |s| s.with_time(|t| t - shift));
        })
    }

    /// Applies `f` every `n`th cycle, starting with cycle 0 (Tidal's `every`).
    pub fn every(&self, n: i64, f: impl FnOnce(&Pattern<T>) -> Pattern<T>) -> Pattern<T> {
        self.every_offset(n, 0, f)
    }

    /// Applies `f` in cycles where `cycle mod n == offset` (Tidal's `every'`).
    pub fn every_offset(
        &self,
        n: i64,
        offset: i64,
        f: impl FnOnce(&Pattern<T>) -> Pattern<T>,
    ) -> Pattern<T> {
        if n <= 0 {
            return self.clone();
        }
        let transformed = f(self);
        self.when_cycle(
            move |c| c.rem_euclid(n) == offset.rem_euclid(n),
            &transformed,
        )
    }

    /// [`Pattern::every`] with a patterned count.
    pub fn every_p(
        &self,
        n: &Pattern<i64>,
        f: impl FnOnce(&Pattern<T>) -> Pattern<T>,
    ) -> Pattern<T> {
        let (p, t) = (self.clone(), f(self));
        patterned(n, move |&n, span, arena, out| {
            for piece in span.cycles() {
                if n > 0 && piece.begin.cycle().rem_euclid(n) == 0 {
                    t.query_into(piece, arena, out)
                } else {
                    p.query_into(piece, arena, out)
                }
            }
        })
    }

    /// Repeats each event `n` times within its own span (Tidal's `ply`).
    pub fn ply(&self, n: Time) -> Pattern<T> {
        self.ply_p(&pure(n))
    }

    /// [`Pattern::ply`] with a patterned count.
    pub fn ply_p(&self, n: &Pattern<Time>) -> Pattern<T> {
        let p = self.clone();
        patterned(n, move |&n, span, arena, out| {
            if !n.is_positive() || n > Time::from_int(MAX_STEPS) {
                return;
            }
            let mut events = BVec::new_in(arena);
            p.query_into(span, arena, &mut events);
            let mut made = 0;
            for e in &events {
                let Some(whole) = e.whole else { continue };
                let width = whole.duration() / n;
                if !width.is_positive() {
                    continue;
                }
                // Only the repeats that overlap this event's part.
                let first = ((e.part.begin - whole.begin) / width).floor().numer();
                let mut i = first.max(0);
                loop {
                    let begin = whole.begin + width * Time::from_int(i);
                    if begin >= e.part.end && !(e.part.begin == e.part.end && begin == e.part.begin)
                    {
                        break;
                    }
                    let sub = Span::new(begin, begin + width);
                    if let Some(part) = sub.intersect(e.part) {
                        // Repeats past one per event spend budget (`ply 4096` of a dense pattern).
                        made += 1;
                        if made > events.len() && !crate::budget::spend() {
                            return;
                        }
                        out.push(Event {
                            whole: Some(sub),
                            part,
                            value: e.value.clone(),
                        });
                    }
                    if begin >= whole.end {
                        break;
                    }
                    i += 1;
                }
            }
        })
    }

    /// Starts each cycle one `n`th later than the last (Tidal's `iter`).
    pub fn iter(&self, n: i64) -> Pattern<T> {
        self.iter_by(n, 1)
    }

    /// Like [`Pattern::iter`], going backwards (Tidal's `iter'`).
    pub fn iter_back(&self, n: i64) -> Pattern<T> {
        self.iter_by(n, -1)
    }

    fn iter_by(&self, n: i64, direction: i64) -> Pattern<T> {
        if n <= 0 {
            return self.clone();
        }
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| iter_into(&p, n, direction, span, arena, out))
    }

    /// [`Pattern::iter`] (or, with a `direction` of -1, [`Pattern::iter_back`]) with a
    /// patterned count (Tidal's `iter`, its count an `innerJoin`).
    pub fn iter_p(&self, n: &Pattern<i64>, direction: i64) -> Pattern<T> {
        let p = self.clone();
        patterned(n, move |&n, span, arena, out| {
            iter_into(&p, n, direction, span, arena, out)
        })
    }

    /// Plays forwards, then backwards, alternating cycles (Tidal's `palindrome`).
    pub fn palindrome(&self) -> Pattern<T> {
        slowcat(vec![self.clone(), self.rev()])
    }

    /// Plays the pattern with a transformed copy on top (Tidal's `superimpose`).
    pub fn superimpose(&self, f: impl FnOnce(&Pattern<T>) -> Pattern<T>) -> Pattern<T> {
        stack(vec![self.clone(), f(self)])
    }

    /// Superimposes a transformed copy shifted later by `by` (Tidal's `off`).
    pub fn off(&self, by: Time, f: impl FnOnce(&Pattern<T>) -> Pattern<T>) -> Pattern<T> {
        stack(vec![self.clone(), f(&self.late(by))])
    }

    /// Applies `f` only to events whose onset falls in `[begin, end)` of the cycle (Tidal's
    /// `within`).
    pub fn within(
        &self,
        begin: Time,
        end: Time,
        f: impl FnOnce(&Pattern<T>) -> Pattern<T>,
    ) -> Pattern<T> {
        let inside = move |t: Time| {
            let pos = t.cycle_pos();
            pos >= begin && pos < end
        };
        stack(vec![
            f(self).filter_onsets(inside),
            self.filter_onsets(move |t| !inside(t)),
        ])
    }

    /// Applies `f` to one of `n` parts of the cycle in turn, moving one part each cycle (Tidal's
    /// `chunk`).
    /// A negative `n` moves backwards through the parts, from the last, without `cat`'s
    /// per-element cycles (as Tidal's `chunk` with a negative count).
    pub fn chunk(&self, n: i64, f: impl FnOnce(&Pattern<T>) -> Pattern<T>) -> Pattern<T> {
        if n == 0 {
            return self.clone();
        }
        let k = n.abs();
        let transformed = f(self);
        let parts: Vec<Pattern<T>> = (0..k)
            .map(|i| {
                self.within(Time::new(i, k), Time::new(i + 1, k), |_| {
                    transformed.clone()
                })
            })
            .collect();
        if n > 0 {
            return slowcat(parts);
        }
        Pattern::from_fn(move |span, arena, out| {
            for piece in span.cycles() {
                let cycle = piece.whole_cycle();
                let i = k - 1 - piece.begin.cycle().rem_euclid(k);
                let from = out.len();
                parts[i as usize].query_into(piece, arena, out);
                let mut kept = from;
                for j in from..out.len() {
                    let whole = match out[j].whole {
                        Some(w) => match w.intersect(cycle) {
                            Some(w) => Some(w),
                            None => continue,
                        },
                        None => None,
                    };
                    out[j].whole = whole;
                    out.swap(kept, j);
                    kept += 1;
                }
                out.truncate(kept);
            }
        })
    }

    /// Plays each cycle squeezed into the first `1/factor` of the cycle, leaving a gap after it
    /// (Tidal's `_fastGap`, including how it scales events that cross a cycle boundary).
    pub fn fast_gap(&self, factor: Time) -> Pattern<T> {
        if !factor.is_positive() {
            return silence();
        }
        let r = factor.max(Time::ONE);
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            for piece in span.cycles() {
                let munge = |t: Time| t.floor() + (r * t.cycle_pos()).min(Time::ONE);
                let inner = Span::new(munge(piece.begin), munge(piece.end));
                if inner.begin == piece.begin.floor() + Time::ONE {
                    continue;
                }
                let from = out.len();
                p.query_into(inner, arena, out);
                let scale = |s: Span| {
                    let c = s.begin.floor();
                    Span::new(c + (s.begin - c) / r, c + (s.end - c) / r)
                };
                crate::pattern::map_spans(out, from, scale);
                crate::pattern::clip_parts(out, from, piece);
            }
        })
    }

    /// Each cycle cut into `n` parts, part `k` of cycle `c` playing part `pick(c, k)` of the
    /// same cycle: what `scramble` and `shuffle` share.
    fn reorder_parts(
        &self,
        n: i64,
        pick: impl Fn(Time, i64) -> i64 + Send + Sync + 'static,
    ) -> Pattern<T> {
        let p = self.clone();
        let parts = Time::from(n);
        Pattern::from_fn(move |span, arena, out| {
            for piece in span.with_time(|t| t * parts).cycles() {
                let part = piece.begin.floor();
                let cycle = (part / parts).floor();
                let k = (part - cycle * parts).cycle();
                let shift = Time::new(pick(cycle, k).rem_euclid(n) - k, n);
                let inner = piece.with_time(|t| t / parts + shift);
                let from = out.len();
                p.query_into(inner, arena, out);
                crate::pattern::map_spans(out, from, |s| s.with_time(|t| t - shift));
            }
        })
    }

    /// Each cycle cut into `n` parts, each replaced by a part chosen at random, with repeats
    /// (Tidal's `scramble`, with Tidal's random numbers).
    pub fn scramble(&self, n: i64) -> Pattern<T> {
        let n = n.max(1);
        self.reorder_parts(n, move |cycle, k| {
            let r = crate::signal::time_to_rand(cycle + Time::new(k, n));
            (r * n as f64).floor() as i64
        })
    }

    /// Each cycle cut into `n` parts (at most [`MAX_SHUFFLE`]) played in a random order, each
    /// once (Tidal's `shuffle`, with Tidal's random permutation).
    pub fn shuffle(&self, n: i64) -> Pattern<T> {
        let n = n.clamp(1, MAX_SHUFFLE as i64);
        self.reorder_parts(n, move |cycle, k| {
            let mut rands = [0.0f64; MAX_SHUFFLE];
            for (slot, r) in rands
                .iter_mut()
                .zip(crate::signal::time_to_rands(cycle, n as usize))
            {
                *slot = r;
            }
            let rands = &rands[..n as usize];
            // The part with the k-th smallest number (ties in index order): sortOn fst.
            (0..n as usize)
                .find(|&i| {
                    let below = rands
                        .iter()
                        .enumerate()
                        .filter(|&(j, &r)| r < rands[i] || (r == rands[i] && j < i))
                        .count();
                    below == k as usize
                })
                .unwrap_or(0) as i64
        })
    }

    /// The part `[begin, end)` of each cycle stretched to fill the cycle (Tidal's `zoomArc`).
    /// Results are mapped back from the cycle of the query, so an event that crosses a cycle
    /// keeps a whole around its part however the query is cut; Tidal maps each arc from the
    /// cycle of its own start, which moves such an event's onset with the query.
    pub fn zoom(&self, begin: Time, end: Time) -> Pattern<T> {
        if begin == end {
            return silence();
        }
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| query_zoomed(&p, begin, end, span, arena, out))
    }

    /// Only what falls between cycles `begin` and `end` (Tidal's `playFor`).
    pub fn play_for(&self, begin: Time, end: Time) -> Pattern<T> {
        let p = self.clone();
        let window = Span::new(begin, end);
        Pattern::from_fn(move |span, arena, out| {
            if let Some(inside) = span.intersect(window) {
                p.query_into(inside, arena, out);
            }
        })
    }

    /// Queries this pattern zoomed to `[begin, end)` of each cycle over `span`, without
    /// building the zoomed pattern (for functions that choose the window per event).
    pub fn zoom_query<'a>(
        &self,
        begin: Time,
        end: Time,
        span: Span,
        arena: &'a Bump,
        out: &mut crate::pattern::Events<'a, T>,
    ) {
        if begin != end {
            query_zoomed(self, begin, end, span, arena, out)
        }
    }

    /// Drops events whose random value is not above `amounts` (read over `cycles` cycles),
    /// the random stream repeating each of its cycles `cycles` times so that a pattern looped
    /// over them keeps the same choices (Tidal's `degradeOverBy`).
    pub fn degrade_over_by(&self, cycles: i64, amounts: &Pattern<f64>) -> Pattern<T> {
        let cycles = cycles.max(1);
        let p = self.clone();
        crate::pattern::bound(
            &amounts.slow(Time::from_int(cycles)),
            move |&x, span, arena, out| {
                let from = out.len();
                p.query_into(span, arena, out);
                retain_from(out, from, |e| {
                    let t = e.whole_or_part().begin;
                    let c = t.floor();
                    // `fastRepeatCycles i rand`: cycle c reads the random stream's cycle c / i.
                    let repeated = Time::from_int(c.numer().div_euclid(cycles)) + (t - c);
                    time_to_rand(repeated) > x
                });
            },
        )
    }

    /// Every cycle plays the first cycle (Tidal's `loopFirst`).
    pub fn loop_first(&self) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            for piece in span.cycles() {
                query_shifted(&p, -piece.begin.floor(), piece, arena, out);
            }
        })
    }

    /// Each cycle played `n` times before the next (Tidal's `repeatCycles`).
    pub fn repeat_cycles(&self, n: i64) -> Pattern<T> {
        if n <= 0 {
            return silence();
        }
        slowcat(vec![self.clone(); n as usize])
    }

    /// The pattern played at the speeds that make each cycle last `lengths[i]` cycles in turn,
    /// the whole list taking their sum (Tidal's `spaceOut`).
    pub fn space_out(&self, lengths: &[Time]) -> Pattern<T> {
        let total = lengths.iter().fold(Time::ZERO, |a, &b| a + b);
        if !total.is_positive() || lengths.iter().any(|l| !l.is_positive()) {
            return silence();
        }
        let mut begin = Time::ZERO;
        let parts = lengths
            .iter()
            .map(|&l| {
                let part = self.compress(begin / total, (begin + l) / total);
                begin = begin + l;
                part
            })
            .collect();
        stack(parts).slow(total)
    }

    /// One event at a time: an event that overlaps an earlier one starts where that one ends,
    /// and one inside it is dropped (Tidal's `mono`).
    pub fn mono(&self) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            let mut events = p.query(span, arena);
            sort_stable_in(&mut events, arena, |e| e.whole.map(|w| (w.begin, w.end)));
            let mut last_end: Option<Time> = None;
            for e in events.iter() {
                let mut e = e.clone();
                let whole = e.whole_or_part();
                if let Some(end) = last_end {
                    if whole.end <= end {
                        continue;
                    }
                    if whole.begin < end {
                        e.whole = Some(Span::new(end, whole.end));
                    }
                }
                last_end = Some(e.whole_or_part().end);
                if let Some(part) = e.whole_or_part().intersect(e.part) {
                    e.part = part;
                    out.push(e);
                }
            }
        })
    }

    /// Drops events whose random value is below `amount` at their onset (Tidal's `degradeBy`
    /// with a patterned amount, sampled where each event starts).
    pub fn degrade_by_p(&self, amount: &Pattern<f64>) -> Pattern<T> {
        self.keep_by_rand_and_amount(amount, |r, x| r >= x)
    }

    /// The events [`Pattern::degrade_by_p`] drops (Tidal's `unDegradeBy`, patterned).
    pub fn undegrade_by_p(&self, amount: &Pattern<f64>) -> Pattern<T> {
        self.keep_by_rand_and_amount(amount, |r, x| r < x)
    }

    fn keep_by_rand_and_amount(
        &self,
        amount: &Pattern<f64>,
        keep: impl Fn(f64, f64) -> bool + Send + Sync + 'static,
    ) -> Pattern<T> {
        let (p, amount) = (self.clone(), amount.clone());
        Pattern::from_fn(move |span, arena, out| {
            let from = out.len();
            p.query_into(span, arena, out);
            let mut sampled = BVec::new_in(arena);
            retain_from(out, from, |e| {
                let onset = e.whole_or_part().begin;
                sampled.clear();
                amount.query_into(Span::new(onset, onset), arena, &mut sampled);
                let x = sampled.first().map_or(0.0, |a| a.value);
                keep(time_to_rand(onset), x)
            });
        })
    }

    /// Repeats the first `by` of each cycle to fill the cycle; a negative `by` takes the end
    /// (Tidal's `linger`).
    pub fn linger(&self, by: Time) -> Pattern<T> {
        if by == Time::ZERO {
            return silence();
        }
        let zoomed = if by.is_positive() {
            self.zoom(Time::ZERO, by)
        } else {
            self.zoom(Time::ONE + by, Time::ONE)
        };
        zoomed.fast(Time::ONE / by)
    }

    /// Applies `f` to the pattern slowed by `n`, then speeds the result up again, so `f` works
    /// within each `1/n` of a cycle (Tidal's `inside`).
    pub fn inside(&self, n: Time, f: impl FnOnce(&Pattern<T>) -> Pattern<T>) -> Pattern<T> {
        f(&self.slow(n)).fast(n)
    }

    /// [`Pattern::inside`] by `1/n`: `f` works across `n` cycles (Tidal's `outside`).
    pub fn outside(&self, n: Time, f: impl FnOnce(&Pattern<T>) -> Pattern<T>) -> Pattern<T> {
        if n == Time::ZERO {
            return silence();
        }
        self.inside(Time::ONE / n, f)
    }

    /// Every other cycle squeezed into its first half and shifted a quarter later (Tidal's
    /// `brak`).
    pub fn brak(&self) -> Pattern<T> {
        let squeezed = crate::pattern::fastcat(vec![self.clone(), silence()]).late(Time::new(1, 4));
        self.when_cycle(|c| c.rem_euclid(2) == 1, &squeezed)
    }

    /// Each event starts `by` of the way into its step and ends with it (Tidal's `pressBy`).
    pub fn press_by(&self, by: Time) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| press_into(&p, by, span, arena, out))
    }

    /// [`Pattern::press_by`] with a patterned amount (Tidal's `pressBy`, an `innerJoin`).
    pub fn press_by_p(&self, by: &Pattern<Time>) -> Pattern<T> {
        let p = self.clone();
        patterned(by, move |&by, span, arena, out| {
            press_into(&p, by, span, arena, out)
        })
    }

    /// Samples the pattern a patterned number of times per cycle.
    pub fn segment_p(&self, n: &Pattern<Time>) -> Pattern<T> {
        pure(()).fast_p(n).zip_left(self, |_, v| v.clone())
    }

    /// This pattern's values on the structure of the true events of `bools` (Tidal's `struct`).
    pub fn structure(&self, bools: &Pattern<bool>) -> Pattern<T> {
        bools.filter_values(|b| *b).zip_left(self, |_, v| v.clone())
    }

    /// Only the parts of events where `bools` is true (Tidal's `mask`).
    pub fn mask(&self, bools: &Pattern<bool>) -> Pattern<T> {
        self.zip_left(&bools.filter_values(|b| *b), |v, _| v.clone())
    }

    /// One of `options`, chosen at random each cycle with Tidal's seeded stream (mini-notation's
    /// `|`).
    pub fn choose_cycle(seed: u32, options: Vec<Pattern<T>>) -> Pattern<T> {
        if options.is_empty() {
            return silence();
        }
        let shift = Time::new(i64::from(seed), 10_000);
        let count = options.len();
        Pattern::from_fn(move |span, arena, out| {
            for piece in span.cycles() {
                let cycle = piece.whole_cycle();
                let r = time_to_rand(cycle.begin + shift);
                let chosen = &options[((r * count as f64).floor() as usize).min(count - 1)];
                let from = out.len();
                chosen.query_into(piece, arena, out);
                for e in &mut out[from..] {
                    e.whole = e.whole.and_then(|w| w.intersect(cycle));
                }
            }
        })
    }
}

impl<T: Item + PartialEq> Pattern<T> {
    /// Shifts values `n` events onwards within each cycle, keeping the structure (Tidal's `rot`).
    /// Fragments of one event (a pattern argument cuts events at its own edges) are joined
    /// first, as Tidal's `defragParts` does, so each event counts once.
    pub fn rot(&self, n: i64) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| rot_into(&p, n, span, arena, out))
    }

    /// [`Pattern::rot`] with a patterned count (Tidal's `rot`, its count an `innerJoin`).
    pub fn rot_p(&self, n: &Pattern<i64>) -> Pattern<T> {
        let p = self.clone();
        patterned(n, move |&n, span, arena, out| {
            rot_into(&p, n, span, arena, out)
        })
    }
}

/// `p`'s values moved `n` events onwards within each cycle, over `span`, into `out`.
fn rot_into<'a, T: Item + PartialEq>(
    p: &Pattern<T>,
    n: i64,
    span: Span,
    arena: &'a Bump,
    out: &mut crate::pattern::Events<'a, T>,
) {
    for piece in span.cycles() {
        let mut events = BVec::new_in(arena);
        p.query_into(piece.whole_cycle(), arena, &mut events);
        events.retain(|e| e.whole.is_some());
        sort_stable_in(&mut events, arena, |e| {
            (e.whole.map(|w| (w.begin, w.end)), e.part.begin)
        });
        let mut joined = 0;
        for i in 0..events.len() {
            let merge = joined > 0 && {
                let (last, next) = (&events[joined - 1], &events[i]);
                last.whole == next.whole
                    && last.part.end == next.part.begin
                    && last.value == next.value
            };
            if merge {
                events[joined - 1].part.end = events[i].part.end;
            } else {
                events.swap(joined, i);
                joined += 1;
            }
        }
        events.truncate(joined);
        let count = events.len() as i64;
        if count == 0 {
            continue;
        }
        for (k, e) in events.iter().enumerate() {
            let source = (k as i64 + n).rem_euclid(count) as usize;
            if let Some(part) = e.part.intersect(piece) {
                out.push(Event {
                    whole: e.whole,
                    part,
                    value: events[source].value.clone(),
                });
            }
        }
    }
}

/// `slowcat` of `patterns` in an order chosen at random each cycle: cycle `c` plays the cat
/// `r` cycles on, `r` the cycle's random whole number below the count (Tidal's `randcat`,
/// `spread' rotL (_segment 1 $ _irand n) (slowcat ps)`).
pub fn randcat<T: Item>(patterns: Vec<Pattern<T>>) -> Pattern<T> {
    let n = patterns.len() as i64;
    if n == 0 {
        return silence();
    }
    let cat = slowcat(patterns);
    Pattern::from_fn(move |span, arena, out| {
        for piece in span.cycles() {
            let cycle = piece.whole_cycle();
            // `segment 1` samples the signal over the whole cycle: at its middle.
            let r = (time_to_rand(cycle.begin + Time::new(1, 2)) * n as f64).floor() as i64;
            let from = out.len();
            query_shifted(&cat, Time::from_int(r), piece, arena, out);
            for e in &mut out[from..] {
                e.whole = e.whole.and_then(|w| w.intersect(cycle));
            }
        }
    })
}

/// One of `patterns` a cycle, chosen at random with the weights given, each playing its own
/// cycle (Tidal's `wrandcat`, `unwrap $ wchooseBy (segment 1 rand) ps`).
pub fn wrandcat<T: Item>(patterns: Vec<(Pattern<T>, f64)>) -> Pattern<T> {
    let total: f64 = patterns.iter().map(|(_, w)| w).sum();
    if patterns.is_empty() || total.is_nan() || total <= 0.0 {
        return silence();
    }
    Pattern::from_fn(move |span, arena, out| {
        for piece in span.cycles() {
            let cycle = piece.whole_cycle();
            let r = time_to_rand(cycle.begin + Time::new(1, 2)) * total;
            // The first pattern whose running total of weights passes r.
            let mut sum = 0.0;
            let chosen = patterns.iter().find(|(_, w)| {
                sum += w;
                sum > r
            });
            let Some((p, _)) = chosen else {
                continue;
            };
            let from = out.len();
            p.query_into(piece, arena, out);
            for e in &mut out[from..] {
                e.whole = e.whole.and_then(|w| w.intersect(cycle));
            }
        }
    })
}

/// `p` zoomed so that `[begin, end)` of each cycle fills the cycle, queried over `span`.
pub(crate) fn query_zoomed<'a, T: Item>(
    p: &Pattern<T>,
    begin: Time,
    end: Time,
    span: Span,
    arena: &'a Bump,
    out: &mut crate::pattern::Events<'a, T>,
) {
    let width = end - begin;
    for piece in span.cycles() {
        let c = piece.begin.floor();
        let inner = Span::new(
            c + (piece.begin - c) * width + begin,
            c + (piece.end - c) * width + begin,
        );
        let from = out.len();
        p.query_into(inner, arena, out);
        let back = |s: Span| s.with_time(|t| c + (t - c - begin) / width);
        crate::pattern::map_spans(out, from, back);
    }
}

/// A Markov chain of `steps` states a cycle, starting each cycle from `start` and moving by the
/// rows of `transitions` (each the weights of going to each state), chosen by the random stream
/// at `cycle + k / steps` (Tidal's `markovPat`).
pub fn markov(steps: i64, start: i64, transitions: &[Vec<f64>]) -> Pattern<f64> {
    let rows: Vec<Vec<f64>> = transitions
        .iter()
        .map(|row| {
            let total: f64 = row.iter().sum();
            let mut running = 0.0;
            row.iter()
                .map(|w| {
                    running += w / total;
                    running
                })
                .collect()
        })
        .collect();
    if steps <= 0 || steps > MAX_STEPS || rows.is_empty() {
        return silence();
    }
    let n = rows.len() as i64;
    Pattern::from_fn(move |span, arena, out| {
        for piece in span.cycles() {
            let c = piece.begin.floor();
            let mut states = BVec::with_capacity_in(steps as usize, arena);
            let mut state = start.rem_euclid(n);
            states.push(state);
            for k in 1..steps {
                let r = time_to_rand(c + Time::new(k, steps));
                let row = &rows[state as usize];
                state = row
                    .iter()
                    .position(|&edge| r <= edge)
                    .unwrap_or(row.len() - 1) as i64
                    % n;
                states.push(state);
            }
            for (k, &s) in states.iter().enumerate() {
                let whole = Span::new(
                    c + Time::new(k as i64, steps),
                    c + Time::new(k as i64 + 1, steps),
                );
                if let Some(part) = whole.intersect(piece) {
                    out.push(Event {
                        whole: Some(whole),
                        part,
                        value: s as f64,
                    });
                }
            }
        }
    })
}

/// The numbers 0 to `n - 1` in one cycle (Tidal's `run`).
pub fn run(n: i64) -> Pattern<f64> {
    if n <= 0 || n > MAX_STEPS {
        return silence();
    }
    crate::pattern::fastcat((0..n).map(|i| pure(i as f64)).collect())
}

impl Pattern<f64> {
    /// A continuous pattern gliding from each event's value to the next one's, valued where it
    /// is queried (Tidal's `smooth`, which takes the middle of the query and gives the query's
    /// span as a whole; here, as for every signal, the start and no whole).
    pub fn smooth(&self) -> Pattern<f64> {
        let mono = self.mono();
        Pattern::from_fn(move |span, arena, out| {
            let at = |t: Time| Span::new(t, t);
            let here = mono.query(at(span.begin), arena);
            let Some(e) = here.first() else {
                return;
            };
            let whole = e.whole_or_part();
            let value = match mono.query(at(whole.end), arena).first() {
                Some(next) if whole.duration().is_positive() => {
                    let progress = ((span.begin - whole.begin) / whole.duration()).to_f64();
                    e.value + (next.value - e.value) * progress
                }
                _ => e.value,
            };
            out.push(Event {
                whole: None,
                part: span,
                value,
            });
        })
    }

    /// Scales values from 0..1 to `low..high` (Tidal's `range`).
    pub fn range(&self, low: f64, high: f64) -> Pattern<f64> {
        self.fmap(move |x| x * (high - low) + low)
    }

    /// [`Pattern::range`] with patterned bounds, structure from this pattern.
    pub fn range_p(&self, low: &Pattern<f64>, high: &Pattern<f64>) -> Pattern<f64> {
        self.zip_left(low, |x, l| (*x, *l))
            .zip_left(high, |(x, l), h| x * (h - l) + l)
    }

    /// Adds, with structure from the left (Tidal's `|+`).
    pub fn add(&self, other: &Pattern<f64>) -> Pattern<f64> {
        self.zip_left(other, |a, b| a + b)
    }

    /// Subtracts, with structure from the left (`|-`).
    pub fn sub(&self, other: &Pattern<f64>) -> Pattern<f64> {
        self.zip_left(other, |a, b| a - b)
    }

    /// Multiplies, with structure from the left (`|*`).
    pub fn mul(&self, other: &Pattern<f64>) -> Pattern<f64> {
        self.zip_left(other, |a, b| a * b)
    }

    /// Divides, with structure from the left (`|/`); division by zero gives zero.
    pub fn div(&self, other: &Pattern<f64>) -> Pattern<f64> {
        self.zip_left(other, |a, b| if *b == 0.0 { 0.0 } else { a / b })
    }
}

/// Sorts `items` by `key`, keeping equal ones in order (as `slice::sort_by_key`), with its
/// scratch space in `arena`: a real-time query must not reach the global allocator, which the
/// standard stable sort does past 20 items. Sorts indices, then moves the items by swaps, so
/// values are never cloned.
pub(crate) fn sort_stable_in<E, K: Ord>(items: &mut [E], arena: &Bump, key: impl Fn(&E) -> K) {
    let n = items.len();
    if n < 2 {
        return;
    }
    let mut order = BVec::with_capacity_in(n, arena);
    order.extend(0..n as u32);
    let mut scratch = BVec::with_capacity_in(n, arena);
    scratch.extend(0..n as u32);
    // Bottom-up merge sort of the indices: runs of `width`, merged pairwise.
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let (mid, end) = ((start + width).min(n), (start + 2 * width).min(n));
            let (mut a, mut b) = (start, mid);
            for slot in scratch[start..end].iter_mut() {
                let take_a = b >= end
                    || (a < mid
                        && key(&items[order[a] as usize]) <= key(&items[order[b] as usize]));
                if take_a {
                    *slot = order[a];
                    a += 1;
                } else {
                    *slot = order[b];
                    b += 1;
                }
            }
            start = end;
        }
        std::mem::swap(&mut order, &mut scratch);
        width *= 2;
    }
    // Item `order[i]` goes to place `i`: follow each cycle of the permutation with swaps.
    for i in 0..n {
        if order[i] as usize == i {
            continue;
        }
        let mut j = i;
        loop {
            let k = order[j] as usize;
            order[j] = j as u32;
            if k == i {
                break;
            }
            items.swap(j, k);
            j = k;
        }
    }
}

/// The most parts `shuffle` permutes.
pub const MAX_SHUFFLE: usize = 64;

/// `p` starting each cycle `i` `n`ths further on (`i` the cycle counted round `n`; backwards
/// with a `direction` of -1), over `span`, into `out`; a count of 0 or less leaves it be.
fn iter_into<'a, T: Item>(
    p: &Pattern<T>,
    n: i64,
    direction: i64,
    span: Span,
    arena: &'a Bump,
    out: &mut crate::pattern::Events<'a, T>,
) {
    if n <= 0 {
        p.query_into(span, arena, out);
        return;
    }
    for piece in span.cycles() {
        let i = piece.begin.cycle().rem_euclid(n);
        query_shifted(p, Time::new(direction * i, n), piece, arena, out);
    }
}

/// `p` with each event starting `by` of the way into its whole, over `span`, into `out`;
/// nothing for `by` outside `0..1`.
fn press_into<'a, T: Item>(
    p: &Pattern<T>,
    by: Time,
    span: Span,
    arena: &'a Bump,
    out: &mut crate::pattern::Events<'a, T>,
) {
    if by < Time::ZERO || by >= Time::ONE {
        return;
    }
    let from = out.len();
    p.query_into(span, arena, out);
    let mut kept = from;
    for j in from..out.len() {
        let Some(whole) = out[j].whole else { continue };
        let pressed = Span::new(whole.begin + by * whole.duration(), whole.end);
        let Some(part) = out[j].part.intersect(pressed) else {
            continue;
        };
        out[j].whole = Some(pressed);
        out[j].part = part;
        out.swap(kept, j);
        kept += 1;
    }
    out.truncate(kept);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_arena_sort_is_the_standard_stable_sort() {
        let arena = Bump::new();
        let mut seed = 7u64;
        for n in [0usize, 1, 2, 3, 20, 21, 64, 257] {
            let items: Vec<(u8, usize)> = (0..n)
                .map(|k| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    ((seed >> 60) as u8, k)
                })
                .collect();
            let mut ours = items.clone();
            sort_stable_in(&mut ours, &arena, |x| x.0);
            let mut theirs = items;
            theirs.sort_by_key(|x| x.0);
            assert_eq!(ours, theirs, "{n} items");
        }
    }

    use super::*;

    fn rhythm(k: usize, n: usize) -> String {
        let arena = Bump::new();
        let mut out = BVec::new_in(&arena);
        bjorklund(k, n, &arena, &mut out);
        out.iter().map(|&b| if b { 'x' } else { '.' }).collect()
    }

    #[test]
    fn bjorklund_matches_known_rhythms() {
        assert_eq!(rhythm(3, 8), "x..x..x.");
        assert_eq!(rhythm(5, 8), "x.xx.xx.");
        assert_eq!(rhythm(5, 12), "x..x.x..x.x.");
        assert_eq!(rhythm(0, 4), "....");
        assert_eq!(rhythm(4, 4), "xxxx");
        assert_eq!(rhythm(9, 4), "xxxx");
    }
}
