//! Tidal's transforms, checked against what Tidal produces for the same expressions.

use pattern::{
    mini, mini_as, pure, saw, sound, t, Event, Pattern, Sound, Span, Time, Value, ValueType,
};

fn onsets<T: pattern::Item>(p: &Pattern<T>, from: i64, to: i64) -> Vec<Event<T>> {
    let mut events: Vec<Event<T>> = p
        .events(Span::new(Time::from_int(from), Time::from_int(to)))
        .into_iter()
        .filter(Event::has_onset)
        .collect();
    events.sort_by_key(|e| (e.part.begin, e.part.end));
    events
}

fn names(p: &Pattern<Value>, from: i64, to: i64) -> String {
    onsets(p, from, to)
        .iter()
        .map(|e| e.value.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

fn starts<T: pattern::Item>(p: &Pattern<T>, from: i64, to: i64) -> Vec<Time> {
    onsets(p, from, to).iter().map(|e| e.part.begin).collect()
}

fn p(s: &str) -> Pattern<Value> {
    mini(s).unwrap()
}

#[test]
fn every_transforms_cycle_zero_and_every_nth_after() {
    let e = p("a b").every(2, |p| p.fast(Time::from_int(2)));
    assert_eq!(names(&e, 0, 1), "a b a b");
    assert_eq!(names(&e, 1, 2), "a b");
    assert_eq!(names(&e, 2, 3), "a b a b");
    let shifted = p("a b").every_offset(3, 1, |p| p.rev());
    assert_eq!(names(&shifted, 0, 3), "a b b a a b");
}

#[test]
fn jux_pans_the_original_left_and_the_copy_right() {
    let j = sound(&p("a b")).jux(|p| p.rev());
    let events = onsets(&j, 0, 1);
    let got: Vec<(String, f64, Time)> = events
        .iter()
        .map(|e| {
            (
                e.value.sound.to_string(),
                e.value.get(pattern::Control::Pan).unwrap_or(0.5),
                e.part.begin,
            )
        })
        .collect();
    assert_eq!(got.len(), 4);
    assert!(got.contains(&("a".into(), 0.0, t(0, 1))));
    assert!(got.contains(&("b".into(), 0.0, t(1, 2))));
    assert!(got.contains(&("b".into(), 1.0, t(0, 1))));
    assert!(got.contains(&("a".into(), 1.0, t(1, 2))));
}

fn gains(p: &Pattern<Sound>) -> Vec<(Time, f64)> {
    onsets(p, 0, 1)
        .iter()
        .map(|e| {
            (
                e.part.begin,
                (e.value.get(pattern::Control::Gain).unwrap_or(1.0) * 1e6).round() / 1e6,
            )
        })
        .collect()
}

#[test]
fn stut_fades_each_copy_towards_the_feedback() {
    // Tidal: gain of copy x is feedback + (1 - feedback) * (count - x) / count.
    let s = sound(&p("a")).stut(3, 0.5, t(1, 8));
    assert_eq!(
        gains(&s),
        vec![(t(0, 1), 1.0), (t(1, 8), 0.833_333), (t(1, 4), 0.666_667)]
    );
}

#[test]
fn echo_multiplies_gain_by_the_feedback_per_copy() {
    let e = sound(&p("a")).echo(3, t(1, 5), 0.5);
    assert_eq!(
        gains(&e),
        vec![(t(0, 1), 1.0), (t(1, 5), 0.5), (t(2, 5), 0.25)]
    );
    let s = p("a").stutter(4, t(1, 16));
    assert_eq!(starts(&s, 0, 1), vec![t(0, 1), t(1, 16), t(1, 8), t(3, 16)]);
}

#[test]
fn ply_repeats_each_event_inside_itself() {
    let x = p("a b").ply(Time::from_int(2));
    assert_eq!(names(&x, 0, 1), "a a b b");
    assert_eq!(starts(&x, 0, 1), vec![t(0, 1), t(1, 4), t(1, 2), t(3, 4)]);
    let y = p("a b").ply_p(
        &mini_as("2 3", ValueType::Rational)
            .unwrap()
            .fmap(|v| v.as_time().unwrap()),
    );
    assert_eq!(names(&y, 0, 1), "a a b b b");
}

#[test]
fn iter_and_palindrome_move_through_the_cycle() {
    let i = p("a b c d").iter(4);
    assert_eq!(names(&i, 1, 2), "b c d a");
    assert_eq!(names(&i, 3, 4), "d a b c");
    assert_eq!(names(&p("a b c d").iter_back(4), 1, 2), "d a b c");
    let pal = p("a b c").palindrome();
    assert_eq!(names(&pal, 0, 2), "a b c c b a");
}

#[test]
fn off_and_superimpose_layer_a_transformed_copy() {
    let s = p("a").superimpose(|p| p.fast(Time::from_int(2)));
    assert_eq!(starts(&s, 0, 1), vec![t(0, 1), t(0, 1), t(1, 2)]);
    let o = p("a b").off(t(1, 4), |p| p.fmap(|_| Value::word("x")));
    assert_eq!(names(&o, 0, 1), "a x b x");
}

#[test]
fn chunk_transforms_one_quarter_per_cycle() {
    let c = p("a b c d").chunk(4, |p| {
        p.fmap(|v| Value::word(&v.to_string().to_uppercase()))
    });
    assert_eq!(names(&c, 0, 1), "A b c d");
    assert_eq!(names(&c, 1, 2), "a B c d");
    assert_eq!(names(&c, 3, 4), "a b c D");
}

#[test]
fn euclid_matches_the_mini_notation() {
    let e = p("a").euclid(3, 8, 0);
    assert_eq!(starts(&e, 0, 1), vec![t(0, 1), t(3, 8), t(3, 4)]);
    let rotated = p("a").euclid(3, 8, 2);
    assert_eq!(starts(&rotated, 0, 1), starts(&p("a(3,8,2)"), 0, 1));
    let complement = p("a").euclid(-3, 8, 0);
    assert_eq!(onsets(&complement, 0, 1).len(), 5);
}

#[test]
fn early_and_late_rotate_the_cycle() {
    assert_eq!(names(&p("a b c d").early(t(1, 4)), 0, 1), "b c d a");
    assert_eq!(names(&p("a b c d").late(t(1, 4)), 0, 1), "d a b c");
    let patterned = p("a b c d").early_p(&pure(t(1, 2)));
    assert_eq!(names(&patterned, 0, 1), "c d a b");
}

#[test]
fn fast_with_a_pattern_changes_speed_within_the_cycle() {
    let f = p("a b").fast_p(
        &mini_as("1 2", ValueType::Rational)
            .unwrap()
            .fmap(|v| v.as_time().unwrap()),
    );
    assert_eq!(names(&f, 0, 1), "a a b");
    assert_eq!(starts(&f, 0, 1), vec![t(0, 1), t(1, 2), t(3, 4)]);
}

#[test]
fn segment_and_range_sample_a_signal() {
    // Tidal samples a signal at the start of each segment.
    let s = saw().range(1.0, 5.0).segment(Time::from_int(4));
    let values: Vec<f64> = onsets(&s, 0, 1).iter().map(|e| e.value).collect();
    assert_eq!(values, vec![1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn arithmetic_takes_structure_from_the_left() {
    let left = mini_as("1 2", ValueType::Double)
        .unwrap()
        .fmap(|v| v.as_f64().unwrap());
    let right = mini_as("10 20 30", ValueType::Double)
        .unwrap()
        .fmap(|v| v.as_f64().unwrap());
    let sum = left.add(&right);
    let got: Vec<f64> = onsets(&sum, 0, 1).iter().map(|e| e.value).collect();
    assert_eq!(got, vec![11.0, 22.0]);
    assert_eq!(
        sum.first_cycles(1).len(),
        4,
        "fragments where the right side changes"
    );
    let product = left.mul(&right);
    assert_eq!(
        onsets(&product, 0, 1)
            .iter()
            .map(|e| e.value)
            .collect::<Vec<_>>(),
        vec![10.0, 40.0]
    );
}

#[test]
fn degrade_is_deterministic_and_sometimes_by_splits_the_events() {
    let dense = p("a*16");
    let d = dense.degrade();
    assert_eq!(d.first_cycles(8), d.first_cycles(8));
    let kept = onsets(&d, 0, 64).len();
    assert!((400..=624).contains(&kept), "kept {kept} of 1024");
    let marked = dense.sometimes_by(0.5, |p| p.fmap(|_| Value::word("x")));
    let all = onsets(&marked, 0, 64);
    assert_eq!(all.len(), 1024, "every event is either kept or transformed");
    let transformed = all.iter().filter(|e| e.value.to_string() == "x").count();
    assert_eq!(transformed, 1024 - kept);
}

#[test]
fn note_names_and_chords_read_as_tidal_notes() {
    let notes = mini_as("c4 eb2 a5 <c e>'major", ValueType::Note).unwrap();
    let values: Vec<String> = onsets(&notes, 0, 1)
        .iter()
        .map(|e| e.value.to_string())
        .collect();
    assert_eq!(values, vec!["-12", "-33", "9", "0", "4", "7"]);
}

#[test]
fn bad_notation_reports_a_column() {
    let e = mini("bd [sn").unwrap_err();
    assert_eq!(e.column, 7);
    let e = mini_as("c'nosuchchord", ValueType::Note).unwrap_err();
    assert_eq!(e.column, 3);
    assert!(e.expected.contains("chord name"));
    let e = mini("bd*y").unwrap_err();
    assert_eq!(e.column, 4);
    let e = mini_as("1 two", ValueType::Double).unwrap_err();
    assert_eq!((e.column, e.found.as_str()), (3, "'two'"));
}

/// Each onset's start, sound and begin–end range.
fn ranges(p: &Pattern<Sound>) -> Vec<(Time, String, f64, f64)> {
    onsets(p, 0, 1)
        .iter()
        .map(|e| {
            (
                e.part.begin,
                e.value.sound.to_string(),
                e.value.get(pattern::Control::Begin).unwrap_or(f64::NAN),
                e.value.get(pattern::Control::End).unwrap_or(f64::NAN),
            )
        })
        .collect()
}

#[test]
fn chop_cuts_each_event_into_successive_parts_of_its_sample() {
    let chopped = sound(&p("bd sn")).chop(2);
    assert_eq!(
        ranges(&chopped),
        vec![
            (t(0, 1), "bd".into(), 0.0, 0.5),
            (t(1, 4), "bd".into(), 0.5, 1.0),
            (t(1, 2), "sn".into(), 0.0, 0.5),
            (t(3, 4), "sn".into(), 0.5, 1.0),
        ]
    );
    // Within a begin–end already set, and queried in fragments.
    let narrowed = sound(&p("bd"))
        .with_control(pattern::Control::Begin, &pure(0.5))
        .chop(2);
    assert_eq!(
        ranges(&narrowed),
        vec![
            (t(0, 1), "bd".into(), 0.5, 0.75),
            (t(1, 2), "bd".into(), 0.75, 1.0)
        ]
    );
    let pieces = chopped.events(Span::new(t(0, 1), t(1, 8)));
    assert_eq!(pieces.len(), 1);
    assert_eq!(pieces[0].whole, Some(Span::new(t(0, 1), t(1, 4))));
    assert_eq!(pieces[0].part, Span::new(t(0, 1), t(1, 8)));
}

#[test]
fn striate_interlaces_the_parts_and_slice_picks_one() {
    let s = sound(&p("bd sn")).striate(2);
    assert_eq!(
        ranges(&s),
        vec![
            (t(0, 1), "bd".into(), 0.0, 0.5),
            (t(1, 4), "sn".into(), 0.0, 0.5),
            (t(1, 2), "bd".into(), 0.5, 1.0),
            (t(3, 4), "sn".into(), 0.5, 1.0),
        ]
    );
    let sliced = sound(&p("bd*2")).slice(4, &mini("0 2").unwrap().fmap(|v| v.as_f64().unwrap()));
    assert_eq!(
        ranges(&sliced),
        vec![
            (t(0, 1), "bd".into(), 0.0, 0.25),
            (t(1, 2), "bd".into(), 0.5, 0.75)
        ]
    );
}

/// Tidal's `timeToRands`, written out again from its definition to check ours against.
fn tidal_rands(t: Time, n: usize) -> Vec<f64> {
    let xorwise = |x: i64| {
        let a = (x << 13) ^ x;
        let b = (a >> 17) ^ a;
        (b << 5) ^ b
    };
    let frac = (t.to_f64() / 300.0).fract();
    let mut seed = (frac * f64::from(1u32 << 29)) as i64;
    (0..n)
        .map(|_| {
            seed = xorwise(seed);
            seed.rem_euclid(1 << 29) as f64 / f64::from(1u32 << 29)
        })
        .collect()
}

#[test]
fn shuffle_plays_every_part_once_in_tidals_order() {
    let parts = p("0 1 2 3 4 5 6 7");
    for n in [1, 2, 4, 8] {
        let shuffled = parts.shuffle(n);
        for cycle in 0..40 {
            let events = onsets(&shuffled, cycle, cycle + 1);
            // Each of the n parts appears once, whole.
            let mut firsts: Vec<String> = (0..n as usize)
                .map(|k| {
                    let begin = Time::from_int(cycle) + Time::new(k as i64, n);
                    events
                        .iter()
                        .find(|e| e.part.begin == begin)
                        .expect("a part at each step")
                        .value
                        .to_string()
                })
                .collect();
            // The part played at step k is the part with the k-th smallest random number.
            let rands = tidal_rands(Time::from_int(cycle), n as usize);
            let mut order: Vec<usize> = (0..n as usize).collect();
            order.sort_by(|&a, &b| rands[a].total_cmp(&rands[b]));
            let expected: Vec<String> = order
                .iter()
                .map(|&j| (j * 8 / n as usize).to_string())
                .collect();
            assert_eq!(firsts, expected, "n {n}, cycle {cycle}");
            firsts.sort();
            firsts.dedup();
            assert_eq!(firsts.len(), n as usize);
        }
    }
}

#[test]
fn scramble_picks_parts_of_the_same_cycle_with_repeats() {
    let parts = p("<[a b c d] [e f g h]>");
    let scrambled = parts.scramble(4);
    let mut repeats = 0;
    for cycle in 0..40 {
        let names: Vec<String> = onsets(&scrambled, cycle, cycle + 1)
            .iter()
            .map(|e| e.value.to_string())
            .collect();
        assert_eq!(names.len(), 4);
        let own = if cycle % 2 == 0 { "abcd" } else { "efgh" };
        assert!(names.iter().all(|n| own.contains(n.as_str())), "{names:?}");
        for (k, name) in names.iter().enumerate() {
            // Tidal's choice: irand 4 sampled at the step's start.
            let r = pattern::time_to_rand(Time::from_int(cycle) + Time::new(k as i64, 4));
            let j = (r * 4.0).floor() as usize;
            assert_eq!(name, &own[j..j + 1], "cycle {cycle}, step {k}");
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        repeats += usize::from(unique.len() < 4);
    }
    assert!(
        repeats > 10,
        "scramble repeats parts ({repeats} cycles with repeats)"
    );
}

#[test]
fn a_tilde_joined_to_a_name_is_a_bus_not_a_rest() {
    assert_eq!(
        names(&p("~kick sn ~ ~bass*2"), 0, 1),
        "~kick sn ~bass ~bass"
    );
    assert_eq!(names(&p("~ kick"), 0, 1), "kick");
}

#[test]
fn splice_sets_the_speed_that_fits_each_part_to_its_event() {
    let index = mini("0 1").unwrap().fmap(|v| v.as_f64().unwrap());
    let spliced = sound(&p("bd sn")).splice(4, &index);
    let events = onsets(&spliced, 0, 1);
    for e in &events {
        // A quarter of the sample over half a cycle: speed 1/4 / (1/2) = 0.5, in cycles.
        assert_eq!(e.value.get(pattern::Control::Speed), Some(0.5));
        assert_eq!(e.value.get(pattern::Control::Unit), Some(1.0));
    }
    let faster = sound(&p("bd sn"))
        .with_control(pattern::Control::Speed, &pure(2.0))
        .splice(4, &index);
    assert_eq!(
        onsets(&faster, 0, 1)[0].value.get(pattern::Control::Speed),
        Some(1.0)
    );
}
