//! The syntax tree of a patch.

use pattern::{Op, Structure};
use std::ops::Range;

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `#`: chain into, or set controls of, the left side.
    Chain,
    /// `$`: apply the left side to the right.
    Apply,
    /// `.`: compose two functions.
    Compose,
    /// `<~`: shift the right side earlier by the left.
    ShiftLeft,
    /// `~>`: shift the right side later by the left.
    ShiftRight,
    /// A pattern operator: `|+|`, `|+`, `+|`, `|<`…
    Operate(Structure, Op),
}

impl BinOp {
    /// How the operator is written.
    pub fn symbol(self) -> String {
        let fixed = match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Chain => "#",
            BinOp::Apply => "$",
            BinOp::Compose => ".",
            BinOp::ShiftLeft => "<~",
            BinOp::ShiftRight => "~>",
            BinOp::Operate(structure, op) => {
                let (left, right) = match structure {
                    Structure::Left => ("|", ""),
                    Structure::Right => ("", "|"),
                    Structure::Both => ("|", "|"),
                };
                return format!("{left}{}{right}", op.symbol());
            }
        };
        fixed.to_string()
    }
}

/// An expression and the bytes it spans.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Range<usize>,
}

impl Drop for Expr {
    /// A long left-associative chain (`a + b + c …`) is a deep left spine: it is taken apart
    /// in a loop, where the drop the compiler writes would recurse once per operator.
    fn drop(&mut self) {
        let leaf = || Expr {
            kind: ExprKind::Number(0.0),
            span: 0..0,
        };
        let ExprKind::Binary(_, left, _) = &mut self.kind else {
            return;
        };
        let mut spine = std::mem::replace(&mut **left, leaf());
        while let ExprKind::Binary(_, left, _) = &mut spine.kind {
            let next = std::mem::replace(&mut **left, leaf());
            // The node left behind holds a leaf on its left: dropping it is shallow.
            spine = next;
        }
    }
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `440`
    Number(f64),
    /// `"bd sn"`: mini-notation; `content_start` is the byte offset of its first character.
    Str {
        /// The text between the quotes.
        text: String,
        /// Byte offset of the text in the file.
        content_start: usize,
    },
    /// `~bass`
    Bus(String),
    /// `sine`
    Name(String),
    /// `lpf 800 0.7`: a function and its arguments, by juxtaposition.
    Apply(Box<Expr>, Vec<Expr>),
    /// `a + b`, `a # b`, `f $ x`, …
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `-x`
    Neg(Box<Expr>),
    /// `(# speed 2)`, `(* 0.5)`: an operator waiting for its left side.
    Section(BinOp, Box<Expr>),
    /// `("e" <~)`, `(1 +)`: an operator waiting for its right side.
    LeftSection(BinOp, Box<Expr>),
    /// `[a, b, c]`: a list, as `cat`, `stack` and `timecat` take.
    List(Vec<Expr>),
    /// `(0.25, 0.75)`: a tuple, as `compress` and the steps of `timecat` take.
    Tuple(Vec<Expr>),
    /// `:q 0.8`: an argument given by its parameter's name.
    Named(String, Box<Expr>),
}

/// What a statement defines.
#[derive(Clone, Debug, PartialEq)]
pub enum Head {
    /// `tempo:` or `cps:` (cycles per second).
    Cps,
    /// `bpm:` (four beats a cycle).
    Bpm,
    /// `~name:`
    Bus(String),
    /// `out:`, `out1:`, `o2:`, `d3:`.
    Output(String),
    /// `midi:`, `midi2:`: a pattern played as MIDI on the MIDI out port.
    Midi(String),
    /// `hush` or `panic` alone on a line: every output silent.
    Hush,
}

/// One line of a patch: `head: expression`.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// What it defines.
    pub head: Head,
    /// Where the head is.
    pub head_span: Range<usize>,
    /// Its value.
    pub expr: Expr,
}

/// The expression written out with every application and operator in parentheses, so its
/// structure shows (`((saw 55 # lpf 800) * 0.3)`).
impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |items: &[Expr]| {
            items
                .iter()
                .map(Expr::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.kind {
            ExprKind::Number(x) => write!(f, "{x}"),
            ExprKind::Str { text, .. } => write!(f, "{text:?}"),
            ExprKind::Bus(n) => write!(f, "~{n}"),
            ExprKind::Name(n) => write!(f, "{n}"),
            ExprKind::Apply(head, args) => {
                let args: Vec<String> = args.iter().map(Expr::to_string).collect();
                write!(f, "({head} {})", args.join(" "))
            }
            ExprKind::Binary(op, l, r) => write!(f, "({l} {} {r})", op.symbol()),
            ExprKind::Neg(x) => write!(f, "(-{x})"),
            ExprKind::Section(op, x) => write!(f, "({} {x})", op.symbol()),
            ExprKind::LeftSection(op, x) => write!(f, "({x} {})", op.symbol()),
            ExprKind::List(items) => write!(f, "[{}]", list(items)),
            ExprKind::Tuple(items) => write!(f, "({})", list(items)),
            ExprKind::Named(name, x) => write!(f, ":{name} {x}"),
        }
    }
}
