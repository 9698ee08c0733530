//! Tidal's pattern operators: a value function (`+`, `-`, `<`, `>`…) joined with where the
//! structure comes from (`|+|` both sides, `|+` the left, `+|` the right).

use crate::controls::Sound;
use crate::pattern::Pattern;
use crate::time::Time;
use crate::value::Value;

/// How an operator combines two values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `+`: numbers add, words join.
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`: division by zero gives zero.
    Div,
    /// `%`: Tidal's `mod'`, with the sign of the divisor.
    Mod,
    /// `<`: keep the left value.
    Keep,
    /// `>`: take the right value.
    Set,
}

/// Where an operator takes its structure (event timing) from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Structure {
    /// `|op`: the left side's events, sampling the right.
    Left,
    /// `op|`: the right side's events, sampling the left.
    Right,
    /// `|op|` (and plain `+`, `-`…): where events of both sides meet.
    Both,
}

impl Op {
    /// The operator's symbol inside Tidal's bars (`+`, `<`…).
    pub fn symbol(self) -> char {
        match self {
            Op::Add => '+',
            Op::Sub => '-',
            Op::Mul => '*',
            Op::Div => '/',
            Op::Mod => '%',
            Op::Keep => '<',
            Op::Set => '>',
        }
    }

    /// The operator a symbol names.
    pub fn from_symbol(c: char) -> Option<Op> {
        Some(match c {
            '+' => Op::Add,
            '-' => Op::Sub,
            '*' => Op::Mul,
            '/' => Op::Div,
            '%' => Op::Mod,
            '<' => Op::Keep,
            '>' => Op::Set,
            _ => return None,
        })
    }

    /// `a op b` on plain numbers.
    pub fn numbers(self, a: f64, b: f64) -> f64 {
        match self {
            Op::Add => a + b,
            Op::Sub => a - b,
            Op::Mul => a * b,
            Op::Div if b == 0.0 => 0.0,
            Op::Div => a / b,
            Op::Mod if b == 0.0 => 0.0,
            Op::Mod => a - b * (a / b).floor(),
            Op::Keep => a,
            Op::Set => b,
        }
    }

    fn times(self, a: Time, b: Time) -> Time {
        match self {
            Op::Add => a + b,
            Op::Sub => a - b,
            Op::Mul => a * b,
            Op::Div | Op::Mod if b == Time::ZERO => Time::ZERO,
            Op::Div => a / b,
            Op::Mod => a - b * (a / b).floor(),
            Op::Keep => a,
            Op::Set => b,
        }
    }

    /// `a op b`: exact for two rationals, joined for two words (`+` only), numeric otherwise;
    /// a pair it cannot combine keeps the left value.
    pub fn apply(self, a: &Value, b: &Value) -> Value {
        match (self, a, b) {
            (Op::Keep, _, _) => a.clone(),
            (Op::Set, _, _) => b.clone(),
            (_, Value::Rational(x), Value::Rational(y)) => Value::Rational(self.times(*x, *y)),
            (Op::Add, Value::Str(x), Value::Str(y)) => Value::word(&format!("{x}{y}")),
            _ => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => Value::Num(self.numbers(x, y)),
                _ => a.clone(),
            },
        }
    }
}

impl Pattern<Sound> {
    /// `self op other` on sounds, as Tidal's operators on control patterns: a control both set
    /// is combined, one set on only one side is kept, and the names combine as words do
    /// (`+` joins them) unless one side names no sound.
    pub fn operate_sounds(
        &self,
        structure: Structure,
        op: Op,
        other: &Pattern<Sound>,
    ) -> Pattern<Sound> {
        let f = move |a: &Sound, b: &Sound| {
            let mut out = a.clone();
            out.sound = match (a.sound.as_str(), b.sound.as_str()) {
                (_, Some("")) => a.sound.clone(),
                (Some(""), _) => b.sound.clone(),
                _ => op.apply(&a.sound, &b.sound),
            };
            for (control, y) in b.controls() {
                let value = a.get(control).map_or(y, |x| op.numbers(x, y));
                out.set(control, value);
            }
            out
        };
        match structure {
            Structure::Left => self.zip_left(other, f),
            Structure::Right => self.zip_right(other, f),
            Structure::Both => self.zip_both(other, f),
        }
    }
}

impl Pattern<Value> {
    /// `self op other` with structure from `structure` (Tidal's `|+|`, `|+`, `+|` and kin).
    pub fn operate(&self, structure: Structure, op: Op, other: &Pattern<Value>) -> Pattern<Value> {
        let f = move |a: &Value, b: &Value| op.apply(a, b);
        match structure {
            Structure::Left => self.zip_left(other, f),
            Structure::Right => self.zip_right(other, f),
            Structure::Both => self.zip_both(other, f),
        }
    }
}

impl Pattern<Value> {
    /// Values scaled from 0..1 to `low..high`, both patterned, with this pattern's structure
    /// (Tidal's `range`).
    pub fn range_values(&self, low: &Pattern<Value>, high: &Pattern<Value>) -> Pattern<Value> {
        low.zip_right(high, |l, h| (l.clone(), h.clone()))
            .zip_right(self, |(l, h), v| {
                Op::Add.apply(&Op::Mul.apply(v, &Op::Sub.apply(h, l)), l)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::t;

    #[test]
    fn values_combine_by_type() {
        let r = |n, d| Value::Rational(t(n, d));
        assert_eq!(Op::Add.apply(&r(1, 3), &r(1, 6)), r(1, 2));
        assert_eq!(Op::Mul.apply(&Value::Num(2.0), &r(1, 4)), Value::Num(0.5));
        assert_eq!(
            Op::Add.apply(&Value::word("a"), &Value::word("b")),
            Value::word("ab")
        );
        assert_eq!(
            Op::Div.apply(&Value::Num(1.0), &Value::Num(0.0)),
            Value::Num(0.0)
        );
        assert_eq!(
            Op::Mod.apply(&Value::Num(-1.0), &Value::Num(3.0)),
            Value::Num(2.0)
        );
        assert_eq!(
            Op::Keep.apply(&Value::word("x"), &Value::Num(1.0)),
            Value::word("x")
        );
        assert_eq!(
            Op::Sub.apply(&Value::word("x"), &Value::Num(1.0)),
            Value::word("x")
        );
    }
}
