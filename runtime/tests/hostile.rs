//! Overload is a state, not a freeze: a pattern too dense to play renders in bounded time and
//! memory, is cut at the per-block query budget (the block plays what was complete when it ran
//! out, possibly nothing, of that pattern) and is counted; the rest of the patch plays on.

mod common;

use common::{bank, compile, RATE};
use runtime::render::run_offline;
use runtime::{Length, RenderSettings};

#[test]
fn a_runaway_pattern_is_cut_at_the_budget_and_counted() {
    // Every literal factor is within bounds, so `check` accepts it; together they ask for
    // 6.4e10 events a cycle, which only the query budget stops.
    let graph = compile(
        "out1: fast \"<1 4000>\" $ fast 4000 $ s \"bd*4000\" # gain 0.001\nout2: s \"bd\"\n",
    );
    let settings = RenderSettings {
        sample_rate: RATE,
        block_size: 512,
        threads: 2,
        length: Length::Cycles(2.0),
        ..RenderSettings::default()
    };
    let mut peak = 0.0f32;
    let summary = run_offline(
        &graph,
        bank(),
        &settings,
        Vec::new(),
        |block, frames| {
            for channel in block.iter().take(2) {
                for x in &channel[..frames] {
                    assert!(x.is_finite());
                    peak = peak.max(x.abs());
                }
            }
            Ok::<(), std::convert::Infallible>(())
        },
        &mut |_, _| {},
    )
    .expect("renders");
    assert!(summary.cut_queries > 0, "{summary:?}");
    assert!(peak > 0.1, "the rest of the patch plays on: peak {peak}");
    // The arenas may grow once to the budget's size, never without bound.
    assert!(summary.arena_growths <= 8, "{summary:?}");
    eprintln!(
        "cut in {} node blocks, arena growths {}, peak {peak}",
        summary.cut_queries, summary.arena_growths
    );
}

#[test]
fn a_dense_but_playable_pattern_is_never_cut() {
    let graph = compile("out: s \"bd*256 hh*256\" # gain 0.01\n");
    let settings = RenderSettings {
        sample_rate: RATE,
        block_size: 4096,
        threads: 1,
        length: Length::Cycles(1.0),
        ..RenderSettings::default()
    };
    let summary = run_offline(
        &graph,
        bank(),
        &settings,
        Vec::new(),
        |_, _| Ok::<(), std::convert::Infallible>(()),
        &mut |_, _| {},
    )
    .expect("renders");
    assert_eq!(summary.cut_queries, 0, "{summary:?}");
}

#[test]
fn a_generated_patch_summing_ten_thousand_buses_renders() {
    // A sum is evaluated in a loop, not as nesting: this was an error past 128 terms.
    let mut text: String = (0..10_000)
        .map(|k| {
            format!(
                "~b{k}: {} * 0.0001\n",
                if k % 2 == 0 { "1" } else { "sine 50" }
            )
        })
        .collect();
    let terms: Vec<String> = (0..10_000).map(|k| format!("~b{k}")).collect();
    text.push_str(&format!("out: {}\n", terms.join(" + ")));
    let graph = compile(&text);
    let [left, right] = common::render(&graph, Length::Seconds(0.01), 256, 2);
    assert_eq!(left.len(), (RATE as f64 * 0.01).round() as usize);
    // 5,000 constants of 0.0001 and 5,000 sines at 50 Hz starting from phase 0.
    assert!((left[0] - 0.5).abs() < 1e-3, "{}", left[0]);
    let expected = 0.5 + 0.5 * (std::f32::consts::TAU * 50.0 * 100.0 / RATE as f32).sin();
    assert!(
        (left[100] - expected).abs() < 1e-2,
        "{} vs {expected}",
        left[100]
    );
    assert_eq!(left, right);
}
