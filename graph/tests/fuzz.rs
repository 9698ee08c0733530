//! The lexer, parser, mini-notation and compiler never panic, whatever the input.
//!
//! The count comes from `PHONON_FUZZ_CASES` (default 20,000 per property, what CI runs). The long
//! run: `PHONON_FUZZ_CASES=1000000 cargo test --release -p graph --test fuzz`.

use graph::diagnostic::Source;
use graph::{compile, plan, Registry};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn cases() -> u32 {
    std::env::var("PHONON_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000)
}

const SEEDS: &[&str] = &[
    "tempo: 0.5\n~lfo: sine 0.25 * 0.5 + 0.5\n~bass: saw \"55 82.5 c2\" # lpf (~lfo * 2000 + 500) 0.8\nout: ~bass * 0.3\n",
    "cps: 0.5\nout: jux rev $ stut 16 0.5 0.125 $ s \"bd*32 [sn cp]? <hh oh>(3,8,<0 2>)\"\n",
    "bpm: 120\n~d: s \"bd*4\" # gain \"1 0.8\" # speed 2 # n \"0 .. 3\"\nout $ every 3 (fast 2 . rev) $ 0.25 <~ ~d\n",
    "~echo: (sine 2 + ~echo # delay 0.3 0.5) * 0.5\nout: ~echo # reverb 0.5 0.5 0.3\n/* c */ -- d\n",
    "o1: s \"{bd sn, hh hh hh}%4 bd:3 c'major'i\"\no2: in 1 # distort 3 # limiter\n",
];

/// Tokens and characters the language and mini-notation use, and some they do not.
const PIECES: &[&str] = &[
    "out",
    "out2",
    "o1",
    "d3",
    "~a",
    "~b",
    "tempo",
    "cps",
    "bpm",
    ":",
    "$",
    "#",
    "+",
    "-",
    "*",
    "/",
    ".",
    "<~",
    "~>",
    "(",
    ")",
    "\"",
    "\"bd sn\"",
    "\"[a <b c>]*2\"",
    "\"1 .. 4\"",
    "\"x(3,8)\"",
    "sine",
    "saw",
    "lpf",
    "s",
    "jux",
    "rev",
    "fast",
    "every",
    "stut",
    "gain",
    "speed",
    "delay",
    "reverb",
    "in",
    "0",
    "1.5",
    "-2",
    "1e3",
    "440",
    "\n",
    " ",
    "  ",
    "--",
    "//",
    "/*",
    "*/",
    "[",
    "]",
    "{",
    "}",
    "<",
    ">",
    ",",
    "|",
    "?",
    "!",
    "@",
    "_",
    "'",
    "%",
    "é",
    "∞",
    "\t",
    "\r\n",
    ";",
];

fn check(registry: &Registry, text: &str) {
    let source = Source::new("fuzz.ph", text);
    let result = compile(&source, registry);
    for d in &result.diagnostics {
        let _ = source.render(d);
    }
    if let Some(g) = result.graph {
        let p = plan(&g);
        assert_eq!(p.stages.job_count(), g.nodes.len());
        let _ = graph::plan::describe(&g, &p);
        let _ = graph::plan::dot(&g);
    }
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn sequences_of_language_pieces_never_panic() {
    let registry = Registry::standard();
    let strategy =
        prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat());
    runner()
        .run(&strategy, |text| {
            check(&registry, &text);
            Ok(())
        })
        .unwrap();
}

#[test]
fn mutated_patches_never_panic() {
    let registry = Registry::standard();
    let edit = (
        any::<prop::sample::Index>(),
        0usize..3,
        prop::sample::select(PIECES),
    );
    let strategy = (
        prop::sample::select(SEEDS),
        prop::collection::vec(edit, 1..6),
    );
    runner()
        .run(&strategy, |(seed, edits)| {
            let mut text = seed.to_string();
            for (at, kind, piece) in edits {
                let boundaries: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(text.len()))
                    .collect();
                let i = boundaries[at.index(boundaries.len())];
                let next = boundaries.iter().copied().find(|&b| b > i).unwrap_or(i);
                match kind {
                    0 => text.insert_str(i, piece),
                    1 => text.replace_range(i..next, ""),
                    _ => text.replace_range(i..next, piece),
                }
            }
            check(&registry, &text);
            Ok(())
        })
        .unwrap();
}

#[test]
fn arbitrary_text_never_panics() {
    let registry = Registry::standard();
    runner()
        .run(&".{0,200}", |text| {
            check(&registry, &text);
            Ok(())
        })
        .unwrap();
}
