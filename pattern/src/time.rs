//! Exact rational time: cycle positions as fractions, and spans of them.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A rational number of cycles, always in lowest terms with a positive denominator.
///
/// Arithmetic is exact. Intermediates use 128 bits; a result that would not fit 64 bits (never
/// seen in musical use) is rounded to the nearest fraction that does, rather than panicking.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Time {
    num: i64,
    den: i64,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Time {
    /// Zero cycles.
    pub const ZERO: Time = Time { num: 0, den: 1 };
    /// One cycle.
    pub const ONE: Time = Time { num: 1, den: 1 };

    /// `num / den`; `den` must not be zero.
    pub fn new(num: i64, den: i64) -> Time {
        Time::reduce(i128::from(num), i128::from(den))
    }

    /// A whole number of cycles.
    pub const fn from_int(n: i64) -> Time {
        Time { num: n, den: 1 }
    }

    fn reduce(num: i128, den: i128) -> Time {
        debug_assert!(den != 0, "zero denominator");
        let den = if den == 0 { 1 } else { den };
        let g = gcd(num, den).max(1);
        let (mut num, mut den) = (num / g, den / g);
        if den < 0 {
            num = -num;
            den = -den;
        }
        match (i64::try_from(num), i64::try_from(den)) {
            (Ok(num), Ok(den)) => Time { num, den },
            _ => Time::approximate(num as f64 / den as f64),
        }
    }

    /// The closest fraction with a denominator up to 2^20 (continued fractions).
    fn approximate(x: f64) -> Time {
        if !x.is_finite() {
            return Time::ZERO;
        }
        let (mut h0, mut h1, mut k0, mut k1) = (0i128, 1i128, 1i128, 0i128);
        let mut r = x;
        for _ in 0..64 {
            let a = r.floor();
            let (h2, k2) = (a as i128 * h1 + h0, a as i128 * k1 + k0);
            if k2 > 1 << 20 || h2.abs() > i128::from(i64::MAX) {
                break;
            }
            (h0, h1, k0, k1) = (h1, h2, k1, k2);
            let frac = r - a;
            if frac.abs() < 1e-12 {
                break;
            }
            r = 1.0 / frac;
        }
        if k1 == 0 {
            return Time::from_int(x.round() as i64);
        }
        Time::reduce(h1, k1)
    }

    /// The fraction closest to a float (for numbers typed as decimals).
    pub fn from_f64(x: f64) -> Time {
        if x.fract() == 0.0 && x.abs() < 9.0e15 {
            return Time::from_int(x as i64);
        }
        Time::approximate(x)
    }

    /// The numerator.
    pub fn numer(self) -> i64 {
        self.num
    }

    /// The denominator (positive).
    pub fn denom(self) -> i64 {
        self.den
    }

    /// As a float.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// The largest whole number of cycles not after `self` (the cycle it falls in).
    pub fn floor(self) -> Time {
        Time::from_int(self.num.div_euclid(self.den))
    }

    /// The smallest whole number of cycles not before `self`.
    pub fn ceil(self) -> Time {
        let f = self.floor();
        if f == self {
            f
        } else {
            f + Time::ONE
        }
    }

    /// The cycle number `self` falls in.
    pub fn cycle(self) -> i64 {
        self.num.div_euclid(self.den)
    }

    /// The position within the cycle, in `[0, 1)`.
    pub fn cycle_pos(self) -> Time {
        self - self.floor()
    }

    /// The start of the next cycle.
    pub fn next_cycle(self) -> Time {
        self.floor() + Time::ONE
    }

    /// The smaller of two times.
    pub fn min(self, other: Time) -> Time {
        if self <= other {
            self
        } else {
            other
        }
    }

    /// The larger of two times.
    pub fn max(self, other: Time) -> Time {
        if self >= other {
            self
        } else {
            other
        }
    }

    /// True when greater than zero.
    pub fn is_positive(self) -> bool {
        self.num > 0
    }
}

impl Default for Time {
    fn default() -> Self {
        Time::ZERO
    }
}

impl From<i64> for Time {
    fn from(n: i64) -> Time {
        Time::from_int(n)
    }
}

impl Add for Time {
    type Output = Time;
    fn add(self, o: Time) -> Time {
        if self.den == o.den {
            return Time::reduce(
                i128::from(self.num) + i128::from(o.num),
                i128::from(self.den),
            );
        }
        Time::reduce(
            i128::from(self.num) * i128::from(o.den) + i128::from(o.num) * i128::from(self.den),
            i128::from(self.den) * i128::from(o.den),
        )
    }
}

impl Sub for Time {
    type Output = Time;
    fn sub(self, o: Time) -> Time {
        self + (-o)
    }
}

impl Neg for Time {
    type Output = Time;
    fn neg(self) -> Time {
        Time::reduce(-i128::from(self.num), i128::from(self.den))
    }
}

impl Mul for Time {
    type Output = Time;
    fn mul(self, o: Time) -> Time {
        Time::reduce(
            i128::from(self.num) * i128::from(o.num),
            i128::from(self.den) * i128::from(o.den),
        )
    }
}

impl Div for Time {
    type Output = Time;
    /// Division by zero gives zero (a silent pattern) rather than a panic.
    fn div(self, o: Time) -> Time {
        if o.num == 0 {
            return Time::ZERO;
        }
        Time::reduce(
            i128::from(self.num) * i128::from(o.den),
            i128::from(self.den) * i128::from(o.num),
        )
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Time) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    fn cmp(&self, o: &Time) -> Ordering {
        (i128::from(self.num) * i128::from(o.den)).cmp(&(i128::from(o.num) * i128::from(self.den)))
    }
}

impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

/// A half-open stretch of time `[begin, end)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Where it starts.
    pub begin: Time,
    /// Where it stops (not included).
    pub end: Time,
}

impl Span {
    /// `[begin, end)`.
    pub fn new(begin: Time, end: Time) -> Span {
        Span { begin, end }
    }

    /// How long it lasts.
    pub fn duration(self) -> Time {
        self.end - self.begin
    }

    /// The midpoint.
    pub fn midpoint(self) -> Time {
        (self.begin + self.end) / Time::from_int(2)
    }

    /// Both ends mapped by `f`.
    pub fn with_time(self, f: impl Fn(Time) -> Time) -> Span {
        Span::new(f(self.begin), f(self.end))
    }

    /// The overlap of two spans, if they share any time. A zero-width span counts as inside a span
    /// that contains its point, as in Tidal's `subArc`.
    pub fn intersect(self, o: Span) -> Option<Span> {
        let begin = self.begin.max(o.begin);
        let end = self.end.min(o.end);
        if begin > end {
            return None;
        }
        if begin == end {
            // Zero-width results only count where one side is itself zero-width and not at the
            // other's end.
            if begin == self.end && self.begin < self.end {
                return None;
            }
            if begin == o.end && o.begin < o.end {
                return None;
            }
        }
        Some(Span::new(begin, end))
    }

    /// The overlap, possibly empty, without the zero-width rules (Tidal's `sect`).
    pub fn sect(self, o: Span) -> Span {
        Span::new(self.begin.max(o.begin), self.end.min(o.end))
    }

    /// The cycle-aligned span containing `begin`: `[floor(begin), floor(begin) + 1)`.
    pub fn whole_cycle(self) -> Span {
        let b = self.begin.floor();
        Span::new(b, b + Time::ONE)
    }

    /// Splits the span at cycle boundaries; a zero-width span yields itself.
    pub fn cycles(self) -> Cycles {
        Cycles {
            next: self.begin,
            end: self.end,
            zero_width: self.begin == self.end,
        }
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.begin, self.end)
    }
}

/// The pieces of a span split at cycle boundaries (see [`Span::cycles`]).
pub struct Cycles {
    next: Time,
    end: Time,
    zero_width: bool,
}

impl Iterator for Cycles {
    type Item = Span;
    fn next(&mut self) -> Option<Span> {
        if self.zero_width {
            self.zero_width = false;
            self.next = self.end;
            return Some(Span::new(self.end, self.end));
        }
        if self.next >= self.end {
            return None;
        }
        let stop = self.next.next_cycle().min(self.end);
        let piece = Span::new(self.next, stop);
        self.next = stop;
        Some(piece)
    }
}

/// Shorthand for `Time::new(num, den)`.
pub fn t(num: i64, den: i64) -> Time {
    Time::new(num, den)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_is_exact_and_reduced() {
        assert_eq!(t(1, 3) + t(1, 6), t(1, 2));
        assert_eq!(t(2, 4).numer(), 1);
        assert_eq!(t(1, -2), t(-1, 2));
        assert_eq!(t(-1, 3).floor(), Time::from_int(-1));
        assert_eq!(t(7, 2).cycle_pos(), t(1, 2));
        assert_eq!(t(3, 4) / Time::ZERO, Time::ZERO);
        assert!(t(1, 3) < t(1, 2));
    }

    #[test]
    fn spans_split_at_cycle_boundaries() {
        let pieces: Vec<Span> = Span::new(t(1, 2), t(5, 2)).cycles().collect();
        assert_eq!(
            pieces,
            vec![
                Span::new(t(1, 2), t(1, 1)),
                Span::new(t(1, 1), t(2, 1)),
                Span::new(t(2, 1), t(5, 2))
            ]
        );
        assert_eq!(Span::new(t(1, 1), t(1, 1)).cycles().count(), 1);
    }

    #[test]
    fn overflowing_results_round_instead_of_panicking() {
        let big = Time::new(i64::MAX / 3, 7_919);
        let r = big * Time::new(7_907, 7_901);
        assert!(r.to_f64().is_finite());
    }

    #[test]
    fn intersection_follows_tidal_sub_arc() {
        let a = Span::new(t(0, 1), t(1, 1));
        assert_eq!(a.intersect(Span::new(t(1, 1), t(2, 1))), None);
        assert_eq!(
            a.intersect(Span::new(t(1, 2), t(1, 2))),
            Some(Span::new(t(1, 2), t(1, 2)))
        );
    }
}
