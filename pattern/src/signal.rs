//! Continuous signals: patterns without structure whose value is a function of time (Tidal's
//! `sine`, `saw`, `rand`…). A query gets one event without a whole, valued at the query's start,
//! as in Tidal.

use crate::event::Event;
use crate::pattern::Item;
use crate::pattern::Pattern;
use crate::time::Time;

/// A continuous pattern: one event without a whole per query, valued at the query's start.
pub fn signal<T: Item>(f: impl Fn(Time) -> T + Send + Sync + 'static) -> Pattern<T> {
    Pattern::from_fn(move |span, _, out| {
        if span.begin <= span.end && crate::budget::spend() {
            out.push(Event {
                whole: None,
                part: span,
                value: f(span.begin),
            })
        }
    })
}

/// A sine wave from 0 to 1 over each cycle (Tidal's `sine`).
pub fn sine() -> Pattern<f64> {
    signal(|t| ((t.cycle_pos().to_f64() * std::f64::consts::TAU).sin() + 1.0) / 2.0)
}

/// A cosine wave from 0 to 1 over each cycle: `sine` a quarter cycle later (Tidal's `cosine`).
pub fn cosine() -> Pattern<f64> {
    sine().late(Time::new(1, 4))
}

/// A ramp from 0 to 1 over each cycle (Tidal's `saw`).
pub fn saw() -> Pattern<f64> {
    signal(|t| t.cycle_pos().to_f64())
}

/// A ramp from 1 down to 0 over each cycle (Tidal's `isaw`).
pub fn isaw() -> Pattern<f64> {
    signal(|t| 1.0 - t.cycle_pos().to_f64())
}

/// A triangle from 0 up to 1 and back over each cycle (Tidal's `tri`).
pub fn tri() -> Pattern<f64> {
    signal(|t| {
        let x = t.cycle_pos().to_f64();
        if x < 0.5 {
            2.0 * x
        } else {
            2.0 - 2.0 * x
        }
    })
}

/// 0 for the first half of each cycle, 1 for the second (Tidal's `square`).
pub fn square() -> Pattern<f64> {
    signal(|t| {
        if t.cycle_pos() < Time::new(1, 2) {
            0.0
        } else {
            1.0
        }
    })
}

/// Tidal's `timeToRand`: a deterministic pseudo-random number in `[0, 1)` for a time; 0.5 at
/// time 0, as in Tidal.
pub fn time_to_rand(t: Time) -> f64 {
    if t == Time::ZERO {
        return 0.5;
    }
    let n = i128::from(t.numer());
    let d = i128::from(t.denom()) * 300;
    let whole = n / d;
    let frac_num = n - whole * d;
    let seed = ((frac_num << 29) / d) as i64;
    let a = (seed << 13) ^ seed;
    let b = (a >> 17) ^ a;
    let x = (b << 5) ^ b;
    x.rem_euclid(536_870_912) as f64 / 536_870_912.0
}

/// Tidal's `timeToRands`: `n` pseudo-random numbers in `[0, 1)` from the seed of a time, each
/// the next xorshift of the last.
pub fn time_to_rands(t: Time, n: usize) -> impl Iterator<Item = f64> {
    let n128 = i128::from(t.numer());
    let d = i128::from(t.denom()) * 300;
    let whole = n128 / d;
    let frac_num = n128 - whole * d;
    let mut seed = ((frac_num << 29) / d) as i64;
    (0..n).map(move |_| {
        seed = xorwise(seed);
        seed.rem_euclid(536_870_912) as f64 / 536_870_912.0
    })
}

/// Tidal's `xorwise`: one step of its xorshift generator.
pub fn xorwise(x: i64) -> i64 {
    let a = (x << 13) ^ x;
    let b = (a >> 17) ^ a;
    (b << 5) ^ b
}

/// Tidal's `timeToIntSeed` of a floating-point time: the xorshift of the fraction of `t / 300`
/// scaled to 29 bits.
pub fn time_to_int_seed(t: f64) -> i64 {
    xorwise(((t / 300.0).fract() * 536_870_912.0).trunc() as i64)
}

/// Tidal's `intSeedToRand`: a seed as a number in `[0, 1)`.
pub fn int_seed_to_rand(seed: i64) -> f64 {
    seed.rem_euclid(536_870_912) as f64 / 536_870_912.0
}

/// Tidal's `timeToRand` of a floating-point time, as Tidal computes it on a `Double` (0 at 0).
pub fn time_to_rand_f64(t: f64) -> f64 {
    int_seed_to_rand(time_to_int_seed(t))
}

/// Tidal's `rand`: a continuous random signal in `[0, 1)`.
pub fn rand() -> Pattern<f64> {
    signal(time_to_rand)
}

/// Random whole numbers from 0 to `n - 1` (Tidal's `irand`).
pub fn irand(n: i64) -> Pattern<f64> {
    rand().fmap(move |r| (r * n as f64).floor())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{t, Span};

    #[test]
    fn time_to_rand_matches_tidal() {
        // Worked by hand from Tidal's definition (exact rationals, 64-bit xorshift).
        assert_eq!(time_to_rand(t(1, 2)), 0.259_137_842_804_193_5);
        assert_eq!(time_to_rand(t(3, 4)), 0.200_526_187_196_373_94);
        assert_eq!(time_to_rand(t(1001, 2)), 0.981_096_353_381_872_2);
        assert_eq!(time_to_rand(Time::ZERO), 0.5);
    }

    #[test]
    fn signals_are_valued_at_the_query_start() {
        let at = |p: &Pattern<f64>, b: Time, e: Time| p.events(Span::new(b, e))[0].value;
        assert_eq!(at(&saw(), t(1, 4), t(3, 4)), 0.25);
        assert_eq!(at(&isaw(), t(1, 4), t(1, 4)), 0.75);
        assert_eq!(at(&tri(), t(3, 4), t(1, 1)), 0.5);
        assert_eq!(at(&square(), t(1, 2), t(1, 1)), 1.0);
        assert_eq!(at(&irand(10), t(0, 1), t(0, 1)), 5.0);
        assert!(saw().events(Span::new(t(1, 2), t(1, 4))).is_empty());
    }
}
