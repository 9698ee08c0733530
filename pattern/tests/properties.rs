//! Algebraic properties of patterns, over randomly generated mini-notation and transforms.

use pattern::{mini, Event, Pattern, Span, Time, Value};
use proptest::prelude::*;

/// Mini-notation whose periods are all of the form 2^a·5^b cycles (at most 2^14·5^6), so cycle 0
/// and cycle 256,000,000 must sound the same; with `random`, also `?` and `|`.
fn notation(random: bool) -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("c".to_string()),
        Just("1".to_string()),
        Just("~".to_string()),
    ];
    leaf.prop_recursive(3, 24, 4, move |inner| {
        let suffix = if random {
            prop_oneof![
                Just(""),
                Just(""),
                Just("*2"),
                Just("*3"),
                Just("/2"),
                Just("/5"),
                Just("@2"),
                Just("!2"),
                Just("(3,8)"),
                Just("(3,8,2)"),
                Just("?"),
                Just("?0.3"),
            ]
            .boxed()
        } else {
            prop_oneof![
                Just(""),
                Just(""),
                Just("*2"),
                Just("*3"),
                Just("/2"),
                Just("/5"),
                Just("@2"),
                Just("!2"),
                Just("(3,8)"),
                Just("(5,8,2)"),
            ]
            .boxed()
        };
        let step = (inner.clone(), suffix).prop_map(|(s, x)| format!("{s}{x}"));
        let sequence = prop::collection::vec(step, 1..4).prop_map(|v| v.join(" "));
        let group = prop_oneof![
            sequence.clone().prop_map(|s| format!("[{s}]")),
            prop::collection::vec(inner.clone(), 2..3).prop_map(|v| format!("<{}>", v.join(" "))),
            prop::collection::vec(inner.clone(), 4..5).prop_map(|v| format!("<{}>", v.join(" "))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a}, {b}]")),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| format!("{{{a} {b}, {a} {b} {a} {b} {a}}}%4")),
        ];
        if random {
            prop_oneof![
                4 => group,
                1 => (inner.clone(), inner).prop_map(|(a, b)| format!("[{a} | {b}]")),
            ]
            .boxed()
        } else {
            group.boxed()
        }
    })
}

#[derive(Clone, Debug)]
enum Transform {
    Fast(i64, i64),
    Rev,
    Early(i64, i64),
    EveryRev(i64),
    Ply(i64),
    Iter(i64),
    Chunk(i64),
    Palindrome,
    Off,
}

fn transform() -> impl Strategy<Value = Transform> {
    prop_oneof![
        (
            prop_oneof![Just(1), Just(2), Just(4)],
            prop_oneof![Just(1), Just(2), Just(5)]
        )
            .prop_map(|(n, d)| Transform::Fast(n, d)),
        Just(Transform::Rev),
        (1i64..8).prop_map(|n| Transform::Early(n, 8)),
        prop_oneof![Just(2), Just(4)].prop_map(Transform::EveryRev),
        (2i64..4).prop_map(Transform::Ply),
        prop_oneof![Just(2), Just(4)].prop_map(Transform::Iter),
        prop_oneof![Just(2), Just(4)].prop_map(Transform::Chunk),
        Just(Transform::Palindrome),
        Just(Transform::Off),
    ]
}

fn apply(p: &Pattern<Value>, t: &Transform) -> Pattern<Value> {
    match *t {
        Transform::Fast(n, d) => p.fast(Time::new(n, d)),
        Transform::Rev => p.rev(),
        Transform::Early(n, d) => p.early(Time::new(n, d)),
        Transform::EveryRev(n) => p.every(n, |p| p.rev()),
        Transform::Ply(n) => p.ply(Time::from_int(n)),
        Transform::Iter(n) => p.iter(n),
        Transform::Chunk(n) => p.chunk(n, |p| p.fast(Time::from_int(2))),
        Transform::Palindrome => p.palindrome(),
        Transform::Off => p.off(Time::new(1, 8), |p| p.rev()),
    }
}

fn build(source: &str, transforms: &[Transform]) -> Pattern<Value> {
    let p = mini(source).unwrap_or_else(|e| panic!("{source:?} should parse: {e}"));
    transforms.iter().fold(p, |p, t| apply(&p, t))
}

fn sorted(mut events: Vec<Event<Value>>) -> Vec<Event<Value>> {
    events.sort_by(|a, b| {
        (a.part.begin, a.part.end, a.whole.map(|w| (w.begin, w.end)))
            .cmp(&(b.part.begin, b.part.end, b.whole.map(|w| (w.begin, w.end))))
            .then_with(|| a.value.to_string().cmp(&b.value.to_string()))
    });
    events
}

/// Joins fragments of one event that a cycle-splitting transform (such as `rev`) cut apart: equal
/// wholes and values with touching parts. Tidal's `rev` fragments events the same way.
fn defragment(events: Vec<Event<Value>>) -> Vec<Event<Value>> {
    let mut out: Vec<Event<Value>> = Vec::new();
    for e in sorted(events) {
        let joined = out.iter_mut().find(|o| {
            o.whole.is_some()
                && o.whole == e.whole
                && o.value == e.value
                && o.part.end == e.part.begin
        });
        match joined {
            Some(o) => o.part.end = e.part.end,
            None => out.push(e),
        }
    }
    sorted(out)
}

/// A query span from a start in eighths of a cycle and a length in sixths.
fn span_at(start: i64, length: i64, offset: i64) -> Span {
    let begin = Time::new(start, 8) + Time::from_int(offset);
    Span::new(begin, begin + Time::new(length, 6))
}

fn query(p: &Pattern<Value>, span: Span) -> Vec<Event<Value>> {
    sorted(p.events(span))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn rev_twice_is_the_identity(
        source in notation(true),
        transforms in prop::collection::vec(transform(), 0..3),
        start in 0i64..16, length in 1i64..12,
    ) {
        let p = build(&source, &transforms);
        let span = span_at(start, length, 0);
        prop_assert_eq!(defragment(query(&p.rev().rev(), span)), defragment(query(&p, span)));
    }

    #[test]
    fn fast_undoes_slow(
        source in notation(true),
        transforms in prop::collection::vec(transform(), 0..3),
        n in 1i64..6, d in 1i64..4,
        start in 0i64..16, length in 1i64..12,
    ) {
        let p = build(&source, &transforms);
        let factor = Time::new(n, d);
        let span = span_at(start, length, 0);
        prop_assert_eq!(query(&p.slow(factor).fast(factor), span), query(&p, span));
    }

    #[test]
    fn a_query_equals_its_two_halves(
        source in notation(true),
        transforms in prop::collection::vec(transform(), 0..3),
        start in 0i64..16, length in 1i64..12, cut in 0i64..=12,
    ) {
        let p = build(&source, &transforms);
        let span = span_at(start, length, 0);
        let middle = span.begin + (span.end - span.begin) * Time::new(cut.min(length), length);
        let mut halves = p.events(Span::new(span.begin, middle));
        halves.extend(p.events(Span::new(middle, span.end)));
        // The whole query's events, with parts cut where the halves meet.
        let mut split = Vec::new();
        for e in p.events(span) {
            if e.part.begin < middle && middle < e.part.end {
                split.push(Event { part: Span::new(e.part.begin, middle), ..e.clone() });
                split.push(Event { part: Span::new(middle, e.part.end), ..e });
            } else {
                split.push(e);
            }
        }
        // Zero-width fragments only arise from zero-width queries; drop them on both sides.
        let nonzero = |v: Vec<Event<Value>>| -> Vec<Event<Value>> {
            sorted(v.into_iter().filter(|e| e.part.begin < e.part.end).collect())
        };
        prop_assert_eq!(nonzero(halves), nonzero(split));
    }

    #[test]
    fn parts_stay_inside_the_query(
        source in notation(true),
        transforms in prop::collection::vec(transform(), 0..3),
        start in 0i64..16, length in 0i64..12,
    ) {
        let p = build(&source, &transforms);
        let span = span_at(start, length, 0);
        for e in p.events(span) {
            prop_assert!(span.begin <= e.part.begin && e.part.end <= span.end, "{:?} outside {:?}", e.part, span);
            prop_assert!(e.part.begin <= e.part.end);
            if let Some(w) = e.whole {
                prop_assert!(w.begin <= e.part.begin && e.part.end <= w.end, "part {:?} outside whole {:?}", e.part, w);
            }
        }
    }

    #[test]
    // Nested alternations and cycle-wise transforms multiply periods, so the far cycle is a
    // multiple of every period the generator can make: 256 million (1,000,000 × 256).
    fn a_far_cycle_sounds_like_cycle_zero(
        source in notation(false),
        transforms in prop::collection::vec(transform(), 0..3),
        start in 0i64..16, length in 1i64..12,
    ) {
        const FAR: i64 = 256_000_000;
        let p = build(&source, &transforms);
        let near = query(&p, span_at(start, length, 0));
        let far: Vec<Event<Value>> = query(&p, span_at(start, length, FAR))
            .into_iter()
            .map(|e| e.with_span(|s| s.with_time(|t| t - Time::from_int(FAR))))
            .collect();
        prop_assert_eq!(far, near);
    }
}

#[test]
fn random_choices_repeat_with_tidals_period_of_300_cycles() {
    // From cycle 1: Tidal's random stream is 0.5 at time 0 exactly, and periodic elsewhere.
    let p = mini("[a | b | c]*4 d?").unwrap();
    let near = query(&p, span_at(1, 12, 0));
    let far: Vec<Event<Value>> = query(&p, span_at(1, 12, 300 * 3334))
        .into_iter()
        .map(|e| e.with_span(|s| s.with_time(|t| t - Time::from_int(300 * 3334))))
        .collect();
    assert_eq!(far, near);
    assert!(!near.is_empty());
}
