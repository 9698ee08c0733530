//! Tidal's `squeezeJoin` and what is built on it: patterns whose events each play a whole cycle
//! of another pattern squeezed inside them (`squeeze`, `bite`, `fastSqueeze`, `substruct`,
//! `stripe`, `binary`, `ascii`). Everything is built in the query's arena.

use crate::event::Event;
use crate::pattern::{map_spans, query_fast, query_shifted, retain_from, Events, Item, Pattern};
use crate::signal::time_to_rand;
use crate::time::{Span, Time};
use crate::transform::{query_zoomed, sort_stable_in};
use crate::value::Value;
use bumpalo::collections::Vec as BVec;
use bumpalo::Bump;

/// Each event of `outer` with a whole plays one cycle of what `inner` gives for it, squeezed
/// into that whole (Tidal's `squeezeJoin`). `inner` queries its pattern over a span of the
/// inner pattern's time; events keep wholes inside the outer whole.
pub fn squeeze_join<A: Item, T: Item>(
    outer: &Pattern<A>,
    inner: impl for<'a> Fn(&Event<A>, Span, &'a Bump, &mut Events<'a, T>) + Send + Sync + 'static,
) -> Pattern<T> {
    let outer = outer.clone();
    Pattern::from_fn(move |span, arena, out| {
        let mut outers = BVec::new_in(arena);
        outer.query_into(span, arena, &mut outers);
        for e in &outers {
            let Some(whole) = e.whole else {
                continue;
            };
            let width = whole.duration();
            if !width.is_positive() {
                continue;
            }
            // The whole's place in its cycle (Tidal's `cycleArc`).
            let begin = whole.begin - whole.begin.floor();
            let from = out.len();
            for piece in e.part.cycles() {
                let cycle = piece.begin.floor();
                let region = Span::new(cycle + begin, cycle + begin + width);
                let Some(inside) = piece.intersect(region) else {
                    continue;
                };
                let at = out.len();
                inner(
                    e,
                    inside.with_time(|t| cycle + (t - region.begin) / width),
                    arena,
                    out,
                );
                map_spans(out, at, |s| {
                    s.with_time(|t| region.begin + (t - cycle) * width)
                });
            }
            retain_from(out, from, |inner| {
                inner.whole.is_none_or(|w| w.intersect(whole).is_some())
            });
            for inner in &mut out[from..] {
                inner.whole = inner.whole.and_then(|w| w.intersect(whole));
            }
        }
    })
}

/// Each event of `indices` plays a whole cycle of the pattern it picks from `patterns`
/// (counting round), squeezed into the event (Tidal's `squeeze`).
pub fn squeeze<T: Item>(indices: &Pattern<i64>, patterns: Vec<Pattern<T>>) -> Pattern<T> {
    if patterns.is_empty() {
        return crate::pattern::silence();
    }
    squeeze_join(indices, move |e, span, arena, out| {
        let chosen = &patterns[e.value.rem_euclid(patterns.len() as i64) as usize];
        chosen.query_into(span, arena, out)
    })
}

/// Writes, for every cycle `span` touches, `n` equal steps whose values `step(cycle, k)` gives
/// (`None` is a rest): a `fastcat` of values computed where they are played.
fn query_steps<'a, T>(
    span: Span,
    n: i64,
    out: &mut Events<'a, T>,
    step: impl Fn(i64, i64) -> Option<T>,
) {
    if n <= 0 {
        return;
    }
    for piece in span.cycles() {
        let c = piece.begin.floor();
        let offset = piece.begin - c;
        let first = (offset * Time::from_int(n)).floor().numer().clamp(0, n - 1);
        for k in first..n {
            let whole = Span::new(c + Time::new(k, n), c + Time::new(k + 1, n));
            let Some(part) = whole.intersect(piece) else {
                if whole.begin >= piece.end {
                    break;
                }
                continue;
            };
            if let Some(value) = step(piece.begin.cycle(), k) {
                out.push(Event {
                    whole: Some(whole),
                    part,
                    value,
                });
            }
        }
    }
}

impl<T: Item> Pattern<T> {
    /// Each event of `indices` plays the `i`-th of `n` parts of this pattern's cycle, squeezed
    /// into it (Tidal's `bite`).
    pub fn bite(&self, n: i64, indices: &Pattern<i64>) -> Pattern<T> {
        let parts: Vec<Pattern<T>> = (0..n.max(1))
            .map(|i| self.zoom(Time::new(i, n.max(1)), Time::new(i + 1, n.max(1))))
            .collect();
        squeeze(indices, parts)
    }

    /// Each event of `factors` plays a whole cycle of this pattern sped up by its value,
    /// squeezed into the event (Tidal's `fastSqueeze`).
    pub fn fast_squeeze(&self, factors: &Pattern<Time>) -> Pattern<T> {
        let (p, reversed) = (self.clone(), self.rev());
        squeeze_join(factors, move |e, span, arena, out| {
            let f = e.value;
            if f.is_positive() {
                query_fast(&p, f, span, arena, out)
            } else if f != Time::ZERO {
                query_fast(&reversed, -f, span, arena, out)
            }
        })
    }

    /// A whole cycle of this pattern squeezed into each true event of `bools` (Tidal's
    /// `substruct`).
    pub fn substruct(&self, bools: &Pattern<bool>) -> Pattern<T> {
        let p = self.clone();
        squeeze_join(&bools.filter_values(|&b| b), move |_, span, arena, out| {
            p.query_into(span, arena, out)
        })
    }

    /// Each event of `indices` plays a cycle of this pattern squeezed into it: the `i`-th
    /// event of a cycle of `k` events the cycle `i·k` earlier (Tidal's `substruct'`).
    pub fn substruct_indexed(&self, indices: &Pattern<i64>) -> Pattern<T> {
        let (p, structure) = (self.clone(), indices.clone());
        squeeze_join(indices, move |e, span, arena, out| {
            // The events of the cycle the event begins in (Tidal counts those of the query's
            // cycle: the same for queries that stay within a cycle, as the engine's do).
            let cycle = e.whole_or_part().whole_cycle();
            let k = structure.query(cycle, arena).len() as i64;
            query_shifted(&p, -Time::from_int(e.value * k), span, arena, out)
        })
    }

    /// `n` repeats of each cycle at random speeds that fill the cycle (Tidal's `stripe`).
    pub fn stripe(&self, n: i64) -> Pattern<T> {
        self.substruct_indexed(&rand_struct(n))
    }
}

/// The `n` random-length parts a cycle is cut into (Tidal's `randArcs`): part `x` has weight
/// 1, 2 or 3, chosen by the random stream at `cycle + 1/2 + x/n`, where Tidal's bind samples it.
fn rand_arcs<'a>(cycle: i64, n: i64, arena: &'a Bump) -> BVec<'a, Span> {
    let c = Time::from_int(cycle);
    let mut weights = BVec::with_capacity_in(n as usize, arena);
    for x in 0..n {
        let r = time_to_rand(c + Time::new(1, 2) + Time::new(x, n));
        weights.push(((r * 3.0).floor() as i64).clamp(0, 2) + 1);
    }
    let total: i64 = weights.iter().sum();
    let mut arcs = BVec::with_capacity_in(n as usize, arena);
    let mut sum = 0;
    for (x, w) in weights.iter().enumerate() {
        let begin = Time::new(sum, total);
        sum += w;
        let end = if x as i64 == n - 1 {
            Time::ONE
        } else {
            Time::new(sum, total)
        };
        arcs.push(Span::new(c + begin, c + end));
    }
    arcs
}

/// Each cycle cut into `n` parts of random length, valued 0 to `n - 1` (Tidal's
/// `randStruct`).
pub fn rand_struct(n: i64) -> Pattern<i64> {
    if n <= 0 || n > crate::transform::MAX_STEPS {
        return crate::pattern::silence();
    }
    Pattern::from_fn(move |span, arena, out| {
        for piece in span.cycles() {
            for (i, arc) in rand_arcs(piece.begin.cycle(), n, arena).iter().enumerate() {
                if let Some(part) = arc.intersect(piece) {
                    out.push(Event {
                        whole: Some(*arc),
                        part,
                        value: i as i64,
                    });
                }
            }
        }
    })
}

/// The `bits` low bits of each number, most significant first, squeezed into its event
/// (Tidal's `binaryN`).
pub fn binary(bits: i64, numbers: &Pattern<i64>) -> Pattern<bool> {
    let bits = bits.clamp(0, 64);
    squeeze_join(numbers, move |e, span, _, out| {
        let n = e.value;
        query_steps(span, bits, out, |_, k| Some((n >> (bits - 1 - k)) & 1 == 1))
    })
}

/// Each word's characters as 8 bits each (their code, most significant bit first), squeezed
/// into its event (Tidal's `ascii`).
pub fn ascii(words: &Pattern<Value>) -> Pattern<bool> {
    squeeze_join(words, |e, span, _, out| {
        let text = match &e.value {
            Value::Str(s) => s.as_bytes(),
            _ => &[],
        };
        let steps = 8 * text.len() as i64;
        query_steps(span, steps, out, |_, k| {
            let byte = text[(k / 8) as usize];
            Some((byte >> (7 - k % 8)) & 1 == 1)
        })
    })
}

/// Each cycle, the numbers 0 to `n - 1` in a random order (Tidal's `randrun`).
pub fn randrun(n: i64) -> Pattern<f64> {
    if n <= 0 || n > crate::transform::MAX_STEPS {
        return crate::pattern::silence();
    }
    Pattern::from_fn(move |span, arena, out| {
        for piece in span.cycles() {
            // Tidal sorts 0..n by the random numbers of the cycle's seed (stably).
            let rands: BVec<'_, f64> = BVec::from_iter_in(
                crate::signal::time_to_rands(piece.begin.floor(), n as usize),
                arena,
            );
            let mut order = BVec::from_iter_in(0..n, arena);
            // The numbers are in [0, 1), where their bits sort as they do.
            sort_stable_in(&mut order, arena, |&i| rands[i as usize].to_bits());
            query_steps(piece, n, out, |_, k| Some(order[k as usize] as f64));
        }
    })
}

/// Bools from step lengths: each length `x` is a true step followed by `x - 1` false ones, the
/// whole list taking `sum / per_cycle` cycles (Tidal's `necklace`).
pub fn necklace(per_cycle: Time, lengths: &[i64]) -> Pattern<bool> {
    let steps: Vec<bool> = lengths
        .iter()
        .flat_map(|&x| (0..x.max(1)).map(|k| k == 0))
        .collect();
    if steps.is_empty() || !per_cycle.is_positive() {
        return crate::pattern::silence();
    }
    let total = Time::from_int(steps.len() as i64);
    let n = steps.len() as i64;
    Pattern::from_fn(move |span, _, out| query_steps(span, n, out, |_, k| Some(steps[k as usize])))
        .slow(total / per_cycle)
}

/// `p` zoomed so that the span its events of each cycle cover fills the cycle (Tidal's
/// `stretch`).
pub fn stretch<T: Item>(p: &Pattern<T>) -> Pattern<T> {
    let p = p.clone();
    Pattern::from_fn(move |span, arena, out| {
        for piece in span.cycles() {
            let cycle = piece.whole_cycle();
            let events = p.query(cycle, arena);
            let (begin, end) = events.iter().fold((None, None), |(b, e), ev| {
                let s = ev.whole_or_part();
                (
                    Some(b.map_or(s.begin, |b: Time| b.min(s.begin))),
                    Some(e.map_or(s.end, |e: Time| e.max(s.end))),
                )
            });
            let (Some(begin), Some(end)) = (begin, end) else {
                continue;
            };
            if end <= begin {
                continue;
            }
            // Tidal's `cycleArc`: the span's place in its cycle.
            let from = begin - begin.floor();
            query_zoomed(&p, from, from + (end - begin), piece, arena, out);
        }
    })
}
