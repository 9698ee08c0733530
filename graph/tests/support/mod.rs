//! What the pattern tests share: reading a file of JSON lines and exact times written as text.
#![allow(dead_code)]

use pattern::Time;
use serde_json::Value as Json;
use std::path::PathBuf;

/// Every line of the JSON-lines file at `path` (from the graph crate's folder), parsed.
pub fn json_lines(path: &str) -> Vec<Json> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// A time written as a whole number or a ratio: `3`, `1/4`, `-5/16`.
pub fn time(text: &str) -> Time {
    match text.split_once('/') {
        Some((n, d)) => Time::new(
            n.parse().expect("a numerator"),
            d.parse().expect("a denominator"),
        ),
        None => Time::from_int(text.parse().expect("a whole number")),
    }
}
