//! Runs every mini-notation test vector in `conformance/mini.jsonl` (taken from Strudel's
//! and Tidal's own test suites). All must pass.

use pattern::{mini_as, Event, Span, Time, Value, ValueType};
use serde_json::Value as Json;
use std::path::PathBuf;

fn vectors_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/mini.jsonl")
}

fn time(json: &Json) -> Time {
    let s = json.as_str().expect("time as a string");
    match s.split_once('/') {
        Some((n, d)) => Time::new(n.parse().unwrap(), d.parse().unwrap()),
        None => Time::from_int(s.parse().unwrap()),
    }
}

fn span(json: &Json) -> Span {
    Span::new(time(&json[0]), time(&json[1]))
}

fn kind(name: Option<&str>) -> ValueType {
    match name {
        None | Some("String") => ValueType::Untyped,
        Some("Double") => ValueType::Double,
        Some("Rational") => ValueType::Rational,
        Some("Int") => ValueType::Int,
        Some("Note") => ValueType::Note,
        Some("Bool") => ValueType::Bool,
        Some(other) => panic!("unknown type {other}"),
    }
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::Str(s) => Json::from(s.to_string()),
        Value::Num(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Value::Rational(r) => {
            serde_json::Number::from_f64(r.to_f64()).map_or(Json::Null, Json::Number)
        }
        Value::Bool(b) => Json::from(*b),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
    }
}

fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        _ => a == b,
    }
}

fn sorted(mut events: Vec<Event<Value>>) -> Vec<Event<Value>> {
    events.sort_by(|a, b| {
        (a.part.begin, a.part.end, a.whole.map(|w| (w.begin, w.end)))
            .cmp(&(b.part.begin, b.part.end, b.whole.map(|w| (w.begin, w.end))))
            .then_with(|| a.value.to_string().cmp(&b.value.to_string()))
    });
    events
}

fn query(source: &str, kind: ValueType, span: Span) -> Result<Vec<Event<Value>>, String> {
    let p = mini_as(source, kind).map_err(|e| format!("{source:?}: {e}"))?;
    Ok(sorted(p.events(span)))
}

fn check(case: &Json) -> Result<(), String> {
    let span = span(&case["span"]);
    let kind = kind(case["type"].as_str());
    match case["kind"].as_str().unwrap() {
        "values" => {
            let pattern = case["pattern"].as_str().unwrap();
            let got: Vec<Json> = query(pattern, kind, span)?
                .iter()
                .map(|e| to_json(&e.value))
                .collect();
            let want = case["values"].as_array().unwrap();
            if got.len() == want.len() && got.iter().zip(want).all(|(g, w)| same_json(g, w)) {
                Ok(())
            } else {
                Err(format!("{pattern:?}: got {got:?}, want {want:?}"))
            }
        }
        "events" => {
            let pattern = case["pattern"].as_str().unwrap();
            let got = query(pattern, kind, span)?;
            let want = case["events"].as_array().unwrap();
            let matches = got.len() == want.len()
                && got.iter().zip(want).all(|(g, w)| {
                    same_json(&to_json(&g.value), &w["value"])
                        && g.whole == Some(self::span(&w["whole"]))
                });
            if matches {
                Ok(())
            } else {
                let got: Vec<String> = got
                    .iter()
                    .map(|e| format!("{} {:?}", e.value, e.whole))
                    .collect();
                Err(format!("{pattern:?}: got {got:?}, want {want:?}"))
            }
        }
        "equal" => {
            let (a, b) = (case["a"].as_str().unwrap(), case["b"].as_str().unwrap());
            let (ea, eb) = (query(a, kind, span)?, query(b, kind, span)?);
            if ea == eb {
                Ok(())
            } else {
                let show = |es: &[Event<Value>]| -> Vec<String> {
                    es.iter()
                        .map(|e| format!("{} {:?} {:?}", e.value, e.whole, e.part))
                        .collect()
                };
                Err(format!(
                    "{a:?} != {b:?}:\n  {:?}\n  {:?}",
                    show(&ea),
                    show(&eb)
                ))
            }
        }
        other => Err(format!("unknown kind {other}")),
    }
}

#[test]
fn every_conformance_vector_passes() {
    let path = vectors_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e} (the repository's conformance/ folder)",
            path.display()
        )
    });
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Json = serde_json::from_str(line).expect("valid JSON");
        count += 1;
        if let Err(why) = check(&case) {
            failures.push(format!("{} ({}): {why}", case["source"], case["test"]));
        }
    }
    assert!(count >= 111, "expected at least 111 vectors, read {count}");
    assert!(
        failures.is_empty(),
        "{} of {count} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
