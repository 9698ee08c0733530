//! Tidal's controller inputs, tempo conversions and triggers read the process's table of named
//! values (`dsp::named::NamedValues::shared`), which the control port sets and the engine
//! publishes its tempo and cycle into. These tests set it by hand, in a process of their own
//! (the other pattern tests expect it untouched).

use dsp::named::{NamedValues, CPS, CYCLE};
use graph::diagnostic::Source;
use graph::query::{self, Format};
use graph::Registry;
use pattern::mini::ValueType;
use pattern::{Span, Time};

fn compiled(expr: &str) -> graph::values::Pat {
    let source = Source::new("query", expr);
    query::evaluate(&source, &Registry::standard(), ValueType::Untyped)
        .unwrap_or_else(|d| panic!("{expr}: {}", source.render(&d[0])))
}

fn shown(p: &graph::values::Pat, from: i64, to: i64) -> Vec<String> {
    query::render(
        p,
        Span::new(Time::from_int(from), Time::from_int(to)),
        Format::Text,
    )
    .lines()
    .map(str::to_string)
    .collect()
}

/// A compiled pattern follows a controller's value as it changes, without being compiled again.
#[test]
fn controller_inputs_read_the_value_set_by_name_as_they_play() {
    let table = NamedValues::shared();
    let number = compiled("cF 0.5 \"readers-number\"");
    let whole = compiled("cI 3 \"readers-whole\"");
    let flag = compiled("cB0 \"readers-flag\"");
    let silent = compiled("cF_ \"readers-silent\"");
    let ratio = compiled("cT 0.25 \"readers-ratio\"");
    assert_eq!(shown(&number, 0, 1), ["[0, 1] [0, 1] 0.5"]);
    assert_eq!(shown(&whole, 0, 1), ["[0, 1] [0, 1] 3"]);
    assert_eq!(shown(&flag, 0, 1), ["[0, 1] [0, 1] f"]);
    assert!(shown(&silent, 0, 1).is_empty(), "silent until set");
    assert_eq!(shown(&ratio, 0, 1), ["[0, 1] [0, 1] 1/4"]);

    for (name, value) in [
        ("readers-number", 0.75),
        ("readers-whole", 2.9),
        ("readers-flag", 1.0),
        ("readers-silent", 7.0),
        ("readers-ratio", 0.375),
    ] {
        assert!(table.set(name, value));
    }
    assert_eq!(shown(&number, 0, 1), ["[0, 1] [0, 1] 0.75"]);
    assert_eq!(shown(&whole, 0, 1), ["[0, 1] [0, 1] 2"], "rounded down");
    assert_eq!(shown(&flag, 0, 1), ["[0, 1] [0, 1] t"]);
    assert_eq!(shown(&silent, 0, 2), ["[0, 1] [0, 1] 7", "[1, 2] [1, 2] 7"]);
    assert_eq!(shown(&ratio, 0, 1), ["[0, 1] [0, 1] 3/8"]);

    // As a control of a sound pattern, sampled by each event.
    let sounds = compiled("s \"bd*2\" # speed (cF 1 \"readers-speed\")");
    assert!(table.set("readers-speed", 2.0));
    assert_eq!(
        shown(&sounds, 0, 1),
        [
            "[0, 1/2] [0, 1/2] s: bd, speed: 2",
            "[1/2, 1] [1/2, 1] s: bd, speed: 2"
        ]
    );
}

/// `sec` and `msec` turn time into cycles at the tempo the engine publishes; the triggers shift
/// a pattern to the cycle playing when the patch is compiled.
#[test]
fn tempo_conversions_and_triggers_read_what_the_engine_publishes() {
    let table = NamedValues::shared();
    assert!(table.set(CPS, 0.5));
    assert_eq!(
        shown(&compiled("sec \"2 4\""), 0, 1),
        ["[0, 1/2] [0, 1/2] 1", "[1/2, 1] [1/2, 1] 2"]
    );
    assert_eq!(shown(&compiled("msec 500"), 0, 1), ["[0, 1] [0, 1] 0.25"]);

    assert!(table.set(CYCLE, 5.5));
    let at = |expr: &str| shown(&compiled(expr), 5, 8);
    assert_eq!(
        at("qtrigger 1 \"<a b c>\""),
        ["[5, 6] [5, 6] c", "[6, 7] [6, 7] a", "[7, 8] [7, 8] b"],
        "cycle 0 at the next whole cycle (before it, as in Tidal, the cycles before 0)"
    );
    assert_eq!(at("qt 1 \"<a b c>\""), at("qtrigger 1 \"<a b c>\""));
    assert_eq!(at("ctrigger 1 \"<a b c>\""), at("qtrigger 1 \"<a b c>\""));
    assert_eq!(
        at("ftrigger 1 \"<a b c>\""),
        ["[5, 6] [5, 6] a", "[6, 7] [6, 7] b", "[7, 8] [7, 8] c"]
    );
    assert_eq!(at("rtrigger 1 \"<a b c>\""), at("qtrigger 1 \"<a b c>\""));
    assert_eq!(
        at("trigger 1 \"<a b c>\""),
        [
            "[9/2, 11/2] [5, 11/2] c",
            "[11/2, 13/2] [11/2, 13/2] a",
            "[13/2, 15/2] [13/2, 15/2] b",
            "[15/2, 17/2] [15/2, 8] c"
        ]
    );
    assert_eq!(
        at("reset 1 \"<a b c>\""),
        ["[6, 7] [6, 7] b", "[7, 8] [7, 8] c"],
        "silent through the cycle it was loaded in, then from cycle 1"
    );
}
