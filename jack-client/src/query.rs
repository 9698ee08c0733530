//! `phonon query`: evaluate a pattern expression and print its events.

use clap::{Args, ValueEnum};
use graph::diagnostic::Source;
use graph::query::{self, Format};
use graph::Registry;
use pattern::mini::ValueType;
use pattern::{Span, Time};
use std::process::ExitCode;

/// The type strings are read at where no parameter gives one, as Tidal's type annotations.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum TypeArg {
    /// Words (numbers stay numbers).
    String,
    /// Whole numbers and note names.
    Int,
    /// Numbers.
    Double,
    /// Exact ratios (`1%3`, `e` for 1/8).
    Rational,
    /// Note names and numbers as semitones.
    Note,
    /// `t`/`f`.
    Bool,
}

impl From<TypeArg> for ValueType {
    fn from(t: TypeArg) -> ValueType {
        match t {
            TypeArg::String => ValueType::Untyped,
            TypeArg::Int => ValueType::Int,
            TypeArg::Double => ValueType::Double,
            TypeArg::Rational => ValueType::Rational,
            TypeArg::Note => ValueType::Note,
            TypeArg::Bool => ValueType::Bool,
        }
    }
}

/// `phonon query EXPR`.
#[derive(Args)]
pub struct QueryArgs {
    /// A pattern expression of the patch language, e.g. 'every 2 (fast 2) "a b"'.
    expr: String,
    /// The type strings are read at.
    #[arg(long = "type", value_enum, default_value = "string")]
    value_type: TypeArg,
    /// The cycles to query, as numbers or ratios (`0 1/2`).
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"], value_parser = parse_time, allow_negative_numbers = true)]
    span: Option<Vec<Time>>,
    /// One JSON object per event.
    #[arg(long, conflicts_with = "draw")]
    json: bool,
    /// A text grid, a cycle per `|…|`.
    #[arg(long)]
    draw: bool,
}

fn parse_time(s: &str) -> Result<Time, String> {
    let bad = || format!("expected a number such as 1, 0.5 or 1/3, found `{s}`");
    let t = match s.split_once('/') {
        Some((n, d)) => {
            let (n, d) = (
                n.trim().parse::<i64>().map_err(|_| bad())?,
                d.trim().parse::<i64>().map_err(|_| bad())?,
            );
            if d == 0 {
                return Err(bad());
            }
            Time::new(n, d)
        }
        None => {
            let x = s.trim().parse::<f64>().map_err(|_| bad())?;
            if !x.is_finite() || x.abs() > 1e12 {
                return Err(bad());
            }
            Time::from_f64(x)
        }
    };
    Ok(t)
}

/// Runs `phonon query`.
pub fn query(args: QueryArgs) -> ExitCode {
    let span = match args.span.as_deref() {
        Some([from, to]) if from > to => {
            eprintln!("error: --span: FROM must not be after TO");
            return ExitCode::from(2);
        }
        Some([from, to]) => Span::new(*from, *to),
        _ => Span::new(Time::ZERO, Time::ONE),
    };
    let source = Source::new("query", args.expr);
    match query::evaluate(&source, &Registry::standard(), args.value_type.into()) {
        Ok(p) => {
            let format = if args.json {
                Format::Json
            } else if args.draw {
                Format::Draw
            } else {
                Format::Text
            };
            print!("{}", query::render(&p, span, format));
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("{}\n", source.render(d));
            }
            ExitCode::FAILURE
        }
    }
}
