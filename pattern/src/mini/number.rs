//! Numbers as mini-notation writes them: `3`, `-0.25`, `1e3`, `400e-3`, `1%3`, and Tidal's
//! fraction letters (`w` 1, `h` 1/2, `q` 1/4, `e` 1/8, `s` 1/16, `t` 1/3, `f` 1/5, `x` 1/6),
//! alone (`h`) or after a number (`3q`). Parsed exactly, as rationals.

use crate::time::Time;

fn fraction_letter(c: char) -> Option<Time> {
    Some(match c {
        'w' => Time::ONE,
        'h' => Time::new(1, 2),
        'q' => Time::new(1, 4),
        'e' => Time::new(1, 8),
        's' => Time::new(1, 16),
        't' => Time::new(1, 3),
        'f' => Time::new(1, 5),
        'x' => Time::new(1, 6),
        _ => return None,
    })
}

/// Parses a whole token as a number, or `None`. A fraction letter alone (`h`) counts only when
/// `bare_letters` is set, as in Tidal's numeric types; elsewhere it is a word.
pub fn parse_number(text: &str, bare_letters: bool) -> Option<Time> {
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    let negative = chars.first() == Some(&'-');
    if negative {
        pos += 1;
    }
    let mut value = match mantissa(&chars, &mut pos) {
        Some(m) => {
            let mut v = m;
            if chars.get(pos) == Some(&'%') {
                pos += 1;
                let den = mantissa(&chars, &mut pos)?;
                if den == Time::ZERO {
                    return None;
                }
                v = v / den;
            }
            if let Some(f) = chars.get(pos).and_then(|&c| fraction_letter(c)) {
                pos += 1;
                v = v * f;
            }
            v
        }
        None if bare_letters => {
            let f = chars.get(pos).and_then(|&c| fraction_letter(c))?;
            pos += 1;
            f
        }
        None => return None,
    };
    if negative {
        value = -value;
    }
    (pos == chars.len()).then_some(value)
}

fn digits(chars: &[char], pos: &mut usize) -> Option<(i128, usize)> {
    let start = *pos;
    let mut value: i128 = 0;
    while let Some(d) = chars.get(*pos).and_then(|c| c.to_digit(10)) {
        value = value.checked_mul(10)?.checked_add(i128::from(d))?;
        *pos += 1;
    }
    (*pos > start).then_some((value, *pos - start))
}

fn to_time(num: i128, den: i128) -> Time {
    match (i64::try_from(num), i64::try_from(den)) {
        (Ok(n), Ok(d)) => Time::new(n, d),
        _ => Time::from_f64(num as f64 / den as f64),
    }
}

/// Digits with an optional fraction and exponent: `3`, `0.25`, `.5`, `1e3`, `400e-3`.
fn mantissa(chars: &[char], pos: &mut usize) -> Option<Time> {
    let start = *pos;
    let int = digits(chars, pos).map_or(0, |(v, _)| v);
    let (mut num, mut den) = (int, 1i128);
    if chars.get(*pos) == Some(&'.') && chars.get(*pos + 1).is_some_and(char::is_ascii_digit) {
        *pos += 1;
        let (frac, len) = digits(chars, pos)?;
        den = 10i128.checked_pow(u32::try_from(len).ok()?)?;
        num = num.checked_mul(den)?.checked_add(frac)?;
    }
    if *pos == start {
        return None;
    }
    // An exponent needs digits after the `e`; otherwise the `e` is an eighth.
    if chars.get(*pos) == Some(&'e') {
        let mut look = *pos + 1;
        let negative = chars.get(look) == Some(&'-');
        if negative {
            look += 1;
        }
        if chars.get(look).is_some_and(char::is_ascii_digit) {
            *pos = look;
            let (exp, _) = digits(chars, pos)?;
            let scale = 10i128.checked_pow(u32::try_from(exp).ok()?)?;
            if negative {
                den = den.checked_mul(scale)?;
            } else {
                num = num.checked_mul(scale)?;
            }
        }
    }
    Some(to_time(num, den))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<Time> {
        parse_number(s, true)
    }

    #[test]
    fn tidal_number_forms() {
        assert_eq!(n("3"), Some(Time::from_int(3)));
        assert_eq!(n("-0.25"), Some(Time::new(-1, 4)));
        assert_eq!(n("1e3"), Some(Time::from_int(1000)));
        assert_eq!(n("400e-3"), Some(Time::new(2, 5)));
        assert_eq!(n("4e2q"), Some(Time::from_int(100)));
        assert_eq!(n("1%3t"), Some(Time::new(1, 9)));
        assert_eq!(n("3.33t"), Some(Time::new(111, 100)));
        assert_eq!(n("h"), Some(Time::new(1, 2)));
        assert_eq!(n("-h"), Some(Time::new(-1, 2)));
        assert_eq!(n("2e"), Some(Time::new(1, 4)));
        assert_eq!(n("3h"), Some(Time::new(3, 2)));
        assert_eq!(n(".5"), Some(Time::new(1, 2)));
        assert_eq!(n("bd"), None);
        assert_eq!(n("3x3"), None);
        assert_eq!(n("1%0"), None);
        assert_eq!(n("-"), None);
        assert_eq!(parse_number("e", false), None);
        assert_eq!(parse_number("2e", false), Some(Time::new(1, 4)));
    }
}
