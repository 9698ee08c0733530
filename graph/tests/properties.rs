//! Properties of what plays: random chains of transforms written in the patch language and
//! compiled as patches are equal to the same chains built from the `pattern` crate's combinators,
//! and their queries split at any point without changing what sounds.

use graph::diagnostic::Source;
use graph::values::Pat;
use graph::Registry;
use pattern::mini::ValueType;
use pattern::{mini, Event, Pattern, Span, Time, Value};
use proptest::prelude::*;

fn notation() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("1".to_string()),
        Just("~".to_string()),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        let suffix = prop_oneof![
            Just(""),
            Just("*2"),
            Just("/3"),
            Just("@2"),
            Just("(3,8)"),
            Just("?")
        ];
        let step = (inner.clone(), suffix).prop_map(|(s, x)| format!("{s}{x}"));
        prop_oneof![
            prop::collection::vec(step, 1..4).prop_map(|v| format!("[{}]", v.join(" "))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| format!("<{}>", v.join(" "))),
            (inner.clone(), inner).prop_map(|(a, b)| format!("[{a}, {b}]")),
        ]
    })
}

/// A transform, as the language writes it and as the pattern crate builds it.
#[derive(Clone, Debug)]
enum Transform {
    Fast(i64, i64),
    Rev,
    Early(i64),
    EveryFast(i64),
    Ply(i64),
    Iter(i64),
    Chunk(i64),
    Palindrome,
    OffRev,
    Linger(i64),
    Rot(i64),
    Degrade,
}

fn transform() -> impl Strategy<Value = Transform> {
    prop_oneof![
        (1i64..4, prop_oneof![Just(1i64), Just(2), Just(5)])
            .prop_map(|(n, d)| Transform::Fast(n, d)),
        Just(Transform::Rev),
        (1i64..8).prop_map(Transform::Early),
        (2i64..4).prop_map(Transform::EveryFast),
        (2i64..4).prop_map(Transform::Ply),
        (2i64..5).prop_map(Transform::Iter),
        prop_oneof![Just(2i64), Just(-2), Just(4)].prop_map(Transform::Chunk),
        Just(Transform::Palindrome),
        Just(Transform::OffRev),
        prop_oneof![Just(2i64), Just(4)].prop_map(Transform::Linger),
        (-2i64..3).prop_map(Transform::Rot),
        Just(Transform::Degrade),
    ]
}

impl Transform {
    fn text(&self) -> String {
        match self {
            Transform::Fast(n, d) => format!("fast ({n}/{d})"),
            Transform::Rev => "rev".into(),
            Transform::Early(n) => format!("early ({n}/8)"),
            Transform::EveryFast(n) => format!("every {n} (fast 2)"),
            Transform::Ply(n) => format!("ply {n}"),
            Transform::Iter(n) => format!("iter {n}"),
            Transform::Chunk(n) => format!("chunk ({n}) (|+ \"1\")"),
            Transform::Palindrome => "palindrome".into(),
            Transform::OffRev => "off 0.125 rev".into(),
            Transform::Linger(n) => format!("linger (1/{n})"),
            Transform::Rot(n) => format!("rot ({n})"),
            Transform::Degrade => "degrade".into(),
        }
    }

    fn apply(&self, p: &Pattern<Value>) -> Pattern<Value> {
        let one = pattern::pure(Value::Num(1.0));
        match *self {
            Transform::Fast(n, d) => p.fast(Time::new(n, d)),
            Transform::Rev => p.rev(),
            Transform::Early(n) => p.early(Time::new(n, 8)),
            Transform::EveryFast(n) => p.every(n, |p| p.fast(Time::from_int(2))),
            Transform::Ply(n) => p.ply(Time::from_int(n)),
            Transform::Iter(n) => p.iter(n),
            Transform::Chunk(n) => p.chunk(n, |p| {
                p.operate(pattern::Structure::Left, pattern::Op::Add, &one)
            }),
            Transform::Palindrome => p.palindrome(),
            Transform::OffRev => p.off(Time::new(1, 8), |p| p.rev()),
            Transform::Linger(n) => p.linger(Time::new(1, n)),
            Transform::Rot(n) => p.rot(n),
            Transform::Degrade => p.degrade(),
        }
    }
}

/// The chain compiled from text, as a patch compiles it.
fn compiled(source: &str, chain: &[Transform]) -> Pattern<Value> {
    let text = chain
        .iter()
        .rev()
        .map(|t| t.text() + " $ ")
        .collect::<String>()
        + &format!("\"{source}\"");
    match graph::query::evaluate(
        &Source::new("property", text.as_str()),
        &Registry::standard(),
        ValueType::Untyped,
    ) {
        Ok(Pat::Value(p)) => p,
        Ok(Pat::Sound(_)) => panic!("{text}: a sound pattern"),
        Err(d) => panic!("{text}: {d:?}"),
    }
}

fn built(source: &str, chain: &[Transform]) -> Pattern<Value> {
    let p = mini(source).unwrap_or_else(|e| panic!("{source:?}: {e}"));
    chain.iter().fold(p, |p, t| t.apply(&p))
}

/// An event's whole as a pair of times.
type Whole = Option<(Time, Time)>;

/// Each (whole, value) with the total length of its parts: what plays, however the events are
/// split into fragments (layered copies of one whole split at different points merge
/// differently, so defragmenting alone is order-sensitive).
fn coverage(events: Vec<Event<Value>>) -> Vec<(Whole, String, Time)> {
    let mut total: std::collections::BTreeMap<(Whole, String), Time> =
        std::collections::BTreeMap::new();
    for e in events {
        let key = (e.whole.map(|w| (w.begin, w.end)), e.value.to_string());
        let length = e.part.end - e.part.begin;
        let entry = total.entry(key).or_insert(Time::ZERO);
        *entry = *entry + length;
    }
    total.into_iter().map(|((w, v), t)| (w, v, t)).collect()
}

/// What a sampler starts: each onset's whole and value.
fn onsets(events: Vec<Event<Value>>) -> Vec<(Option<(Time, Time)>, String)> {
    let mut starts: Vec<_> = events
        .into_iter()
        .filter(Event::has_onset)
        .map(|e| (e.whole.map(|w| (w.begin, w.end)), e.value.to_string()))
        .collect();
    starts.sort();
    starts
}

proptest! {
    #[test]
    fn the_language_plays_the_pattern_crates_transforms(
        source in notation(),
        chain in prop::collection::vec(transform(), 0..4),
        start in 0i64..32,
    ) {
        // `rot` over simultaneous events (a `,` stack) depends on the order they come in, which
        // Tidal leaves to how the query was split; the two paths may split it differently.
        prop_assume!(!(source.contains(',') && chain.iter().any(|t| matches!(t, Transform::Rot(_)))));
        let span = Span::new(Time::new(start, 4), Time::new(start, 4) + Time::from_int(3));
        let language = compiled(&source, &chain).events(span);
        let crate_built = built(&source, &chain).events(span);
        prop_assert_eq!(onsets(language.clone()), onsets(crate_built.clone()));
        prop_assert_eq!(coverage(language), coverage(crate_built));
    }

    #[test]
    fn blocks_of_any_size_play_the_same_onsets(
        source in notation(),
        chain in prop::collection::vec(transform(), 0..4),
        cut in 1i64..24,
    ) {
        let p = compiled(&source, &chain);
        let (begin, end) = (Time::ZERO, Time::from_int(2));
        let middle = Time::new(cut, 12);
        let whole = onsets(p.events(Span::new(begin, end)));
        let mut halves = p.events(Span::new(begin, middle));
        halves.extend(p.events(Span::new(middle, end)));
        prop_assert_eq!(onsets(halves), whole);
    }
}
