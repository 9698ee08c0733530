//! Every case of `conformance/transforms.jsonl` (taken from Tidal's and Strudel's own test
//! suites) run through `phonon query`'s path: the expression is compiled by the patch compiler,
//! with the registry's transforms, and its events are printed as JSON lines and read back.

use graph::diagnostic::Source;
use graph::query::{self, Format};
use graph::Registry;
use pattern::mini::ValueType;
use pattern::{Span, Time};
use serde_json::Value as Json;

mod support;

fn vectors() -> Vec<Json> {
    support::json_lines("../conformance/transforms.jsonl")
}

fn time(json: &Json) -> Time {
    support::time(json.as_str().expect("a time as a string"))
}

fn span(json: &Json) -> Span {
    Span::new(time(&json[0]), time(&json[1]))
}

fn kind(name: &str) -> ValueType {
    match name {
        "String" | "ValueMap" => ValueType::Untyped,
        "Int" => ValueType::Int,
        "Double" => ValueType::Double,
        "Rational" => ValueType::Rational,
        "Bool" => ValueType::Bool,
        "Note" => ValueType::Note,
        other => panic!("unknown type {other}"),
    }
}

/// An event as compared: whole, part and value, times exact.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    whole: Option<(Time, Time)>,
    part: (Time, Time),
    value: Json,
}

fn pair(json: &Json) -> (Time, Time) {
    (time(&json[0]), time(&json[1]))
}

/// The events of `expr` in `span`, through `phonon query --json`'s printing.
fn run(expr: &str, kind: ValueType, span: Span) -> Result<Vec<Seen>, String> {
    let source = Source::new("query", expr);
    let p = query::evaluate(&source, &Registry::standard(), kind).map_err(|diagnostics| {
        diagnostics
            .iter()
            .map(|d| source.render(d))
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    Ok(query::render(&p, span, Format::Json)
        .lines()
        .map(|line| {
            let e: Json = serde_json::from_str(line).expect("query prints JSON");
            Seen {
                whole: (!e["whole"].is_null()).then(|| pair(&e["whole"])),
                part: pair(&e["part"]),
                value: e["value"].clone(),
            }
        })
        .collect())
}

/// Numbers compare by value (`4` and `4.0`), rationals printed as `"n/d"` too.
fn same_value(a: &Json, b: &Json) -> bool {
    let number = |j: &Json| match j {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s
            .split_once('/')
            .and_then(|(n, d)| Some(n.parse::<f64>().ok()? / d.parse::<f64>().ok()?)),
        _ => None,
    };
    match (a, b) {
        (Json::Number(_), _) | (_, Json::Number(_)) => match (number(a), number(b)) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
            _ => false,
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}

fn same_events(a: &[Seen], b: &[Seen]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.whole == y.whole && x.part == y.part && same_value(&x.value, &y.value))
}

fn sort(events: &mut [Seen]) {
    events.sort_by(|a, b| {
        (a.part, a.whole)
            .cmp(&(b.part, b.whole))
            .then_with(|| a.value.to_string().cmp(&b.value.to_string()))
    });
}

/// Tidal's `defragParts`: fragments of one event (same whole and value, touching parts) merged.
fn defrag(mut events: Vec<Seen>) -> Vec<Seen> {
    sort(&mut events);
    let mut out: Vec<Seen> = Vec::new();
    for e in events {
        let merged = out.iter_mut().find(|o| {
            o.whole.is_some()
                && o.whole == e.whole
                && same_value(&o.value, &e.value)
                && (o.part.1 == e.part.0 || e.part.1 == o.part.0)
        });
        match merged {
            Some(o) => o.part = (o.part.0.min(e.part.0), o.part.1.max(e.part.1)),
            None => out.push(e),
        }
    }
    sort(&mut out);
    out
}

fn expected_events(case: &Json) -> Vec<Seen> {
    let mut events: Vec<Seen> = case["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            let whole = (!e["whole"].is_null()).then(|| pair(&e["whole"]));
            let part = if e.get("part").is_some() {
                pair(&e["part"])
            } else {
                whole.expect("an event with neither part nor whole")
            };
            Seen {
                whole,
                part,
                value: e["value"].clone(),
            }
        })
        .collect();
    sort(&mut events);
    events
}

fn check(case: &Json) -> Result<(), String> {
    let span = span(&case["span"]);
    let kind = kind(case["type"].as_str().unwrap_or("String"));
    let expr = case["expr"].as_str().expect("expr");
    let prepare = |mut events: Vec<Seen>| {
        if case["defrag"].as_bool() == Some(true) {
            events = defrag(events);
        }
        sort(&mut events);
        events
    };
    let got = prepare(run(expr, kind, span)?);
    match case["kind"].as_str().expect("kind") {
        "events" => {
            let want = prepare(expected_events(case));
            if same_events(&got, &want) {
                Ok(())
            } else {
                Err(format!("{expr}\n  got  {got:?}\n  want {want:?}"))
            }
        }
        "values" => {
            let mut got = got;
            got.sort_by(|a, b| {
                a.part
                    .0
                    .cmp(&b.part.0)
                    .then_with(|| a.value.to_string().cmp(&b.value.to_string()))
            });
            let got: Vec<Json> = got.into_iter().map(|e| e.value).collect();
            let want = case["values"].as_array().expect("values");
            if got.len() == want.len() && got.iter().zip(want).all(|(a, b)| same_value(a, b)) {
                Ok(())
            } else {
                Err(format!("{expr}\n  got  {got:?}\n  want {want:?}"))
            }
        }
        "equal" => {
            let other = case["b"].as_str().expect("b");
            let want = prepare(run(other, kind, span)?);
            if same_events(&got, &want) {
                Ok(())
            } else {
                Err(format!(
                    "{expr}  vs  {other}\n  got  {got:?}\n  want {want:?}"
                ))
            }
        }
        other => Err(format!("unknown kind {other}")),
    }
}

#[test]
fn every_transform_vector_passes_through_query() {
    let cases = vectors();
    assert_eq!(cases.len(), 111, "the vector file has every case");
    let mut failures = Vec::new();
    for case in cases
        .iter()
        .filter(|c| c["tidal_differs"].as_bool() != Some(true))
    {
        if let Err(e) = check(case) {
            failures.push(format!("{}: {e}", case["source"]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The one case whose expectation is Strudel's: `fastGap` of an event crossing a cycle. Phonon
/// follows Tidal, which scales the second fragment from its own cycle (whole [0, 1], part
/// [1, 3/2]); Strudel keeps the whole around the part ([1/2, 3/2]).
#[test]
fn the_known_difference_follows_tidal() {
    let cases = vectors();
    let differs: Vec<&Json> = cases
        .iter()
        .filter(|c| c["tidal_differs"].as_bool() == Some(true))
        .collect();
    assert_eq!(differs.len(), 1);
    let case = differs[0];
    assert!(check(case).is_err(), "matches Strudel's expectation");
    let got = run(
        case["expr"].as_str().unwrap(),
        ValueType::Untyped,
        span(&case["span"]),
    )
    .unwrap();
    let t = |n, d| Time::new(n, d);
    let parts: Vec<_> = got.iter().map(|e| (e.whole, e.part)).collect();
    assert_eq!(
        parts,
        vec![
            (Some((t(0, 1), t(1, 1))), (t(0, 1), t(1, 2))),
            (Some((t(0, 1), t(1, 1))), (t(1, 1), t(3, 2))),
        ]
    );
}
