//! Tidal's functions added to the library, each against the behaviour of Tidal's own
//! definition (Sound.Tidal.UI and Sound.Tidal.Control, quoted beside each test).

mod support;

use graph::diagnostic::Source;
use graph::query::{self, Format};
use graph::Registry;
use pattern::mini::ValueType;
use pattern::{Span, Time};

fn shown(expr: &str, cycles: i64, format: Format) -> String {
    let source = Source::new("query", expr);
    let p = query::evaluate(&source, &Registry::standard(), ValueType::Untyped)
        .unwrap_or_else(|d| panic!("{expr}: {}", source.render(&d[0])));
    query::render(&p, Span::new(Time::ZERO, Time::from_int(cycles)), format)
}

fn grid(expr: &str, cycles: i64) -> String {
    shown(expr, cycles, Format::Draw).trim().to_string()
}

fn lines(expr: &str) -> Vec<String> {
    shown(expr, 1, Format::Text)
        .lines()
        .map(str::to_string)
        .collect()
}

/// `whenmod a b = whenT (\\t -> (t \`mod'\` a) >= b)`
#[test]
fn whenmod_applies_from_the_bth_cycle_of_every_a() {
    assert_eq!(
        grid("whenmod 4 2 (fast 2) \"a b\"", 4),
        "|a-b-|a-b-|abab|abab|"
    );
    assert_eq!(grid("whenmod 3 1 rev \"a b\"", 3), "|ab|ba|ba|");
}

/// `within (s, e) f p = stack [playWhen (\\t -> cyclePos t >= s && cyclePos t < e) $ f p,
///  playWhen (\\t -> not $ cyclePos t >= s && cyclePos t < e) $ p]`
#[test]
fn within_transforms_only_the_events_starting_in_its_part_of_the_cycle() {
    assert_eq!(
        grid("within (0, 0.5) (fast 2) \"a b c d\"", 1),
        "|abcdc-d-|"
    );
    assert_eq!(grid("within (0.5, 1) rev \"a b c d\"", 1), "|abba|");
}

/// `juxBy n f p = stack [p # pan 0.5 |+ pan (0-n/2), f $ p # pan 0.5 |+ pan (n/2)]`
#[test]
fn jux_by_places_the_copies_around_the_centre() {
    assert_eq!(
        lines("juxBy 0.5 rev $ s \"a b\""),
        [
            "[0, 1/2] [0, 1/2] s: a, pan: 0.25",
            "[0, 1/2] [0, 1/2] s: b, pan: 0.75",
            "[1/2, 1] [1/2, 1] s: b, pan: 0.25",
            "[1/2, 1] [1/2, 1] s: a, pan: 0.75",
        ]
    );
}

/// `loopAt n p = slow n p |* speed (fromRational <$> (1/n)) # unit (pure "c")`
#[test]
fn loop_at_stretches_each_sound_over_n_cycles() {
    assert_eq!(
        shown("loopAt 2 $ s \"break\" # speed 2", 2, Format::Text).trim(),
        "[0, 2] [0, 2] s: break, speed: 1, unit: 1"
    );
}

/// `append a b = cat [a,b]`, `fastAppend a b = fastcat [a,b]`
#[test]
fn append_takes_turns_and_fast_append_shares_the_cycle() {
    assert_eq!(grid("append \"a\" \"b c\"", 3), "|a-|bc|a-|");
    assert_eq!(grid("slowAppend \"a\" \"b\"", 2), "|a|b|");
    assert_eq!(grid("fastAppend \"a\" \"b c\"", 1), "|a-bc|");
}

/// `sew pb a b = overlay (mask pb a) (mask (inv <$> pb) b)`
#[test]
fn sew_keeps_each_patterns_own_structure() {
    assert_eq!(grid("sew \"t f\" \"a*4\" \"b*2\"", 1), "|aab-|");
    assert_eq!(grid("sew \"<t f>\" \"a\" \"b\"", 2), "|a|b|");
}

/// `stitch pb a b = overlay (struct (filterValues (== True) pb) a)
///  (struct (inv <$> filterValues (== False) pb) b)`
#[test]
fn stitch_takes_the_boolean_patterns_structure() {
    assert_eq!(grid("stitch \"t f t t\" \"a\" \"b\"", 1), "|abaa|");
    assert_eq!(grid("stitch \"t(3,8)\" \"a\" \"b\"", 1), "|abbabbab|");
}

/// `rangex from to p = exp <$> _range (log from) (log to) p`
#[test]
fn rangex_scales_exponentially() {
    let values: Vec<f64> = lines("rangex 20 2000 \"0 0.5 1\"")
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    for (got, want) in values.iter().zip([20.0, 200.0, 2000.0]) {
        assert!((got - want).abs() < 1e-9, "{values:?}");
    }
}

/// `quantise n = fmap ((/n) . fromIntegral . round . (*n))`, Haskell's `round` taking halves
/// to even.
#[test]
fn quantise_rounds_to_steps_halves_to_even() {
    let values: Vec<String> = lines("quantise 1 \"0.5 1.5 2.4 -0.5\"")
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(values, ["0", "2", "2", "0"]);
    let halves: Vec<String> = lines("quantise 2 \"0.3 0.8\"")
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(halves, ["0.5", "1"]);
}

/// `swingBy x n = inside n (within (0.5,1) (x ~>))`, `swing = swingBy (pure $ 1%3)`
#[test]
fn swing_delays_the_second_half_of_each_step() {
    // Each line is `[whole begin, end] [part begin, end] value`; an onset's part begins with
    // its whole.
    let onsets: Vec<String> = lines("swingBy (1/3) 4 $ \"hh*8\"")
        .iter()
        .filter_map(|l| {
            let fields: Vec<&str> = l.split(['[', ']', ',']).collect();
            let (whole, part) = (fields[1].trim(), fields[4].trim());
            (whole == part).then(|| whole.to_string())
        })
        .collect();
    assert_eq!(
        onsets,
        ["0", "5/24", "1/4", "11/24", "1/2", "17/24", "3/4", "23/24"],
        "every second eighth a third of a quarter late"
    );
    assert_eq!(
        lines("swing 4 $ \"hh*8\""),
        lines("swingBy (1/3) 4 $ \"hh*8\"")
    );
}

/// `wedge t p p' = overlay (_fastGap (1/t) p) (t \`rotR\` _fastGap (1/(1-t)) p')`
#[test]
fn wedge_squeezes_two_patterns_into_one_cycle() {
    assert_eq!(grid("wedge (1/4) \"a b\" \"c d\"", 1), "|abc--d--|");
    assert_eq!(grid("wedge 0 \"a\" \"b\"", 1), "|b|");
    assert_eq!(grid("wedge 1 \"a\" \"b\"", 1), "|a|");
}

fn values_of(expr: &str) -> Vec<String> {
    lines(expr)
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().to_string())
        .collect()
}

/// `toScale' o s = fmap noteInScale where octave x = x \`div\` length s;
///  noteInScale x = (s !!! x) + fromIntegral (o * octave x)`, `toScale = toScale' 12`
#[test]
fn to_scale_wraps_degrees_into_octaves() {
    assert_eq!(
        values_of("toScale [0, 2, 4, 5, 7, 9, 11] \"0 1 2 3 7 8 -1\""),
        ["0", "2", "4", "5", "12", "14", "-1"]
    );
    assert_eq!(
        values_of("toScale' 10 [0, 4] \"0 1 2 3\""),
        ["0", "4", "10", "14"]
    );
    let source = Source::new("query", "toScale [0, \"1 2\"] \"0\"");
    let Err(err) = query::evaluate(&source, &Registry::standard(), ValueType::Untyped) else {
        panic!("a pattern in the list is an error");
    };
    assert!(source.render(&err[0]).contains("list of single values"));
}

/// `chooseBy f xs = (xs !!!) . floor <$> range 0 (fromIntegral $ length xs) f`,
/// `choose = chooseBy rand`
#[test]
fn choose_picks_from_the_list_by_rand() {
    let chosen = values_of("segment 8 $ choose [\"a\", \"b\", \"c\"]");
    let picks: Vec<String> = values_of("segment 8 $ rand")
        .iter()
        .map(|r| ["a", "b", "c"][(r.parse::<f64>().unwrap() * 3.0).floor() as usize].to_string())
        .collect();
    assert_eq!(chosen, picks);
    assert!(chosen.iter().any(|v| v != &chosen[0]), "{chosen:?}");
}

/// `_trunc t = compress (0, t) . zoomArc (Arc 0 t)`
#[test]
fn trunc_plays_the_first_part_of_each_cycle() {
    assert_eq!(grid("trunc 0.75 \"a b c d\"", 1), "|abc.|");
    assert_eq!(grid("trunc 0.5 \"a b\"", 2), "|a.|a.|");
}

/// `_scan n = slowcat $ map _run [1 .. n]`
#[test]
fn scan_runs_longer_each_cycle() {
    let values: Vec<String> = shown("scan 3", 3, Format::Text)
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(values, ["0", "0", "1", "0", "1", "2"]);
}

/// `_someCyclesBy x = when test where test c = timeToRand (fromIntegral c :: Double) < x`
#[test]
fn some_cycles_by_picks_whole_cycles_by_tidals_random_numbers() {
    let cells: Vec<String> = grid("someCyclesBy 0.5 (fast 2) \"a\"", 16)
        .split('|')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    for (c, cell) in cells.iter().enumerate() {
        let chosen = pattern::time_to_rand(Time::from_int(c as i64)) < 0.5;
        assert_eq!(cell == "aa", chosen, "cycle {c}: {cell}");
    }
    assert!(cells.iter().any(|c| c == "aa") && cells.iter().any(|c| c == "a-"));
    assert_eq!(
        grid("someCycles (fast 2) \"a\"", 16),
        grid("someCyclesBy 0.5 (fast 2) \"a\"", 16)
    );
}

/// `_unDegradeBy x p = fmap fst $ filterValues ((< x) . snd) $ (,) <$> p <* rand`: exactly the
/// events `degradeBy x` drops.
#[test]
fn undegrade_by_keeps_what_degrade_by_drops() {
    let kept = grid("degradeBy 0.5 \"a*16\"", 1);
    let dropped = grid("unDegradeBy 0.5 \"a*16\"", 1);
    assert_eq!(kept.len(), dropped.len());
    for (k, d) in kept.chars().zip(dropped.chars()).filter(|(k, _)| *k != '|') {
        assert_ne!(k == 'a', d == 'a', "{kept} against {dropped}");
    }
}

/// `while b f pat = sew b (f pat) pat`
#[test]
fn while_applies_where_the_boolean_pattern_is_true() {
    assert_eq!(grid("while \"1 0\" (fast 2) \"a b c d\"", 1), "|abcdc-d-|");
    assert_eq!(
        grid("while \"t f\" rev \"a b\"", 1),
        grid("sew \"t f\" (rev \"a b\") \"a b\"", 1)
    );
}

/// `inv = (not <$>)`
#[test]
fn inv_inverts_a_boolean_pattern() {
    assert_eq!(values_of("inv \"t f 1 0\""), ["f", "t", "f", "t"]);
    assert_eq!(grid("struct (inv \"t f t f\") \"a\"", 1), "|.a.a|");
}

/// `perlin = perlinWith (sig fromRational)`, `perlinWith p = interp <$> (p-pa) <*>
/// (timeToRand <$> pa) <*> (timeToRand <$> pb)`: at whole cycles the random value of the
/// cycle, smoothly between.
#[test]
fn perlin_moves_smoothly_between_each_cycles_random_value() {
    let at = |t: &str| -> f64 {
        let source = Source::new("query", "perlin");
        let Ok(p) = query::evaluate(&source, &Registry::standard(), ValueType::Untyped) else {
            panic!("perlin evaluates");
        };
        let (n, d) = t.split_once('/').unwrap_or((t, "1"));
        let begin = Time::new(n.parse().unwrap(), d.parse().unwrap());
        query::render(&p, Span::new(begin, begin), Format::Text)
            .rsplit(' ')
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    for c in 0..4 {
        let want = pattern::time_to_rand(Time::from_int(c));
        assert!((at(&c.to_string()) - want).abs() < 1e-12, "cycle {c}");
    }
    // Halfway, the smoother step is exactly between.
    let (a, b) = (
        pattern::time_to_rand(Time::from_int(2)),
        pattern::time_to_rand(Time::from_int(3)),
    );
    assert!((at("5/2") - (a + b) / 2.0).abs() < 1e-12);
}

/// `envL = sig $ \\t -> max 0 $ min (fromRational t) 1`, `envLR = (1-) <$> envL`,
/// `envEq = sig $ \\t -> sqrt (sin (pi/2 * max 0 (min (fromRational (1-t)) 1)))`,
/// `envEqR = sig $ \\t -> sqrt (cos (pi/2 * max 0 (min (fromRational (1-t)) 1)))`
#[test]
fn envelopes_ramp_over_the_first_cycle() {
    let numbers = |expr: &str| -> Vec<f64> {
        shown(expr, 2, Format::Text)
            .lines()
            .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
            .collect()
    };
    assert_eq!(numbers("segment 2 $ envL"), [0.0, 0.5, 1.0, 1.0]);
    assert_eq!(numbers("segment 2 $ envLR"), [1.0, 0.5, 0.0, 0.0]);
    let eq = numbers("segment 2 $ envEq");
    let eq_r = numbers("segment 2 $ envEqR");
    assert!((eq[0] - 1.0).abs() < 1e-12 && eq[2].abs() < 1e-12, "{eq:?}");
    // Square roots of a sine and a cosine: their fourth powers sum to 1.
    for (x, y) in eq.iter().zip(&eq_r) {
        assert!((x.powi(4) + y.powi(4) - 1.0).abs() < 1e-9, "{x} {y}");
    }
    assert_eq!(
        grid("discretise 2 $ \"a\"", 1),
        grid("segment 2 $ \"a\"", 1)
    );
}

/// `select = tParam _select`, `_select f ps = ps !! floor (f * fromIntegral (length ps))`,
/// `tParam` joining inwards: the chosen pattern keeps its own structure.
#[test]
fn select_switches_between_patterns_by_a_number_pattern() {
    assert_eq!(
        grid("select \"<0 0.5>\" [\"a b\", \"c*3\"]", 2),
        "|a--b--|c-c-c-|"
    );
    assert_eq!(grid("select \"0 0.5\" [\"a*4\", \"b*4\"]", 1), "|aabb|");
    assert_eq!(
        lines("select \"0 1\" [s \"a*2\", s \"b*2\"]"),
        ["[0, 1/2] [0, 1/2] s: a", "[1/2, 1] [1/2, 1] s: b"]
    );
}

/// `arpeggiate = arpWith id`: the events sharing a whole spread over it, each a `1/d` of it.
/// `arp "updown"` orders them `init x ++ init (reverse x)`. Tidal 1.7.10's own `queryArc` of
/// `arp "<updown converge>" "<[a,b,c,d] [e,f,g]>"` and `arp "pinkyupdown" "[a,b,c]"` gives the
/// events asserted last.
#[test]
fn arp_plays_each_chords_notes_in_turn_in_its_modes_order() {
    assert_eq!(grid("arpeggiate \"[a,b,c] [d,e]\"", 1), "|a-b-c-d--e--|");
    assert_eq!(grid("arp \"updown\" \"[a,b,c]\"", 1), "|abcb|");
    assert_eq!(grid("arp \"<up down>\" \"[a,b,c]\"", 2), "|abc|cba|");
    assert_eq!(grid("arp \"converge\" \"[a,b,c,d]\"", 1), "|adbc|");
    assert_eq!(grid("arp \"thumbup\" \"[a,b,c]\"", 1), "|abac|");
    // A chord name is a chord: `"c'maj"` is the notes 0, 4 and 7.
    assert_eq!(
        lines("arp \"down\" \"c'maj\""),
        [
            "[0, 1/3] [0, 1/3] 7",
            "[1/3, 2/3] [1/3, 2/3] 4",
            "[2/3, 1] [2/3, 1] 0",
        ]
    );
    assert_eq!(
        grid("arp \"<updown converge>\" \"<[a,b,c,d] [e,f,g]>\"", 2),
        "|abcdcb|e-g-f-|"
    );
    assert_eq!(grid("arp \"pinkyupdown\" \"[a,b,c]\"", 1), "|acbcbc|");
    // On a sound pattern, the notes it sets.
    assert_eq!(
        lines("arp \"up\" $ s \"x\" # n \"c'maj\"").len(),
        3,
        "three notes of the chord"
    );
}

/// `rolledBy t`: note `n` of `d` starts `n × (e − s) × |t| / d` into its chord's event and ends
/// with it; `rolled = rolledBy (1/4)`; a negative `t` rolls high to low.
#[test]
fn rolled_strums_each_chord_over_a_fraction_of_its_event() {
    assert_eq!(
        lines("rolled \"[0,4,7]\""),
        [
            "[0, 1] [0, 1] 0",
            "[1/12, 1] [1/12, 1] 4",
            "[1/6, 1] [1/6, 1] 7",
        ]
    );
    assert_eq!(
        lines("rolledBy (-0.5) \"[0,4]\""),
        ["[0, 1] [0, 1] 4", "[1/4, 1] [1/4, 1] 0"]
    );
}

/// `squeeze ipat pats = squeezeJoin $ (pats !!!) <$> ipat`: a whole cycle of the chosen pattern
/// in each index event, the list counted round (`!!!`). The first case is what Tidal 1.7.10
/// gives for `squeeze "0 [1 0]" ["a b", "c"]`.
#[test]
fn squeeze_fits_a_cycle_of_the_chosen_pattern_into_each_event() {
    assert_eq!(
        grid("squeeze \"0 [1 0]\" [\"a b\", \"c\"]", 1),
        "|a-b-c-ab|"
    );
    assert_eq!(grid("squeeze \"<2 1>\" [\"a\", \"b c\"]", 2), "|a-|bc|");
    // The chosen pattern's own cycle plays: its `<>` moves on with the cycles.
    assert_eq!(grid("squeeze \"0*2\" [\"<a b>\"]", 2), "|aa|bb|");
}

/// `randcat ps = spread' rotL (_segment 1 $ (% 1) . fromIntegral <$> (_irand (length ps) ::
/// Pattern Int)) (slowcat ps)`. The expected order is what Tidal 1.7.10 itself gives for
/// `queryArc (randcat [pure "a", pure "b", pure "c"]) (Arc 0 8)`.
#[test]
fn randcat_plays_one_pattern_a_cycle_in_tidals_random_order() {
    assert_eq!(
        grid("randcat [\"a\", \"b\", \"c\"]", 8),
        "|a|c|a|b|a|c|a|c|"
    );
}

/// `wrandcat ps = unwrap $ wchooseBy (segment 1 rand) ps`, with Tidal's (pattern, weight)
/// pairs. The expected order is what Tidal 1.7.10 itself gives for
/// `queryArc (wrandcat [("a", 5), ("b", 2), ("c", 2), ("d", 1)]) (Arc 0 8)`.
#[test]
fn wrandcat_chooses_a_pattern_a_cycle_by_weight_as_tidal_does() {
    assert_eq!(
        grid(
            "wrandcat [(\"a\", 5), (\"b\", 2), (\"c\", 2), (\"d\", 1)]",
            8
        ),
        "|a|a|b|b|c|a|a|b|"
    );
}

/// Tidal gives `iter`, `rot` and `pressBy` patterned first arguments (`tParam`, an
/// `innerJoin`). The grids are what Tidal 1.7.10 itself gives for these expressions.
#[test]
fn iter_rot_and_press_by_take_patterned_amounts() {
    assert_eq!(grid("iter \"<2 4>\" \"a b c d\"", 2), "|abcd|bcda|");
    assert_eq!(grid("rot \"<1 2>\" \"a b c d\"", 2), "|bcda|cdab|");
    assert_eq!(grid("pressBy \"<0 0.5>\" \"a b\"", 2), "|a-b-|.a.b|");
}

/// `sine2 = fromRational <$> (\x -> (x * 2) - 1) <$> sine`, and so for `cosine2`, `saw2`,
/// `isaw2`, `tri2` and `square2`: the signals from -1 to 1.
#[test]
fn the_bipolar_signals_are_the_signals_from_minus_1_to_1() {
    for name in ["sine", "cosine", "saw", "isaw", "tri", "square"] {
        let plain = lines(&format!("segment 8 {name}"));
        let bipolar = lines(&format!("segment 8 {name}2"));
        assert_eq!(plain.len(), 8);
        for (p, b) in plain.iter().zip(&bipolar) {
            let value = |line: &str| line.rsplit(' ').next().unwrap().parse::<f64>().unwrap();
            assert!(
                (value(b) - (2.0 * value(p) - 1.0)).abs() < 1e-9,
                "{name}: {p} / {b}"
            );
        }
    }
}

/// The events of `expr` from cycle `from` to `to`, sorted, in `phonon query`'s text format.
fn between(expr: &str, from: i64, to: i64) -> Vec<String> {
    let source = Source::new("query", expr);
    let p = query::evaluate(&source, &Registry::standard(), ValueType::Untyped)
        .unwrap_or_else(|d| panic!("{expr}: {}", source.render(&d[0])));
    let span = Span::new(Time::from_int(from), Time::from_int(to));
    let mut lines: Vec<String> = query::render(&p, span, Format::Text)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// The begin of an event line's whole and its value.
fn onset_and_value(line: &str) -> (Time, String) {
    let begin = support::time(line.trim_start_matches('[').split(',').next().unwrap());
    (begin, line.rsplit("] ").next().unwrap().to_string())
}

/// `sometimesBy' x f pat = overlay (degradeBy x pat) (unDegradeBy x $ f pat)`, and its fixed
/// amounts (`sometimes'` 0.5, `often'` 0.75, `rarely'` 0.25, `almostNever'` 0.1,
/// `almostAlways'` 0.9).
#[test]
fn sometimes_by_after_applies_the_function_before_choosing() {
    let by = |amount: &str, f: &str| {
        between(
            &format!("stack [degradeBy {amount} \"a*8\", unDegradeBy {amount} ({f} \"a*8\")]"),
            0,
            4,
        )
    };
    assert_eq!(
        between("sometimesBy' 0.3 (fast 2) \"a*8\"", 0, 4),
        by("0.3", "fast 2")
    );
    for (name, amount) in [
        ("sometimes'", "0.5"),
        ("often'", "0.75"),
        ("rarely'", "0.25"),
        ("almostNever'", "0.1"),
        ("almostAlways'", "0.9"),
    ] {
        assert_eq!(
            between(&format!("{name} (fast 2) \"a*8\""), 0, 4),
            by(amount, "fast 2"),
            "{name}"
        );
    }
    // Unlike `sometimesBy`, the chance picks among the function's events: a faster copy keeps
    // events that start between the original's.
    assert!(between("sometimes' (fast 2) \"a*8\"", 0, 4)
        .iter()
        .any(|l| onset_and_value(l).0.denom() == 16));
}

/// `brand = _brandBy 0.5`, `_brandBy prob = fmap (< prob) rand`; `chooseBy`, `cycleChoose`
/// and `wchoose` read the same random stream.
#[test]
fn random_booleans_and_choices_read_the_random_stream() {
    for (expr, prob) in [("segment 8 $ brand", 0.5), ("segment 8 $ brandBy 0.3", 0.3)] {
        let events = between(expr, 0, 4);
        assert_eq!(events.len(), 32);
        for line in events {
            let (t, v) = onset_and_value(&line);
            let want = if pattern::time_to_rand(t) < prob {
                "t"
            } else {
                "f"
            };
            assert_eq!(v, want, "{expr}: {line}");
        }
    }
    let values = ["0", "2", "7"];
    for line in between("segment 8 $ chooseBy rand [0, 2, 7]", 0, 2) {
        let (t, v) = onset_and_value(&line);
        assert_eq!(
            v,
            values[(pattern::time_to_rand(t) * 3.0) as usize],
            "{line}"
        );
    }
    let cycles = between("cycleChoose [0, 2, 7]", 0, 16);
    assert_eq!(cycles.len(), 16);
    for line in &cycles {
        let (t, v) = onset_and_value(line);
        assert_eq!(t.denom(), 1, "one value a whole cycle: {line}");
        assert_eq!(
            v,
            values[(pattern::time_to_rand(t) * 3.0) as usize],
            "{line}"
        );
    }
    // `wchoose` picks the first value whose running total passes r × the sum of the weights.
    let mut seen = std::collections::HashMap::new();
    for line in between(
        "segment 16 $ wchoose [(0, 0.25), (2, 0.5), (7, 0.25)]",
        0,
        16,
    ) {
        let (t, v) = onset_and_value(&line);
        let r = pattern::time_to_rand(t);
        let want = if r < 0.25 {
            "0"
        } else if r < 0.75 {
            "2"
        } else {
            "7"
        };
        assert_eq!(v, want, "{line}");
        *seen.entry(v).or_insert(0) += 1;
    }
    assert!(seen["2"] > seen["0"] && seen["2"] > seen["7"], "{seen:?}");
}

/// `fadeOut dur p = innerJoin $ (\`_degradeBy\` p) <$> _slow dur envL`: an event survives when
/// its random value reaches the ramp (0 at cycle 0, 1 after `dur`) at its onset; `fadeIn`
/// mirrors it, and the `From` forms start the ramp later.
#[test]
fn fades_drop_more_events_as_the_ramp_rises() {
    let kept = |expr: &str, ramp: &dyn Fn(f64) -> f64| {
        let events = between(expr, 0, 8);
        let onsets: Vec<Time> = events.iter().map(|l| onset_and_value(l).0).collect();
        for k in 0..64 {
            let t = Time::new(k, 8);
            let survives = pattern::time_to_rand(t) >= ramp(t.to_f64());
            assert_eq!(onsets.contains(&t), survives, "{expr} at {t:?}");
        }
        events.len()
    };
    let out = kept("fadeOut 4 \"a*8\"", &|t| (t / 4.0).min(1.0));
    let late = kept("fadeOutFrom 2 4 \"a*8\"", &|t| {
        ((t - 2.0) / 4.0).clamp(0.0, 1.0)
    });
    let fade_in = kept("fadeIn 4 \"a*8\"", &|t| 1.0 - (t / 4.0).min(1.0));
    kept("fadeInFrom 2 4 \"a*8\"", &|t| {
        1.0 - ((t - 2.0) / 4.0).clamp(0.0, 1.0)
    });
    assert!(out < late && out < fade_in, "{out} {late} {fade_in}");
    assert!(between("fadeOut 4 \"a*8\"", 4, 8).is_empty());
}

/// `randStruct n` cuts each cycle into n parts whose lengths are 1, 2 or 3 shares of it
/// (Tidal's `randArcs`), numbered in order; `stripe n` squeezes a cycle of the pattern into
/// each part, and `slowstripe n` is `slow n . stripe n`.
#[test]
fn random_structures_cut_each_cycle_into_n_parts_of_one_to_three_shares() {
    for cycle in 0..8 {
        let parts = between("randStruct 5", cycle, cycle + 1);
        assert_eq!(parts.len(), 5, "{parts:?}");
        let mut spans: Vec<(Time, Time, String)> = parts
            .iter()
            .map(|l| {
                let mut it = l.trim_start_matches('[').split(&[',', ']'][..]);
                let begin = it.next().unwrap().trim().to_string();
                let end = it.next().unwrap().trim().to_string();
                (
                    support::time(&begin),
                    support::time(&end),
                    onset_and_value(l).1,
                )
            })
            .collect();
        spans.sort_by_key(|s| s.0);
        assert_eq!(spans[0].0, Time::from_int(cycle));
        assert_eq!(spans[4].1, Time::from_int(cycle + 1));
        let shortest = spans.iter().map(|s| s.1 - s.0).min().unwrap();
        for (i, (b, e, v)) in spans.iter().enumerate() {
            assert_eq!(v, &i.to_string());
            let shares = (*e - *b) / shortest;
            assert!(
                [1, 2, 3].iter().any(|&k| shares == Time::from_int(k)),
                "cycle {cycle}: {spans:?}"
            );
        }
        // `stripe` plays "a b" once in each part.
        let striped = between("stripe 5 \"a b\"", cycle, cycle + 1);
        assert_eq!(striped.len(), 10);
        let onsets: Vec<(Time, String)> = striped.iter().map(|l| onset_and_value(l)).collect();
        for (b, e, _) in &spans {
            let half = *b + (*e - *b) / Time::from_int(2);
            assert!(onsets.contains(&(*b, "a".to_string())), "{striped:?}");
            assert!(onsets.contains(&(half, "b".to_string())), "{striped:?}");
        }
    }
    // The same onsets (a patterned `slow` cuts events at cycle boundaries into fragments).
    let onsets = |expr: &str| -> Vec<(Time, String)> {
        let mut seen: Vec<(Time, String)> = between(expr, 0, 4)
            .iter()
            .map(|l| onset_and_value(l))
            .collect();
        seen.dedup();
        seen
    };
    assert_eq!(
        onsets("slowstripe 2 \"a b\""),
        onsets("slow 2 $ stripe 2 \"a b\"")
    );
}

/// `_gap n p = _fast n (cat [pure 1, silence]) |>| _chop n p`: Tidal's events, without the
/// `n: 1` its literal `pure 1` leaks into every sound (which would change each sample's
/// number).
#[test]
fn gap_keeps_every_other_chopped_part() {
    assert_eq!(
        between("gap 4 $ s \"a b\"", 0, 1),
        [
            "[0, 1/8] [0, 1/8] s: a, begin: 0, end: 0.25",
            "[1/2, 5/8] [1/2, 5/8] s: b, begin: 0, end: 0.25",
            "[1/8, 1/4] [1/8, 1/4] s: a, begin: 0.25, end: 0.5",
            "[5/8, 3/4] [5/8, 3/4] s: b, begin: 0.25, end: 0.5",
        ]
    );
}

/// `spreadChoose f vs p = do v <- _segment 1 (choose vs); f v p` (also `spreadr`): each cycle
/// the function gets a value chosen by the random stream at the cycle's start.
#[test]
fn spread_choose_picks_a_value_each_cycle_by_the_random_stream() {
    let factors = [1, 2, 4];
    for name in ["spreadChoose", "spreadr"] {
        for cycle in 0..16 {
            let events = between(&format!("{name} fast [1, 2, 4] \"a\""), cycle, cycle + 1);
            let r = pattern::time_to_rand(Time::from_int(cycle));
            assert_eq!(
                events.len(),
                factors[(r * 3.0) as usize],
                "{name} cycle {cycle}"
            );
        }
    }
}

/// `spread` gives the function one argument from the list; anything but a function that is
/// missing exactly that argument is refused with what was expected.
#[test]
fn spread_needs_a_function_missing_one_argument() {
    // `cat` plays each of its patterns' own cycles in turn: the slowed copy's first cycle, then
    // its second.
    assert_eq!(grid("spread slow [1, 2] \"a b\"", 4), "|ab|a-|ab|b-|");
    assert_eq!(grid("spread (rotR) [0.25] \"a b\"", 1), "|.a-b|");
    for (expr, wanted) in [
        (
            "spread rev [1, 2] \"a b\"",
            "a function missing one argument",
        ),
        (
            "spread (fast 2) [1, 2] \"a b\"",
            "a function missing one argument",
        ),
        ("spread fast [s \"bd\"] \"a b\"", "not a sound pattern"),
    ] {
        let source = Source::new("query", expr);
        let Err(d) = query::evaluate(&source, &Registry::standard(), ValueType::Untyped) else {
            panic!("{expr} compiled");
        };
        let shown = source.render(&d[0]);
        assert!(shown.contains(wanted), "{expr}: {shown}");
    }
}

/// Tidal's seed helpers; the figures are what Tidal 1.7.10's ghci prints for
/// `timeToIntSeed (0.3 :: Double)` and `intSeedToRand 123456789`.
#[test]
fn the_seed_helpers_give_tidals_numbers() {
    assert_eq!(lines("timeToIntSeed 0.3"), ["[0, 1] [0, 1] 145016108080"]);
    assert_eq!(
        lines("intSeedToRand 123456789"),
        ["[0, 1] [0, 1] 0.22995618917047977"]
    );
}

/// `double = echo = stutter 2`, and `samples'` is `samples` with its arguments the other way.
#[test]
fn double_and_samples_flipped_are_their_definitions() {
    assert_eq!(
        between("double 0.25 \"a b\"", 0, 2),
        between("stutter 2 0.25 \"a b\"", 0, 2)
    );
    assert_eq!(
        between("samples' \"<0 3> 1\" \"a b\"", 0, 2),
        between("samples \"a b\" \"<0 3> 1\"", 0, 2)
    );
}

/// `degradeOverBy i tx p`: an event stays when its random value, read from the stream's cycle
/// `c / i`, is above the amount, so each run of `i` cycles makes the same choices.
#[test]
fn degrade_over_by_repeats_its_choices_over_its_cycles() {
    let kept = |cycle: i64| -> Vec<Time> {
        let mut onsets: Vec<Time> = between("degradeOverBy 2 0.5 \"a*8\"", cycle, cycle + 1)
            .iter()
            .map(|l| onset_and_value(l).0 - Time::from_int(cycle))
            .collect();
        onsets.sort();
        onsets
    };
    for c in [0, 2, 4] {
        assert_eq!(kept(c), kept(c + 1), "cycles {c} and {}", c + 1);
        for line in between("degradeOverBy 2 0.5 \"a*8\"", c, c + 1) {
            let (t, _) = onset_and_value(&line);
            let within = t - t.floor();
            assert!(
                pattern::time_to_rand(Time::from_int(c / 2) + within) > 0.5,
                "{line}"
            );
        }
    }
    assert_ne!(kept(0), kept(2), "another pair of cycles, other choices");
}

/// `smooth` glides from each value to the next: halfway through "0 1"'s first step it is 0.5.
#[test]
fn smooth_glides_between_values() {
    let source = Source::new("query", "smooth \"0 1\"");
    let p = query::evaluate(&source, &Registry::standard(), ValueType::Untyped).unwrap();
    let at = |t: Time| {
        query::render(&p, Span::new(t, t + Time::new(1, 1000)), Format::Text)
            .rsplit(' ')
            .next()
            .unwrap()
            .trim()
            .parse::<f64>()
            .unwrap()
    };
    assert_eq!(at(Time::ZERO), 0.0);
    assert_eq!(at(Time::new(1, 4)), 0.5);
    assert_eq!(at(Time::new(1, 2)), 1.0);
    // From the last value on, towards the next cycle's first.
    assert_eq!(at(Time::new(3, 4)), 0.5);
}

/// `randslice n`: each event plays the part of its sample the random stream picks at its onset.
#[test]
fn randslice_picks_a_part_by_the_random_stream() {
    for line in between("randslice 4 $ s \"a*8\"", 0, 2) {
        let (t, value) = onset_and_value(&line);
        let k = (pattern::time_to_rand(t) * 4.0).floor();
        let want = format!("begin: {}, end: {}", k / 4.0, (k + 1.0) / 4.0);
        assert!(value.contains(&want), "{line}: {want}");
    }
}

/// `interlace a b = weave 16 (shape (sine * 0.9)) [a, b]` (in a patch `sine * 0.9` is audio, so
/// the test scales Tidal's 0..1 sine with `range`); `perlin2` is `perlin2With` of time,
/// 0.5 on the whole numbers of both.
#[test]
fn interlace_and_perlin2_are_their_definitions() {
    assert_eq!(
        between("interlace (s \"a b\") $ s \"c*3\"", 0, 4),
        between(
            "weave 16 (shape (range 0 0.9 sine)) [s \"a b\", s \"c*3\"]",
            0,
            4
        )
    );
    let source = Source::new("query", "perlin2 3");
    let p = query::evaluate(&source, &Registry::standard(), ValueType::Untyped).unwrap();
    let shown = query::render(
        &p,
        Span::new(Time::from_int(2), Time::from_int(2)),
        Format::Text,
    );
    assert!(shown.trim().ends_with(" 0.5"), "{shown}");
}

/// `tabby` builds n² parts of its patterns, so its thread count is bounded with a clear error.
#[test]
fn tabby_refuses_more_threads_than_it_weaves() {
    let source = Source::new("query", "tabby 1000 \"a\" \"b\"");
    let Err(d) = query::evaluate(&source, &Registry::standard(), ValueType::Untyped) else {
        panic!("compiled");
    };
    assert!(source.render(&d[0]).contains("at most 64 threads"));
}

/// `degradeBy` with a pattern of amounts reads the amount at each onset, even one that holds
/// a whole cycle at a time (`"<0 1>"`: keep all, then drop all).
#[test]
fn degrade_by_follows_a_patterned_amount() {
    assert_eq!(between("degradeBy \"<0 1>\" \"a*4\"", 0, 2).len(), 4);
    assert_eq!(
        between("degradeBy \"<0 1>\" \"a*4\"", 0, 2),
        between("degradeBy 0 \"a*4\"", 0, 1)
    );
    assert_eq!(between("unDegradeBy \"<0 1>\" \"a*4\"", 1, 2).len(), 4);
}

/// Tidal's operators on control patterns (`Map.unionWith`): controls both sides set combine,
/// the others are kept; ghci (Tidal 1.7.10) gives these events.
#[test]
fn operators_combine_control_patterns_control_by_control() {
    assert_eq!(
        lines(r#"n "0 2" + n "<12 7>""#),
        [
            "[0, 1/2] [0, 1/2] s: , n: 12",
            "[1/2, 1] [1/2, 1] s: , n: 14"
        ]
    );
    assert_eq!(
        lines(r#"(s "bd" # n 1) |+| n "2 3""#),
        [
            "[0, 1/2] [0, 1/2] s: bd, n: 3",
            "[1/2, 1] [1/2, 1] s: bd, n: 4"
        ]
    );
    assert_eq!(
        lines(r#"(s "bd" # gain 1) |* gain "0.5 1""#),
        [
            "[0, 1] [0, 1/2] s: bd, gain: 0.5",
            "[0, 1] [1/2, 1] s: bd, gain: 1"
        ]
    );
}

/// Bare numbers after a control apply to its values: `# gain 1 *| "0.5 0.8 1"` is
/// `# gain (1 *| "0.5 0.8 1")`, `# note "c4" |+ "0 12 24"` an octave spread.
#[test]
fn numbers_after_a_control_apply_to_its_values() {
    assert_eq!(
        lines(r#"gain 1 *| "0.5 0.8 1""#),
        [
            "[0, 1/3] [0, 1/3] s: , gain: 0.5",
            "[1/3, 2/3] [1/3, 2/3] s: , gain: 0.8",
            "[2/3, 1] [2/3, 1] s: , gain: 1"
        ]
    );
    assert_eq!(
        lines(r#"s "bd" # note "c4" |+ "0 12 24""#),
        [
            "[0, 1] [0, 1/3] s: bd, note: -12",
            "[0, 1] [1/3, 2/3] s: bd, note: 0",
            "[0, 1] [2/3, 1] s: bd, note: 12"
        ]
    );
    assert_eq!(
        lines(r#""0 12" + note "c4""#),
        [
            "[0, 1/2] [0, 1/2] s: , note: -12",
            "[1/2, 1] [1/2, 1] s: , note: 0"
        ]
    );
}
