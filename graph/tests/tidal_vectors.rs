//! Every case of `tests/data/tidal_library.jsonl`: a Tidal expression, the same expression in
//! the patch language, and the events Tidal 1.7.10's own `queryArc` gives for it (printed by
//! `ghci` in `phonon query`'s text format, see `tests/data/README.md`). Ours must be the same
//! events: same wholes, parts and values.

use graph::diagnostic::Source;
use graph::query::{self, Format};
use graph::Registry;
use pattern::mini::ValueType;
use pattern::{Span, Time};
use serde_json::Value as Json;

mod support;

fn time(json: &Json) -> Time {
    support::time(json.as_str().expect("a time string"))
}

/// A value as the vectors print it: numbers rounded to six places.
fn rounded(value: &str) -> String {
    match value.parse::<f64>() {
        Ok(x) => {
            let x = (x * 1e6).round() / 1e6;
            if x == x.trunc() {
                format!("{}", x as i64)
            } else {
                format!("{x}")
            }
        }
        Err(_) => value.to_string(),
    }
}

/// One control as the vectors print it.
fn field(text: &str) -> String {
    match text.split_once(": ") {
        Some((key, value)) => format!("{key}: {}", rounded(value)),
        None => text.to_string(),
    }
}

/// An event line with a sound's controls in name order, as Tidal's map prints them.
fn normalised(line: &str) -> String {
    let Some(at) = line.rfind("] ") else {
        return line.to_string();
    };
    let (spans, value) = line.split_at(at + 2);
    if !value.contains(": ") {
        return format!("{spans}{}", rounded(value));
    }
    let mut fields: Vec<String> = value.split(", ").map(field).collect();
    fields.sort();
    format!("{spans}{}", fields.join(", "))
}

fn ours(expr: &str, span: Span) -> Result<Vec<String>, String> {
    let source = Source::new("query", expr);
    let p = query::evaluate(&source, &Registry::standard(), ValueType::Untyped)
        .map_err(|d| source.render(&d[0]))?;
    let mut lines: Vec<String> = query::render(&p, span, Format::Text)
        .lines()
        .map(normalised)
        .collect();
    lines.sort();
    Ok(lines)
}

#[test]
fn every_tidal_library_vector_gives_tidals_events() {
    let cases = support::json_lines("tests/data/tidal_library.jsonl");
    assert!(cases.len() >= 45, "only {} vectors", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let expr = case["expr"].as_str().expect("expr");
        let span = Span::new(time(&case["span"][0]), time(&case["span"][1]));
        let mut expected: Vec<String> = case["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e.as_str().expect("an event line").to_string())
            .collect();
        expected.sort();
        match ours(expr, span) {
            Ok(got) if got == expected => {}
            Ok(got) => failures.push(format!(
                "{expr}\n  in Tidal: {}\n  Tidal gives: {expected:?}\n  ours gives:  {got:?}",
                case["tidal"]
            )),
            Err(e) => failures.push(format!("{expr}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
