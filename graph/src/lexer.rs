//! Splits patch text into tokens, dropping comments.

use crate::diagnostic::Diagnostic;
use pattern::{Op, Structure};
use std::ops::Range;

/// A token's kind and payload.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name: `sine`, `out`, `every'`.
    Ident(String),
    /// A bus reference: `~bass` (the name without `~`).
    Bus(String),
    /// A number literal.
    Number(f64),
    /// A string literal's contents (mini-notation).
    Str(String),
    /// `:`
    Colon,
    /// `$`
    Dollar,
    /// `#`
    Hash,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `.` (function composition)
    Dot,
    /// `<~`
    ShiftLeft,
    /// A pattern operator: `|+|`, `|+`, `+|`, `|<`, `>|`…
    Operator(Structure, Op),
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `~>`
    ShiftRight,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// The end of a statement's line.
    Newline,
    /// The end of the patch.
    Eof,
}

/// A token and the bytes it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where it is.
    pub span: Range<usize>,
}

/// Splits `text` into tokens. `is_function` tells a chaining `#` (`x # lpf 800`) from a `#`
/// comment (`tempo: 2  # 120 BPM`, or `#` at the start of a line), as Phonon reads them.
pub fn lex(text: &str, is_function: &dyn Fn(&str) -> bool) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer {
        text,
        bytes: text.as_bytes(),
        is_function,
        i: 0,
        depth: 0,
        line_has_token: false,
        tokens: Vec::new(),
        errors: Vec::new(),
    };
    while lexer.i < lexer.bytes.len() {
        if lexer.next() == Read::Code {
            lexer.line_has_token = true;
        }
    }
    let end = text.len();
    if lexer.line_has_token {
        lexer.push(Tok::Newline, end..end);
    }
    lexer.push(Tok::Eof, end..end);
    (lexer.tokens, lexer.errors)
}

/// What one step of the lexer read.
#[derive(PartialEq)]
enum Read {
    /// Code (a token, or a malformed one reported).
    Code,
    /// Space, a line end or a comment.
    Nothing,
}

/// The lexer's place in the text and what it has made so far.
struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    is_function: &'a dyn Fn(&str) -> bool,
    /// The next byte to read.
    i: usize,
    /// Open parentheses and brackets: a line end inside them does not end the statement.
    depth: usize,
    /// The current line has had code.
    line_has_token: bool,
    tokens: Vec<Token>,
    errors: Vec<Diagnostic>,
}

impl Lexer<'_> {
    fn push(&mut self, tok: Tok, span: Range<usize>) {
        self.tokens.push(Token { tok, span });
    }

    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.errors.push(Diagnostic::error(span, message));
    }

    /// Reads what starts at `self.i`.
    fn next(&mut self) -> Read {
        let (bytes, i) = (self.bytes, self.i);
        let c = bytes[i];
        let second = bytes.get(i + 1).copied();
        // `+|`, `<|`…: structure from the right.
        if let (Some(op), Some(b'|')) = (Op::from_symbol(c as char), second) {
            return self.symbol(2, Tok::Operator(Structure::Right, op));
        }
        match (c, second) {
            (b'\n', _) => self.line_end(),
            (b' ' | b'\t' | b'\r', _) => {
                self.i += 1;
                Read::Nothing
            }
            (b'-', Some(b'-')) | (b'/', Some(b'/')) => {
                self.i = skip_line(bytes, i);
                Read::Nothing
            }
            (b'/', Some(b'*')) => self.block_comment(),
            (b'#', _) => self.hash(),
            (b'"', _) => self.string(),
            (b'|', _) => self.bar_operator(),
            // Phonon's older chain operator: `saw 55 >> lpf 800 0.7` is `saw 55 # lpf 800 0.7`.
            (b'>', Some(b'>')) => self.symbol(2, Tok::Hash),
            (b'~', Some(b'>')) => self.symbol(2, Tok::ShiftRight),
            // Phonon's signal operators `~*` and `~/`: arithmetic, which is at audio rate here.
            (b'~', Some(b'*')) => self.symbol(2, Tok::Star),
            (b'~', Some(b'/')) => self.symbol(2, Tok::Slash),
            (b'<', Some(b'~')) => self.symbol(2, Tok::ShiftLeft),
            (b'~', _) => self.bus(),
            // Phonon's pattern variables: `%speed: "1 2 3 4"`, `fast %speed`, are buses.
            (b'%', Some(d)) if d.is_ascii_alphabetic() || d == b'_' => self.bus(),
            // `-1.0` after a space or an opening bracket is a negative number, as in Phonon
            // (`# pan -1.0`, `eq 500 -6.0`); `a - 1` and `a-1` stay subtractions.
            (b'-', _) if negative_literal(bytes, i) => self.number(i + 1),
            (b'0'..=b'9', _) => self.number(i),
            (b'.', Some(d)) if d.is_ascii_digit() => self.number(i),
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let end = ident_end(bytes, i);
                self.i = end;
                self.push(Tok::Ident(self.text[i..end].to_string()), i..end);
                Read::Code
            }
            _ => self.punctuation(),
        }
    }

    /// A token of `width` bytes.
    fn symbol(&mut self, width: usize, tok: Tok) -> Read {
        let start = self.i;
        self.i += width;
        self.push(tok, start..self.i);
        Read::Code
    }

    /// A line end: the end of a statement, unless brackets are open or the next line
    /// continues it.
    fn line_end(&mut self) -> Read {
        let start = self.i;
        self.i += 1;
        let open_operator = matches!(
            self.tokens.last().map(|t| &t.tok),
            Some(
                Tok::Plus
                    | Tok::Minus
                    | Tok::Star
                    | Tok::Slash
                    | Tok::Dollar
                    | Tok::Hash
                    | Tok::Operator(..)
                    | Tok::ShiftLeft
                    | Tok::ShiftRight
            )
        );
        // `~mix: ~a * 0.3 +` then an indented `~b * 0.2`: an operator waiting for its right side
        // carries the statement on to an indented line.
        let carried = open_operator && indented(self.bytes, self.i);
        if self.depth == 0 && self.line_has_token && !carried && !continues(self.bytes, self.i) {
            self.push(Tok::Newline, start..start + 1);
        }
        self.line_has_token = false;
        Read::Nothing
    }

    fn block_comment(&mut self) -> Read {
        let i = self.i;
        match self.text[i + 2..].find("*/") {
            Some(end) => self.i = i + 2 + end + 2,
            None => {
                self.error(i..i + 2, "unterminated comment: expected `*/`");
                self.i = self.bytes.len();
            }
        }
        Read::Nothing
    }

    /// `#`: the chain operator or a comment (see [`read_hash`]).
    fn hash(&mut self) -> Read {
        let start = self.i;
        let reading = if self.line_has_token {
            read_hash(self.text, start + 1, self.is_function)
        } else {
            HashReading::Comment
        };
        match reading {
            HashReading::Chain => self.symbol(1, Tok::Hash),
            HashReading::Comment => {
                self.i = skip_line(self.bytes, start);
                Read::Nothing
            }
            HashReading::WordsAsComment => {
                let end = skip_line(self.bytes, start);
                let comment = self.text[start..end].trim_end();
                self.errors.push(
                    Diagnostic::warning(
                        start..start + comment.len(),
                        format!("`{comment}` is read as a comment: no function has its first word's name"),
                    )
                    .with_help("if it is code, check the name (`phonon functions` lists them); if it is a comment, start it with `--` to say so"),
                );
                self.i = end;
                Read::Nothing
            }
        }
    }

    fn string(&mut self) -> Read {
        let start = self.i;
        let close = self.text[start + 1..]
            .find(['"', '\n'])
            .map(|e| start + 1 + e);
        match close {
            Some(end) if self.bytes[end] == b'"' => {
                self.push(
                    Tok::Str(self.text[start + 1..end].to_string()),
                    start..end + 1,
                );
                self.i = end + 1;
            }
            _ => {
                let end = close.unwrap_or(self.bytes.len());
                self.error(start..end, "unterminated string: expected a closing `\"`");
                self.i = end;
            }
        }
        Read::Code
    }

    /// `|+|` (structure from both sides) or `|+` (from the left).
    fn bar_operator(&mut self) -> Read {
        let (bytes, start) = (self.bytes, self.i);
        match bytes
            .get(start + 1)
            .and_then(|&c| Op::from_symbol(c as char))
        {
            Some(op) => {
                let both = bytes.get(start + 2) == Some(&b'|');
                let structure = if both {
                    Structure::Both
                } else {
                    Structure::Left
                };
                self.symbol(if both { 3 } else { 2 }, Tok::Operator(structure, op))
            }
            None => {
                self.i += 1;
                self.error(
                    start..self.i,
                    "expected an operator after `|`, such as `|+|`, `|+` or `|<`",
                );
                Read::Code
            }
        }
    }

    fn bus(&mut self) -> Read {
        let start = self.i;
        let name_start = start + 1;
        let name_end = ident_end(self.bytes, name_start);
        if name_end == name_start {
            self.i = name_start;
            self.error(start..name_start, "expected a bus name after `~`");
        } else {
            self.push(
                Tok::Bus(self.text[name_start..name_end].to_string()),
                start..name_end,
            );
            self.i = name_end;
        }
        Read::Code
    }

    /// A number whose digits (or `.`) start at `digits`; a `-` before them makes it negative.
    fn number(&mut self, digits: usize) -> Read {
        let start = self.i;
        self.i = number_end(self.bytes, digits);
        let written = &self.text[start..self.i];
        // `.5` and `-.5` are read as `0.5` and `-0.5`.
        let literal = match written.strip_prefix('-') {
            Some(rest) if rest.starts_with('.') => format!("-0{rest}"),
            _ if written.starts_with('.') => format!("0{written}"),
            _ => written.to_string(),
        };
        match literal.parse::<f64>() {
            Ok(x) => self.push(Tok::Number(x), start..self.i),
            Err(_) => self.error(start..self.i, format!("malformed number `{written}`")),
        }
        Read::Code
    }

    /// One-character tokens; anything else is an unexpected character.
    fn punctuation(&mut self) -> Read {
        let start = self.i;
        let tok = match self.bytes[start] {
            b':' => Some(Tok::Colon),
            b'$' => Some(Tok::Dollar),
            b'+' => Some(Tok::Plus),
            b'-' => Some(Tok::Minus),
            b'*' => Some(Tok::Star),
            b'/' => Some(Tok::Slash),
            b'.' => Some(Tok::Dot),
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            b',' => Some(Tok::Comma),
            _ => None,
        };
        match tok {
            Some(Tok::LParen | Tok::LBracket) => self.depth += 1,
            Some(Tok::RParen | Tok::RBracket) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        let width = self.text[start..].chars().next().map_or(1, char::len_utf8);
        self.i += width;
        match tok {
            Some(tok) => self.push(tok, start..self.i),
            None => self.error(
                start..self.i,
                format!("unexpected character `{}`", &self.text[start..self.i]),
            ),
        }
        Read::Code
    }
}

/// Whether the line starting at `i` continues the statement before it: it starts with an infix
/// operator (`+`, `-`, `*`, `/`, `$`), as in
/// ```text
/// out: sine 440
///    * 0.5
/// ```
fn continues(bytes: &[u8], mut i: usize) -> bool {
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'+' | b'*' | b'$' | b'|') => true,
        Some(b'/') => !matches!(bytes.get(i + 1), Some(b'/' | b'*')),
        Some(b'-') => bytes.get(i + 1) != Some(&b'-'),
        _ => false,
    }
}

/// Whether the line starting at `i` starts with a space or tab and holds something.
fn indented(bytes: &[u8], i: usize) -> bool {
    let rest = &bytes[i.min(bytes.len())..];
    let line = &rest[..rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())];
    matches!(line.first(), Some(b' ' | b'\t')) && line.iter().any(|b| !b.is_ascii_whitespace())
}

/// Whether the `-` at `i` starts a negative number: a digit (or `.` and a digit) follows, and
/// a space, a line start or an opening bracket or comma comes before.
fn negative_literal(bytes: &[u8], i: usize) -> bool {
    let digit_after = match bytes.get(i + 1) {
        Some(c) if c.is_ascii_digit() => true,
        Some(b'.') => bytes.get(i + 2).is_some_and(u8::is_ascii_digit),
        _ => false,
    };
    let opens_before = i == 0
        || matches!(
            bytes[i - 1],
            b' ' | b'\t' | b'\n' | b'\r' | b'(' | b'[' | b','
        );
    digit_after && opens_before
}

fn skip_line(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}

fn ident_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'\'')
    {
        i += 1;
    }
    i
}

fn number_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
    }
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    if bytes.get(i) == Some(&b'e') {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = j;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

/// How a `#` after code on a line reads.
#[derive(Debug, PartialEq)]
enum HashReading {
    /// The chain operator.
    Chain,
    /// A comment (`tempo: 2  # 120 BPM`).
    Comment,
    /// A comment of words, none a function: it could be code, so it is read with a warning.
    WordsAsComment,
}

/// How a `#` at `after - 1`, after code on its line, reads. It chains before a bus, a bracket, a
/// string, a function or a near miss of one, and before any word followed by what an argument
/// or an operator starts with (`# formantz 900 20`), so that an unknown name there is an error
/// rather than a silent comment. Before a number or nothing it starts a comment, as Phonon
/// reads `# 120 BPM`; before words that are no function it starts a comment with a warning.
fn read_hash(text: &str, after: usize, is_function: &dyn Fn(&str) -> bool) -> HashReading {
    let rest = text[after..].trim_start_matches([' ', '\t']);
    let bytes = rest.as_bytes();
    match bytes.first() {
        Some(b'~' | b'(' | b'"' | b'[') => HashReading::Chain,
        Some(c) if c.is_ascii_alphabetic() => {
            let end = ident_end(bytes, 0);
            if is_function(&rest[..end]) {
                return HashReading::Chain;
            }
            let next = rest[end..].trim_start_matches([' ', '\t']).as_bytes();
            match next {
                [b'0'..=b'9'
                | b'.'
                | b'"'
                | b'~'
                | b'('
                | b'['
                | b'*'
                | b'+'
                | b'/'
                | b'$'
                | b'#', ..]
                | [b'-', b'0'..=b'9' | b'.', ..]
                | [b'<' | b'>', b'~', ..] => HashReading::Chain,
                _ => HashReading::WordsAsComment,
            }
        }
        _ => HashReading::Comment,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        let (tokens, errors) = lex(text, &|name| matches!(name, "lpf" | "gain"));
        assert!(errors.is_empty(), "{errors:?}");
        tokens.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn hash_chains_before_a_function_and_comments_otherwise() {
        assert_eq!(
            kinds("tempo: 2  # 120 BPM\n# a note\n~a: saw 55 # lpf 800"),
            vec![
                Tok::Ident("tempo".into()),
                Tok::Colon,
                Tok::Number(2.0),
                Tok::Newline,
                Tok::Bus("a".into()),
                Tok::Colon,
                Tok::Ident("saw".into()),
                Tok::Number(55.0),
                Tok::Hash,
                Tok::Ident("lpf".into()),
                Tok::Number(800.0),
                Tok::Newline,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn a_hash_before_code_chains_and_before_words_or_numbers_is_a_comment() {
        let is = |name: &str| matches!(name, "lpf" | "gain");
        let read = |text: &str| read_hash(text, 0, &is);
        for chain in [
            " lpf 800",
            " ~fx",
            " (gain 0.5)",
            " \"x\"",
            " resonz 900 20 * 0.3",
            " svf_lp 1000 0.5",
            " allpass \"0.1\"",
            " comb ~x",
            " expander (0.5)",
            " bq_lp -3",
            " shift <~ 0.25",
        ] {
            assert_eq!(read(chain), HashReading::Chain, "{chain}");
        }
        for comment in [" 120 BPM", "", " -- note", " !", " 4/4"] {
            assert_eq!(read(comment), HashReading::Comment, "{comment}");
        }
        for words in [
            " kick drum",
            " comb",
            " bassline",
            " TODO - fix this",
            " note: later",
        ] {
            assert_eq!(read(words), HashReading::WordsAsComment, "{words}");
        }
        let (tokens, diagnostics) = lex("out: saw 55 # resonz 900 20 * 0.3\n", &is);
        assert!(diagnostics.is_empty());
        assert!(tokens.iter().any(|t| t.tok == Tok::Ident("resonz".into())));
        let (tokens, diagnostics) = lex("out: saw 55 # bright saw\n# a note\n", &is);
        assert_eq!(
            diagnostics.len(),
            1,
            "only the comment after code: {diagnostics:?}"
        );
        assert!(!diagnostics[0].is_error());
        assert_eq!(diagnostics[0].span, 12..24);
        assert_eq!(
            tokens.len(),
            6,
            "out : saw 55, a newline, the end: {tokens:?}"
        );
    }

    #[test]
    fn comments_strings_and_continuation_lines() {
        assert_eq!(
            kinds("out: (s \"bd -- sn\" -- drums\n  * 0.5) // end\n/* block\ncomment */"),
            vec![
                Tok::Ident("out".into()),
                Tok::Colon,
                Tok::LParen,
                Tok::Ident("s".into()),
                Tok::Str("bd -- sn".into()),
                Tok::Star,
                Tok::Number(0.5),
                Tok::RParen,
                Tok::Newline,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn a_line_starting_with_an_operator_continues_the_statement() {
        assert_eq!(
            kinds("out: sine 1\n  * 2\n-- note\nout2: 3"),
            vec![
                Tok::Ident("out".into()),
                Tok::Colon,
                Tok::Ident("sine".into()),
                Tok::Number(1.0),
                Tok::Star,
                Tok::Number(2.0),
                Tok::Newline,
                Tok::Ident("out2".into()),
                Tok::Colon,
                Tok::Number(3.0),
                Tok::Newline,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn an_operator_at_a_lines_end_carries_on_to_an_indented_line() {
        assert_eq!(
            kinds("out: 1 +\n   2\nout2: 3 +\n4"),
            vec![
                Tok::Ident("out".into()),
                Tok::Colon,
                Tok::Number(1.0),
                Tok::Plus,
                Tok::Number(2.0),
                Tok::Newline,
                Tok::Ident("out2".into()),
                Tok::Colon,
                Tok::Number(3.0),
                Tok::Plus,
                Tok::Newline,
                Tok::Number(4.0),
                Tok::Newline,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn shifts_and_buses() {
        assert_eq!(
            kinds("0.25 <~ ~x ~> ~y"),
            vec![
                Tok::Number(0.25),
                Tok::ShiftLeft,
                Tok::Bus("x".into()),
                Tok::ShiftRight,
                Tok::Bus("y".into()),
                Tok::Newline,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn unterminated_strings_are_reported() {
        let (_, errors) = lex("out: s \"bd sn\n", &|_| false);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].span, 7..13);
    }
}
