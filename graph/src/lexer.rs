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
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut errors = Vec::new();
    let mut i = 0;
    let mut depth = 0usize;
    let mut line_has_token = false;
    let push = |tokens: &mut Vec<Token>, tok, span| tokens.push(Token { tok, span });
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        // `+|`, `<|`…: structure from the right.
        if let (Some(op), Some(b'|')) = (Op::from_symbol(c as char), bytes.get(i + 1)) {
            i += 2;
            push(&mut tokens, Tok::Operator(Structure::Right, op), start..i);
            line_has_token = true;
            continue;
        }
        match c {
            b'\n' => {
                i += 1;
                if depth == 0 && line_has_token && !continues(bytes, i) {
                    push(&mut tokens, Tok::Newline, start..start + 1);
                }
                line_has_token = false;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = skip_line(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = skip_line(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                match text[i + 2..].find("*/") {
                    Some(end) => i = i + 2 + end + 2,
                    None => {
                        errors.push(Diagnostic::error(
                            i..i + 2,
                            "unterminated comment: expected `*/`",
                        ));
                        i = bytes.len();
                    }
                }
                continue;
            }
            b'#' => {
                let reading = if line_has_token {
                    read_hash(text, i + 1, is_function)
                } else {
                    HashReading::Comment
                };
                match reading {
                    HashReading::Chain => {
                        i += 1;
                        push(&mut tokens, Tok::Hash, start..i);
                    }
                    HashReading::Comment => {
                        i = skip_line(bytes, i);
                        continue;
                    }
                    HashReading::WordsAsComment => {
                        let end = skip_line(bytes, i);
                        let text = text[start..end].trim_end();
                        errors.push(
                            Diagnostic::warning(
                                start..start + text.len(),
                                format!("`{text}` is read as a comment: no function has its first word's name"),
                            )
                            .with_help("if it is code, check the name (`phonon functions` lists them); if it is a comment, start it with `--` to say so"),
                        );
                        i = end;
                        continue;
                    }
                }
            }
            b'"' => {
                let close = text[i + 1..].find(['"', '\n']).map(|e| i + 1 + e);
                match close {
                    Some(end) if bytes[end] == b'"' => {
                        push(
                            &mut tokens,
                            Tok::Str(text[i + 1..end].to_string()),
                            start..end + 1,
                        );
                        i = end + 1;
                    }
                    _ => {
                        let end = close.unwrap_or(bytes.len());
                        errors.push(Diagnostic::error(
                            start..end,
                            "unterminated string: expected a closing `\"`",
                        ));
                        i = end;
                    }
                }
            }
            b'|' => match bytes.get(i + 1).and_then(|&c| Op::from_symbol(c as char)) {
                Some(op) => {
                    let both = bytes.get(i + 2) == Some(&b'|');
                    i += if both { 3 } else { 2 };
                    let structure = if both {
                        Structure::Both
                    } else {
                        Structure::Left
                    };
                    push(&mut tokens, Tok::Operator(structure, op), start..i);
                }
                None => {
                    i += 1;
                    errors.push(Diagnostic::error(
                        start..i,
                        "expected an operator after `|`, such as `|+|`, `|+` or `|<`",
                    ));
                }
            },
            // Phonon's older chain operator: `saw 55 >> lpf 800 0.7` is `saw 55 # lpf 800 0.7`.
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                i += 2;
                push(&mut tokens, Tok::Hash, start..i);
            }
            b'~' if bytes.get(i + 1) == Some(&b'>') => {
                i += 2;
                push(&mut tokens, Tok::ShiftRight, start..i);
            }
            b'<' if bytes.get(i + 1) == Some(&b'~') => {
                i += 2;
                push(&mut tokens, Tok::ShiftLeft, start..i);
            }
            b'~' => {
                i += 1;
                let name_end = ident_end(bytes, i);
                if name_end == i {
                    errors.push(Diagnostic::error(start..i, "expected a bus name after `~`"));
                } else {
                    push(
                        &mut tokens,
                        Tok::Bus(text[i..name_end].to_string()),
                        start..name_end,
                    );
                    i = name_end;
                }
            }
            // `-1.0` after a space or an opening bracket is a negative number, as in Phonon
            // (`# pan -1.0`, `eq 500 -6.0`); `a - 1` and `a-1` stay subtractions.
            b'-' if negative_literal(bytes, i) => {
                i = number_end(bytes, i + 1);
                let literal = text[start..i].replacen("-.", "-0.", 1);
                match literal.parse::<f64>() {
                    Ok(x) => push(&mut tokens, Tok::Number(x), start..i),
                    Err(_) => errors.push(Diagnostic::error(
                        start..i,
                        format!("malformed number `{}`", &text[start..i]),
                    )),
                }
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                match text[start..i].parse::<f64>() {
                    Ok(x) => push(&mut tokens, Tok::Number(x), start..i),
                    Err(_) => errors.push(Diagnostic::error(
                        start..i,
                        format!("malformed number `{}`", &text[start..i]),
                    )),
                }
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_end(bytes, i);
                let literal = format!("0{}", &text[start..i]);
                match literal.parse::<f64>() {
                    Ok(x) => push(&mut tokens, Tok::Number(x), start..i),
                    Err(_) => errors.push(Diagnostic::error(start..i, "malformed number")),
                }
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                i = ident_end(bytes, i);
                push(
                    &mut tokens,
                    Tok::Ident(text[start..i].to_string()),
                    start..i,
                );
            }
            _ => {
                let tok = match c {
                    b':' => Some(Tok::Colon),
                    b'$' => Some(Tok::Dollar),
                    b'+' => Some(Tok::Plus),
                    b'-' => Some(Tok::Minus),
                    b'*' => Some(Tok::Star),
                    b'/' => Some(Tok::Slash),
                    b'.' => Some(Tok::Dot),
                    b'(' => {
                        depth += 1;
                        Some(Tok::LParen)
                    }
                    b')' => {
                        depth = depth.saturating_sub(1);
                        Some(Tok::RParen)
                    }
                    b'[' => {
                        depth += 1;
                        Some(Tok::LBracket)
                    }
                    b']' => {
                        depth = depth.saturating_sub(1);
                        Some(Tok::RBracket)
                    }
                    b',' => Some(Tok::Comma),
                    _ => None,
                };
                let width = text[i..].chars().next().map_or(1, char::len_utf8);
                i += width;
                match tok {
                    Some(tok) => push(&mut tokens, tok, start..i),
                    None => errors.push(Diagnostic::error(
                        start..i,
                        format!("unexpected character `{}`", &text[start..i]),
                    )),
                }
            }
        }
        line_has_token = true;
    }
    if line_has_token {
        push(&mut tokens, Tok::Newline, bytes.len()..bytes.len());
    }
    push(&mut tokens, Tok::Eof, bytes.len()..bytes.len());
    (tokens, errors)
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
/// or an operator starts with (`# resonz 900 20`), so that an unknown name there is an error
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
