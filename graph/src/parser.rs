//! A Pratt parser for patches: one statement per line, every error reported, none fatal.

use crate::ast::{BinOp, Expr, ExprKind, Head, Statement};
use crate::diagnostic::Diagnostic;
use crate::lexer::{Tok, Token};

/// Parses tokens into statements, collecting an error per broken statement and carrying on.
pub fn parse(tokens: &[Token]) -> (Vec<Statement>, Vec<Diagnostic>) {
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let mut statements = Vec::new();
    let mut errors = Vec::new();
    loop {
        while p.peek() == &Tok::Newline {
            p.pos += 1;
        }
        if p.peek() == &Tok::Eof {
            break;
        }
        p.depth = 0;
        match p.statement() {
            Ok(s) => statements.push(s),
            Err(e) => {
                errors.push(e);
                while !matches!(p.peek(), Tok::Newline | Tok::Eof) {
                    p.pos += 1;
                }
            }
        }
    }
    (statements, errors)
}

/// How deep an expression may nest (parentheses, negations and chained operators all count):
/// a deeper tree would exhaust the stack of every pass that walks it.
pub const MAX_DEPTH: usize = 128;

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    /// Levels of the expression tree above the token being parsed.
    depth: usize,
}

type Parsed<T> = Result<T, Diagnostic>;

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(n) => format!("`{n}`"),
        Tok::Bus(n) => format!("`~{n}`"),
        Tok::Number(x) => format!("the number {x}"),
        Tok::Str(_) => "a string".into(),
        Tok::Newline => "the end of the line".into(),
        Tok::Eof => "the end of the file".into(),
        Tok::Colon => "`:`".into(),
        Tok::Dollar => "`$`".into(),
        Tok::Hash => "`#`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Minus => "`-`".into(),
        Tok::Star => "`*`".into(),
        Tok::Slash => "`/`".into(),
        Tok::Dot => "`.`".into(),
        Tok::ShiftLeft => "`<~`".into(),
        Tok::ShiftRight => "`~>`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Operator(structure, op) => {
            format!("`{}`", BinOp::Operate(*structure, *op).symbol())
        }
    }
}

/// Binding power and associativity of infix operators, as Haskell and Tidal fix them.
fn infix(tok: &Tok) -> Option<(BinOp, u8, bool)> {
    Some(match tok {
        Tok::Dollar => (BinOp::Apply, 1, true),
        Tok::Hash => (BinOp::Chain, 2, false),
        Tok::ShiftLeft => (BinOp::ShiftLeft, 5, false),
        Tok::ShiftRight => (BinOp::ShiftRight, 5, false),
        Tok::Plus => (BinOp::Add, 6, false),
        Tok::Minus => (BinOp::Sub, 6, false),
        Tok::Star => (BinOp::Mul, 7, false),
        Tok::Slash => (BinOp::Div, 7, false),
        Tok::Dot => (BinOp::Compose, 9, true),
        // Tidal declares no fixity for these, so Haskell reads them as `infixl 9`.
        Tok::Operator(structure, op) => (BinOp::Operate(*structure, *op), 9, false),
        _ => return None,
    })
}

fn output_name(name: &str) -> bool {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    name == "out" || name == "o" || numbered("out") || numbered("o") || numbered("d")
}

/// `midi`, `midi1`, `midi2`, …
fn midi_name(name: &str) -> bool {
    name.strip_prefix("midi")
        .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &'a Tok {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].tok
    }

    fn token(&self) -> &'a Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    /// Goes one level deeper into the expression tree, or says it is too deep.
    fn enter(&mut self) -> Parsed<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                self.token().span.clone(),
                format!(
                    "an expression nested more than {MAX_DEPTH} levels deep (parentheses, negations, `$` and `.` count)"
                ),
            )
            .with_help("split it over buses: `~part: …`, then use `~part`"));
        }
        Ok(())
    }

    fn expected(&self, what: &str) -> Diagnostic {
        let t = self.token();
        Diagnostic::error(
            t.span.clone(),
            format!("expected {what}, found {}", describe(&t.tok)),
        )
    }

    fn statement(&mut self) -> Parsed<Statement> {
        let t = self.token();
        // Phonon's `hush` and `panic` lines.
        if let Tok::Ident(word) = &t.tok {
            let alone = matches!(
                self.tokens.get(self.pos + 1).map(|n| &n.tok),
                Some(Tok::Newline | Tok::Eof) | None
            );
            if alone && (word == "hush" || word == "panic") {
                self.pos += 1;
                return Ok(Statement {
                    head: Head::Hush,
                    head_span: t.span.clone(),
                    expr: Expr {
                        kind: ExprKind::Number(0.0),
                        span: t.span.clone(),
                    },
                });
            }
        }
        let head =
            match &t.tok {
                Tok::Bus(name) => Head::Bus(name.clone()),
                Tok::Ident(name) => match name.as_str() {
                    "tempo" | "cps" => Head::Cps,
                    "bpm" => Head::Bpm,
                    n if output_name(n) => Head::Output(n.to_string()),
                    n if midi_name(n) => Head::Midi(n.to_string()),
                    _ => return Err(self.expected(
                        "a statement: `~bus:`, `out:`, `out1:`, `midi:`, `tempo:`, `cps:`, `bpm:` or `hush`",
                    )),
                },
                _ => {
                    return Err(self.expected(
                        "a statement: `~bus:`, `out:`, `out1:`, `midi:`, `tempo:`, `cps:`, `bpm:` or `hush`",
                    ))
                }
            };
        let head_span = t.span.clone();
        self.pos += 1;
        // `name: expr`, and Phonon's `name $ expr`, `~lfo # sine 2` and `tempo 2` forms.
        match self.peek() {
            Tok::Colon | Tok::Dollar => self.pos += 1,
            Tok::Hash if matches!(head, Head::Bus(_)) => self.pos += 1,
            _ if matches!(head, Head::Cps | Head::Bpm) => {}
            _ => return Err(self.expected("`:` after the name")),
        }
        if matches!(self.peek(), Tok::Newline | Tok::Eof) {
            return Err(self.expected("an expression"));
        }
        let expr = self.expr(0)?;
        if !matches!(self.peek(), Tok::Newline | Tok::Eof) {
            return Err(self.expected("an operator or the end of the line"));
        }
        Ok(Statement {
            head,
            head_span,
            expr,
        })
    }

    fn expr(&mut self, min_power: u8) -> Parsed<Expr> {
        let entered = self.depth;
        self.enter()?;
        let mut left = self.application()?;
        while let Some((op, power, right_assoc)) = infix(self.peek()) {
            // `("e" <~)`: an operator right before `)` is a left section, not an infix.
            let closes = self.tokens.get(self.pos + 1).map(|t| &t.tok) == Some(&Tok::RParen);
            if power < min_power || closes {
                break;
            }
            // A right-associative operator nests its right side one level deeper; a left-
            // associative chain (`a + b + c …`, `x # f # g …`) is built in this loop and
            // evaluated in one, so its length is not depth.
            if right_assoc {
                self.enter()?;
            }
            self.pos += 1;
            let next = if right_assoc { power } else { power + 1 };
            let right = self.expr(next)?;
            let span = left.span.start..right.span.end;
            left = Expr {
                kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
                span,
            };
        }
        self.depth = entered;
        Ok(left)
    }

    /// A function followed by its arguments, or a single atom; or a negation.
    fn application(&mut self) -> Parsed<Expr> {
        if self.peek() == &Tok::Minus {
            let start = self.token().span.start;
            self.enter()?;
            self.pos += 1;
            let inner = self.application()?;
            self.depth -= 1;
            let span = start..inner.span.end;
            return Ok(Expr {
                kind: ExprKind::Neg(Box::new(inner)),
                span,
            });
        }
        let head = self.atom()?;
        let mut args = Vec::new();
        loop {
            if self.starts_atom() {
                args.push(self.atom()?);
            } else if self.peek() == &Tok::Colon {
                args.push(self.named()?);
            } else {
                break;
            }
        }
        if args.is_empty() {
            return Ok(head);
        }
        let span = head.span.start..args.last().map_or(head.span.end, |a| a.span.end);
        Ok(Expr {
            kind: ExprKind::Apply(Box::new(head), args),
            span,
        })
    }

    /// `:name value`, a keyword argument.
    fn named(&mut self) -> Parsed<Expr> {
        let start = self.token().span.start;
        self.pos += 1;
        let name = match self.peek().clone() {
            Tok::Ident(name) => name,
            _ => {
                return Err(self.expected("a parameter's name after `:` (as in `lpf 1000 :q 0.8`)"))
            }
        };
        self.pos += 1;
        if !self.starts_atom() {
            return Err(self.expected(&format!("a value for `:{name}`")));
        }
        let value = self.atom()?;
        let span = start..value.span.end;
        Ok(Expr {
            kind: ExprKind::Named(name, Box::new(value)),
            span,
        })
    }

    fn starts_atom(&self) -> bool {
        matches!(
            self.peek(),
            Tok::Ident(_)
                | Tok::Bus(_)
                | Tok::Number(_)
                | Tok::Str(_)
                | Tok::LParen
                | Tok::LBracket
        )
    }

    fn atom(&mut self) -> Parsed<Expr> {
        let t = self.token();
        let span = t.span.clone();
        let kind = match &t.tok {
            Tok::Number(x) => ExprKind::Number(*x),
            Tok::Str(text) => ExprKind::Str {
                text: text.clone(),
                content_start: span.start + 1,
            },
            Tok::Bus(name) => ExprKind::Bus(name.clone()),
            Tok::Ident(name) => ExprKind::Name(name.clone()),
            Tok::LParen => return self.parenthesised(),
            Tok::LBracket => return self.list(),
            _ => return Err(self.expected("a number, a string, a name, a bus, `(` or `[`")),
        };
        self.pos += 1;
        Ok(Expr { kind, span })
    }

    fn parenthesised(&mut self) -> Parsed<Expr> {
        let start = self.token().span.start;
        self.pos += 1;
        if self.peek() == &Tok::RParen {
            // `noise()`: no arguments, in the call style Phonon also read.
            let end = self.token().span.end;
            self.pos += 1;
            return Ok(Expr {
                kind: ExprKind::Tuple(Vec::new()),
                span: start..end,
            });
        }
        // A right section: `(# speed 2)`, `(* 0.5)`, `(+ 7)`.
        let section = match self.peek() {
            Tok::Minus => None,
            tok => infix(tok).map(|(op, power, right)| (op, if right { power } else { power + 1 })),
        };
        let inner = match section {
            Some((op, power)) => {
                self.pos += 1;
                let operand = self.expr(power)?;
                let span = start..operand.span.end;
                Expr {
                    kind: ExprKind::Section(op, Box::new(operand)),
                    span,
                }
            }
            None => self.expr(0)?,
        };
        let inner = match (self.peek(), section) {
            // A left section: `("e" <~)`, `(1 +)`.
            (tok, None) if self.tokens.get(self.pos + 1).map(|t| &t.tok) == Some(&Tok::RParen) => {
                match infix(tok) {
                    Some((op, ..)) => {
                        self.pos += 1;
                        let span = start..self.token().span.end;
                        Expr {
                            kind: ExprKind::LeftSection(op, Box::new(inner)),
                            span,
                        }
                    }
                    None => inner,
                }
            }
            (Tok::Comma, None) => {
                let mut items = vec![inner];
                while self.peek() == &Tok::Comma {
                    self.pos += 1;
                    items.push(self.expr(0)?);
                }
                Expr {
                    kind: ExprKind::Tuple(items),
                    span: start..self.token().span.end,
                }
            }
            _ => inner,
        };
        if self.peek() != &Tok::RParen {
            return Err(self.expected("`)`"));
        }
        let end = self.token().span.end;
        self.pos += 1;
        let mut inner = inner;
        inner.span = start..end;
        Ok(inner)
    }
}

impl Parser<'_> {
    /// `[a, b, c]`, possibly empty.
    fn list(&mut self) -> Parsed<Expr> {
        let start = self.token().span.start;
        self.pos += 1;
        let mut items = Vec::new();
        while self.peek() != &Tok::RBracket {
            self.enter()?;
            items.push(self.expr(0)?);
            self.depth -= 1;
            match self.peek() {
                Tok::Comma => self.pos += 1,
                Tok::RBracket => {}
                _ => return Err(self.expected("`,` or `]`")),
            }
        }
        let end = self.token().span.end;
        self.pos += 1;
        Ok(Expr {
            kind: ExprKind::List(items),
            span: start..end,
        })
    }
}

/// Parses a single expression, as `phonon query` takes one; anything after it is an error.
pub fn parse_expression(tokens: &[Token]) -> Result<Expr, Diagnostic> {
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let e = p.expr(0)?;
    while p.peek() == &Tok::Newline {
        p.pos += 1;
    }
    if p.peek() != &Tok::Eof {
        return Err(p.expected("the end of the expression"));
    }
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexer::lex;

    fn show(e: &Expr) -> String {
        e.to_string()
    }

    fn parse_one(text: &str) -> String {
        let (tokens, errors) = lex(text, &|n| matches!(n, "lpf" | "gain" | "speed"));
        assert!(errors.is_empty());
        let (statements, errors) = parse(&tokens);
        assert!(errors.is_empty(), "{errors:?}");
        show(&statements[0].expr)
    }

    #[test]
    fn keyword_arguments_and_hush_lines_parse() {
        assert_eq!(
            parse_one("out: saw 55 # lpf 1000 :q 0.8"),
            "((saw 55) # (lpf 1000 :q 0.8))"
        );
        assert_eq!(
            parse_one("out: lpf :q (0.5 + 0.1) ~x"),
            "(lpf :q (0.5 + 0.1) ~x)"
        );
        let (tokens, _) = lex("out: sine 440\nhush\n", &|_| false);
        let (statements, errors) = parse(&tokens);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(statements[1].head, Head::Hush);
    }

    #[test]
    fn precedence_follows_haskell() {
        assert_eq!(
            parse_one("out: saw 55 # lpf (~lfo * 2000 + 500) 0.8"),
            "((saw 55) # (lpf ((~lfo * 2000) + 500) 0.8))"
        );
        assert_eq!(
            parse_one("out: jux rev $ stut 8 0.125 0.1 $ s \"rave(3,8,1)\""),
            "((jux rev) $ ((stut 8 0.125 0.1) $ (s \"rave(3,8,1)\")))"
        );
        assert_eq!(
            parse_one("out: s \"bd*4\" # gain \"1 0.8\" # speed 2"),
            "(((s \"bd*4\") # (gain \"1 0.8\")) # (speed 2))"
        );
        assert_eq!(parse_one("out: -sine 2 * 3 - 1"), "(((-(sine 2)) * 3) - 1)");
        assert_eq!(
            parse_one("out: every 2 (fast 2 . rev) $ 0.25 <~ s \"bd\""),
            "((every 2 ((fast 2) . rev)) $ (0.25 <~ (s \"bd\")))"
        );
        assert_eq!(
            parse_one("out: every 3 (# speed 2) (s \"a\")"),
            "(every 3 (# (speed 2)) (s \"a\"))"
        );
    }

    #[test]
    fn pattern_operators_lists_tuples_and_sections() {
        assert_eq!(
            parse_one("out: \"1 2\" |+| \"3\" |< \"4\" + 1"),
            "(((\"1 2\" |+| \"3\") |< \"4\") + 1)"
        );
        assert_eq!(
            parse_one("out: \"1\" +| slow 2 \"3\""),
            "(\"1\" +| (slow 2 \"3\"))"
        );
        assert_eq!(
            parse_one("out: timecat [(1, \"a\"), (0.5, \"b\")]"),
            "(timecat [(1, \"a\"), (0.5, \"b\")])"
        );
        assert_eq!(
            parse_one("out: superimpose (\"e\" <~) (|- 1) []"),
            "(superimpose (\"e\" <~) (|- 1) [])"
        );
    }

    #[test]
    fn a_minus_before_a_digit_after_a_space_is_a_negative_number() {
        assert_eq!(
            parse_one("out: s \"a\" # gain -1.0"),
            "((s \"a\") # (gain -1))"
        );
        assert_eq!(parse_one("out: lpf 80 -.5"), "(lpf 80 -0.5)");
        assert_eq!(parse_one("out: sine 440 - 1"), "((sine 440) - 1)");
        assert_eq!(parse_one("out: sine 440-1"), "((sine 440) - 1)");
        assert_eq!(parse_one("out: (-2) * 3"), "(-2 * 3)");
    }

    #[test]
    fn every_broken_line_is_reported_and_the_rest_parsed() {
        let (tokens, _) = lex("out: sine 440 +\n~a 3\nfoo: 1\nout2: saw 2\n", &|_| false);
        let (statements, errors) = parse(&tokens);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert_eq!(statements.len(), 1);
        assert!(
            errors[0].message.contains("expected a number"),
            "{}",
            errors[0].message
        );
        assert!(errors[1].message.contains("`:`"));
        assert!(errors[2].message.contains("a statement"));
    }
}
