//! Mini-notation: the string language inside patterns (`"bd*2 [sn cp] <hh oh>"`).

mod ast;
mod compile;
mod number;
mod parse;

pub use ast::{Step, Term, TermKind};
pub use compile::{atom_value, compile, ValueType, MAX_FACTOR};
pub use number::parse_number;
pub use parse::{parse, ParseError};

use crate::pattern::Pattern;
use crate::value::Value;

/// Parses and compiles mini-notation, reading numbers as numbers and the rest as words.
pub fn mini(source: &str) -> Result<Pattern<Value>, ParseError> {
    mini_as(source, ValueType::Untyped)
}

/// Parses and compiles mini-notation, reading atoms as `kind`.
pub fn mini_as(source: &str, kind: ValueType) -> Result<Pattern<Value>, ParseError> {
    compile(&parse(source)?, kind)
}
