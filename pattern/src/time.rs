//! Exact rational time: cycle positions as fractions, and spans of them.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A rational number of cycles with a positive denominator.
///
/// Arithmetic is exact. Fractions are reduced only when the denominator grows past 2^20, because
/// a gcd per operation dominated query time; equality, order and hashing compare values, not
/// representations. Intermediates that would overflow 64 bits use 128; a result that still would
/// not fit (never seen in musical use) is rounded to the nearest fraction that does, rather than
/// panicking.
#[derive(Clone, Copy)]
pub struct Time {
    num: i64,
    den: i64,
}

/// Denominators above this are reduced to lowest terms.
const REDUCE_ABOVE: i64 = 1 << 20;

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Stein's binary gcd after one hardware division.
fn gcd64(mut a: u64, mut b: u64) -> u64 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    // Numerators are often far larger than denominators: one division first saves the binary
    // loop a step per bit of the difference.
    if a > b {
        std::mem::swap(&mut a, &mut b);
    }
    b %= a;
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

impl Time {
    /// Zero cycles.
    pub const ZERO: Time = Time { num: 0, den: 1 };
    /// One cycle.
    pub const ONE: Time = Time { num: 1, den: 1 };

    /// `num / den`; a zero `den` gives zero rather than a panic.
    pub fn new(num: i64, den: i64) -> Time {
        if den == 0 {
            return Time::ZERO;
        }
        Time::reduce64(num, den)
    }

    /// A whole number of cycles.
    pub const fn from_int(n: i64) -> Time {
        Time { num: n, den: 1 }
    }

    /// A fraction with a positive denominator, reduced only if the denominator is large.
    #[inline]
    fn make(num: i64, den: i64) -> Time {
        if den > REDUCE_ABOVE {
            Time::reduce64(num, den)
        } else {
            Time { num, den }
        }
    }

    /// Lowest terms of a 64-bit fraction, falling back to 128 bits only at the extremes.
    #[inline]
    fn reduce64(num: i64, den: i64) -> Time {
        if den == 1 {
            return Time { num, den };
        }
        if den <= 0 || num == i64::MIN || den == i64::MIN {
            return Time::reduce(i128::from(num), i128::from(den));
        }
        let g = gcd64(num.unsigned_abs(), den as u64) as i64;
        Time {
            num: num / g,
            den: den / g,
        }
    }

    fn reduce(num: i128, den: i128) -> Time {
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

    /// The same value in lowest terms.
    pub fn reduced(self) -> Time {
        Time::reduce64(self.num, self.den)
    }

    /// The numerator in lowest terms.
    pub fn numer(self) -> i64 {
        self.reduced().num
    }

    /// The denominator in lowest terms (positive).
    pub fn denom(self) -> i64 {
        self.reduced().den
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
        Time {
            num: self.num.rem_euclid(self.den),
            den: self.den,
        }
    }

    /// The start of the next cycle.
    pub fn next_cycle(self) -> Time {
        Time::from_int(self.cycle() + 1)
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
    #[inline]
    fn add(self, o: Time) -> Time {
        if self.den == o.den {
            if let Some(num) = self.num.checked_add(o.num) {
                return Time::make(num, self.den);
            }
        } else if self.den % o.den == 0 {
            let scaled = o.num.checked_mul(self.den / o.den);
            if let Some(num) = scaled.and_then(|b| self.num.checked_add(b)) {
                return Time::make(num, self.den);
            }
        } else if o.den % self.den == 0 {
            let scaled = self.num.checked_mul(o.den / self.den);
            if let Some(num) = scaled.and_then(|a| a.checked_add(o.num)) {
                return Time::make(num, o.den);
            }
        } else if let (Some(a), Some(b), Some(den)) = (
            self.num.checked_mul(o.den),
            o.num.checked_mul(self.den),
            self.den.checked_mul(o.den),
        ) {
            if let Some(num) = a.checked_add(b) {
                return Time::make(num, den);
            }
        }
        Time::reduce(
            i128::from(self.num) * i128::from(o.den) + i128::from(o.num) * i128::from(self.den),
            i128::from(self.den) * i128::from(o.den),
        )
    }
}

impl Sub for Time {
    type Output = Time;
    #[inline]
    fn sub(self, o: Time) -> Time {
        self + (-o)
    }
}

impl Neg for Time {
    type Output = Time;
    #[inline]
    fn neg(self) -> Time {
        match self.num.checked_neg() {
            Some(num) => Time { num, den: self.den },
            None => Time::reduce(-i128::from(self.num), i128::from(self.den)),
        }
    }
}

impl Mul for Time {
    type Output = Time;
    #[inline]
    fn mul(self, o: Time) -> Time {
        if o.den == 1 {
            if let Some(num) = self.num.checked_mul(o.num) {
                return Time::make(num, self.den);
            }
        }
        if let (Some(num), Some(den)) = (self.num.checked_mul(o.num), self.den.checked_mul(o.den)) {
            return Time::make(num, den);
        }
        Time::reduce(
            i128::from(self.num) * i128::from(o.num),
            i128::from(self.den) * i128::from(o.den),
        )
    }
}

impl Div for Time {
    type Output = Time;
    /// Division by zero gives zero (a silent pattern) rather than a panic.
    #[inline]
    fn div(self, o: Time) -> Time {
        if o.num == 0 {
            return Time::ZERO;
        }
        if let (Some(num), Some(den)) = (self.num.checked_mul(o.den), self.den.checked_mul(o.num)) {
            if den > 0 {
                return Time::make(num, den);
            }
            if let (Some(num), Some(den)) = (num.checked_neg(), den.checked_neg()) {
                return Time::make(num, den);
            }
        }
        Time::reduce(
            i128::from(self.num) * i128::from(o.den),
            i128::from(self.den) * i128::from(o.num),
        )
    }
}

impl PartialEq for Time {
    #[inline]
    fn eq(&self, o: &Time) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for Time {}

impl Hash for Time {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let r = self.reduced();
        r.num.hash(state);
        r.den.hash(state);
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Time) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Time {
    #[inline]
    fn cmp(&self, o: &Time) -> Ordering {
        if self.den == o.den {
            return self.num.cmp(&o.num);
        }
        if let (Some(a), Some(b)) = (self.num.checked_mul(o.den), o.num.checked_mul(self.den)) {
            return a.cmp(&b);
        }
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
        let r = self.reduced();
        if r.den == 1 {
            write!(f, "{}", r.num)
        } else {
            write!(f, "{}/{}", r.num, r.den)
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
        if self.next >= self.end || !crate::budget::spend() {
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
        assert_eq!(t(2, 4), t(1, 2));
        assert_eq!(Time::new(5, 0), Time::ZERO);
        assert_eq!((t(1, 3) * Time::from_int(3)).denom(), 1);
        assert_eq!(format!("{}", t(6, 8) * Time::from_int(2)), "3/2");
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
    fn binary_gcd_agrees_with_euclid() {
        for (a, b) in [
            (0u64, 5u64),
            (12, 18),
            (17, 5),
            (1 << 40, 3 << 20),
            (u64::MAX, 3),
        ] {
            assert_eq!(
                i128::from(gcd64(a, b)),
                gcd(i128::from(a), i128::from(b)),
                "{a} {b}"
            );
        }
        assert_eq!(t(6, -4), t(-3, 2));
        assert_eq!(t(i64::MIN, 2).to_f64(), i64::MIN as f64 / 2.0);
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
