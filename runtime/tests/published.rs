//! What the engine publishes for patterns to read: its tempo (`_cps`) and the cycle it plays
//! (`_cycle`), in the process's table of named values, which Tidal's `sec`, `msec`, `cF` and
//! the triggers read. One engine in this test binary, so nothing else writes the table.

mod common;
use common::*;
use dsp::named::{NamedValues, CPS, CYCLE};

/// The engine writes its tempo and cycle into the table every block; a patch's `cF` reads what
/// a controller sets there while it plays, with no reload.
#[test]
fn the_engine_publishes_its_tempo_and_cycle_and_patterns_hear_set_values() {
    let (mut engine, mut controller) = engine(2, 256);
    controller
        .load(&compile(
            "cps: 0.75\nout: sine (cF 440 \"published-tone\") * 0.2\n",
        ))
        .unwrap();
    let table = NamedValues::shared();
    let read = |name: &str| table.slot(name).map(|k| table.get(k)).unwrap();
    let mut left = Vec::new();
    for _ in 0..80 {
        left.extend(block(&mut engine, 256)[0].clone());
    }
    assert_eq!(read(CPS), 0.75);
    let last_block_start = engine.cycle().to_f64() - 256.0 / f64::from(RATE) * 0.75;
    assert!(
        (f64::from(read(CYCLE)) - last_block_start).abs() < 1e-4,
        "{} against {last_block_start}",
        read(CYCLE)
    );
    assert!(tone(&left[8_192..], 440.0) > 0.05, "the default plays");

    assert!(controller.named().set("published-tone", 660.0));
    let mut left = Vec::new();
    for _ in 0..80 {
        left.extend(block(&mut engine, 256)[0].clone());
    }
    let (new, old) = (tone(&left[2_048..], 660.0), tone(&left[2_048..], 440.0));
    assert!(new > 0.05 && old < 1e-2 * new, "660 Hz {new}, 440 Hz {old}");
}
