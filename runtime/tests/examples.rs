//! Every bundled example renders sound, with onsets where its patterns put them, and renders
//! bit-identically with 1, 2 and 4 workers.

mod common;
use common::*;
use runtime::Length;

/// How sharply the level rises at `at`: the RMS of the 10 ms after it over the RMS of the 50 ms
/// before (ending 5 ms early, so an onset a few frames off still counts).
fn rise(x: &[f32], at: usize) -> f32 {
    let after = rms(&x[at..at + 441]);
    let before = rms(&x[at.saturating_sub(2_425)..at.saturating_sub(220)]);
    after / before.max(1e-5)
}

/// Frame of cycle position `c` at `cps`.
fn frame(c: f64, cps: f64) -> usize {
    (c / cps * RATE as f64).round() as usize
}

/// The mono mix, and the mix differentiated: a crude high-pass that makes attacks stand out
/// from the sustained low end of earlier sounds. An onset is a rise in either.
fn bands(out: &[Vec<f32>; 2]) -> [Vec<f32>; 2] {
    let mono: Vec<f32> = out[0]
        .iter()
        .zip(&out[1])
        .map(|(l, r)| 0.5 * (l + r))
        .collect();
    let high = std::iter::once(0.0)
        .chain(mono.windows(2).map(|w| w[1] - w[0]))
        .collect();
    [mono, high]
}

/// Renders `name` for `cycles` and checks its level and the onsets at `positions` (cycle
/// positions within each cycle) rise by at least `min_rise`.
fn check(name: &str, cycles: usize, positions: &[f64], min_rise: f32) {
    let graph = example(name);
    let cps = graph.cps;
    let out = render(&graph, Length::Cycles(cycles as f64), 512, 1);
    assert!(out[0].iter().chain(&out[1]).all(|v| v.is_finite()));
    let level = rms(&out[0]).min(rms(&out[1]));
    assert!(level > 0.01, "{name} is nearly silent: RMS {level}");
    assert!(
        peak(&out[0]).max(peak(&out[1])) < 0.99,
        "{name} reaches full scale"
    );
    let [low, high] = bands(&out);
    for cycle in 0..cycles {
        for &p in positions {
            let at = frame(cycle as f64 + p, cps);
            if at < 2_500 || at + 441 > low.len() {
                continue;
            }
            let r = rise(&low, at).max(rise(&high, at));
            assert!(
                r >= min_rise,
                "{name}: no onset at cycle {}: rise {r}",
                cycle as f64 + p
            );
        }
    }
}

#[test]
fn house_has_a_kick_on_every_beat() {
    check("house.ph", 3, &[0.0, 0.25, 0.5, 0.75], 3.0);
}

#[test]
fn techno_has_a_kick_on_every_beat() {
    check("techno.ph", 3, &[0.0, 0.25, 0.5, 0.75], 2.0);
}

#[test]
fn dub_kicks_where_its_pattern_says() {
    // "bd ~ ~ [~ bd] ~ ~ bd ~": eighths 0, 3.5 and 6.
    check("dub.ph", 3, &[0.0, 3.5 / 8.0, 6.0 / 8.0], 1.5);
}

#[test]
fn ambient_rings_its_bells() {
    // "~ c5 ~ [g5 e5]" over sustained chords: the notes after rests.
    check("ambient.ph", 2, &[0.25, 0.75], 1.5);
}

#[test]
fn stress_plays_every_thirty_second() {
    // Too dense for single onsets to stand out (every kick overlaps a dozen others), so fold the
    // attack energy over one thirty-second of a cycle: it must peak right at the grid.
    check("stress.ph", 1, &[], 0.0);
    let graph = example("stress.ph");
    let out = render(&graph, Length::Cycles(2.0), 512, 1);
    let [_, high] = bands(&out);
    let period = RATE as f64 / graph.cps / 32.0;
    let bins = 32;
    let mut folded = vec![0.0f64; bins];
    for (i, x) in high.iter().enumerate() {
        let phase = (i as f64 % period) / period;
        folded[(phase * bins as f64) as usize % bins] += f64::from(x * x);
    }
    let strongest = (0..bins)
        .max_by(|&a, &b| folded[a].total_cmp(&folded[b]))
        .unwrap();
    let mut sorted = folded.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[bins / 2];
    assert!(
        strongest <= 1,
        "attacks peak {strongest}/{bins} of the way between the onsets"
    );
    assert!(
        folded[strongest] > 2.0 * median,
        "no clear attacks: {folded:?}"
    );
}

#[test]
fn one_two_and_four_workers_render_the_same_bits() {
    for name in ["house.ph", "techno.ph", "ambient.ph", "dub.ph", "stress.ph"] {
        let graph = example(name);
        let one = render(&graph, Length::Seconds(3.0), 256, 1);
        for threads in [2, 4] {
            let many = render(&graph, Length::Seconds(3.0), 256, threads);
            for c in 0..2 {
                assert!(
                    one[c]
                        .iter()
                        .zip(&many[c])
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{name}: {threads} workers differ from one"
                );
            }
        }
    }
}
