//! Program swaps: the beat continues exactly, surviving nodes keep their state, the crossfade
//! hides the change.

mod common;
use common::*;
use pattern::Time;

/// Plays blocks until the engine has swapped in generation `g` and finished the crossfade.
fn play_until(engine: &mut runtime::Engine, g: u64, frames: usize, out: &mut [Vec<f32>; 2]) {
    for _ in 0..1000 {
        let [l, r] = block(engine, frames);
        out[0].extend(l);
        out[1].extend(r);
        if engine.generation() == g && !engine.swapping() {
            return;
        }
    }
    panic!("generation {g} never played");
}

#[test]
fn the_cycle_position_continues_across_swaps() {
    let (mut engine, mut controller) = engine(1, 512);
    let a = compile("cps: 0.5\nout: s \"bd*4\"");
    let b = compile("cps: 0.75\nout: s \"bd*8\" # gain 0.5");
    controller.load(&a).unwrap();
    let mut expected = Time::ZERO;
    for i in 0..40 {
        if i == 13 {
            controller.load(&b).unwrap();
        }
        assert_eq!(engine.cycle(), expected, "block {i}");
        block(&mut engine, 300);
        let cps = if i >= 13 {
            Time::new(3, 4)
        } else {
            Time::new(1, 2)
        };
        expected = expected + Time::new(300, RATE as i64) * cps;
    }
}

#[test]
fn onsets_stay_on_the_grid_across_a_swap() {
    // The kick keeps its frames through a swap that changes everything else.
    let (mut engine, mut controller) = engine(1, 256);
    controller
        .load(&compile("cps: 0.5\nout: s \"bd*4\" # gain 0.8"))
        .unwrap();
    let mut out = [Vec::new(), Vec::new()];
    for _ in 0..100 {
        let [l, _] = block(&mut engine, 256);
        out[0].extend(l);
    }
    let g = controller
        .load(&compile(
            "cps: 0.5\nout: (s \"bd*4\" # gain 0.8) + (s \"hh*8\" # gain 0.01)",
        ))
        .unwrap();
    play_until(&mut engine, g, 256, &mut out);
    for _ in 0..300 {
        let [l, _] = block(&mut engine, 256);
        out[0].extend(l);
    }
    // A kick every quarter cycle: 22,050 frames at 0.5 cps.
    let quarter = 22_050;
    for k in 1..(out[0].len() / quarter) {
        let at = k * quarter;
        let before = rms(&out[0][at - 200..at]);
        let after = rms(&out[0][at..at + 200]);
        assert!(
            after > 10.0 * before.max(1e-4),
            "kick {k}: {before} -> {after}"
        );
        assert!(out[0][at - 1].abs() < 0.02, "kick {k} starts early");
    }
}

#[test]
fn a_swap_in_the_middle_of_a_note_does_not_click() {
    // A held note through a filter; the edit changes the cutoff. The filter and the voice survive
    // the edit (same statement, same positions), so the waveform continues. Threshold: no step
    // may exceed 1.5 times the largest step the note makes on its own before the swap: anything
    // above the signal's own steepest slope would be a discontinuity, i.e. a click.
    for frames in [64, 512] {
        let (mut engine, mut controller) = engine(2, frames);
        controller
            .load(&compile(
                "cps: 0.25\nout: saw \"c3\" # lpf 800 0.7 # gain 0.5",
            ))
            .unwrap();
        let mut out = [Vec::new(), Vec::new()];
        while out[0].len() < 30_000 {
            let [l, r] = block(&mut engine, frames);
            out[0].extend(l);
            out[1].extend(r);
        }
        let own = max_step(&out[0][10_000..]);
        let swap_at = out[0].len();
        let g = controller
            .load(&compile(
                "cps: 0.25\nout: saw \"c3\" # lpf 1000 0.7 # gain 0.5",
            ))
            .unwrap();
        play_until(&mut engine, g, frames, &mut out);
        while out[0].len() < swap_at + 4_000 {
            let [l, r] = block(&mut engine, frames);
            out[0].extend(l);
            out[1].extend(r);
        }
        let around = &out[0][swap_at - 1..swap_at + 2_000];
        let step = max_step(around);
        assert!(
            step <= 1.5 * own,
            "{frames}: step {step} vs the note's own {own}"
        );
        assert!(rms(around) > 0.5 * rms(&out[0][10_000..swap_at]), "no dip");
    }
}

#[test]
fn replacing_a_sound_crossfades_without_a_click() {
    // The new patch shares nothing with the old one: a sine at 220 Hz becomes one at 330 Hz.
    // Without the fade the step would be up to twice the amplitude; with it, no step may exceed
    // the steeper sine's own largest step (2π·330/44100 × 0.5 ≈ 0.0235) plus 50%.
    let (mut engine, mut controller) = engine(1, 128);
    controller.load(&compile("out: sine 220 * 0.5")).unwrap();
    let mut out = [Vec::new(), Vec::new()];
    for _ in 0..50 {
        let [l, _] = block(&mut engine, 128);
        out[0].extend(l);
    }
    let swap_at = out[0].len();
    let g = controller
        .load(&compile("~x: sine 330\nout: ~x * 0.5"))
        .unwrap();
    play_until(&mut engine, g, 128, &mut out);
    let limit = 1.5 * std::f32::consts::TAU * 330.0 / RATE as f32 * 0.5;
    let step = max_step(&out[0][swap_at - 1..]);
    assert!(step <= limit, "step {step} > {limit}");
}

#[test]
fn delay_lines_ring_on_across_an_edit() {
    // An echo whose source stops: after an edit that only changes the dry level, the tail of the
    // delay line (its state) must keep sounding rather than restart empty.
    let (mut engine, mut controller) = engine(1, 512);
    let patch = |level: f32| {
        compile(&format!(
            "cps: 0.5\n~dry: s \"bd ~ ~ ~\" # gain {level}\nout: ~dry # delay 0.25 0.7 1"
        ))
    };
    controller.load(&patch(1.0)).unwrap();
    let mut out = [Vec::new(), Vec::new()];
    // Past the kick, into its echoes (the kick is at 0, echoes every 0.25 s).
    while out[0].len() < 40_000 {
        let [l, _] = block(&mut engine, 512);
        out[0].extend(l);
    }
    let g = controller.load(&patch(0.9)).unwrap();
    play_until(&mut engine, g, 512, &mut out);
    let start = out[0].len();
    while out[0].len() < start + 11_025 {
        let [l, _] = block(&mut engine, 512);
        out[0].extend(l);
    }
    // The next echo arrives on time, from the carried delay line.
    assert!(peak(&out[0][start..]) > 0.05, "the echo tail was lost");
}

/// Muting an output by name silences it in the mix over 10 ms, without a click, and leaves the
/// others; a reload keeps it muted; unmuting brings it back the same way.
#[test]
fn a_muted_output_glides_out_of_the_mix_and_stays_muted_across_a_reload() {
    let (mut engine, mut controller) = engine(1, 256);
    let patch = "out1: sine 440 * 0.2\nout2: sine 110 * 0.2\n";
    controller.load(&compile(patch)).unwrap();
    let run = |engine: &mut runtime::Engine, blocks: usize| {
        let mut left = Vec::new();
        for _ in 0..blocks {
            left.extend(block(engine, 256)[0].clone());
        }
        left
    };
    let both = run(&mut engine, 20);
    controller.set_muted(&["out1".to_string()]);
    let muting = run(&mut engine, 20);
    let after = &muting[2_048..];
    assert!(tone(&both[1_024..], 440.0) > 0.1, "both play at first");
    assert!(
        tone(after, 440.0) < 1e-4,
        "lead muted: {}",
        tone(after, 440.0)
    );
    assert!(
        tone(after, 110.0) > 0.1,
        "bass plays on: {}",
        tone(after, 110.0)
    );
    // A glide, not a step: no sample moves more than the two sines can in one frame.
    let mut joined = both.clone();
    joined.extend(&muting);
    assert!(max_step(&joined) < 0.05, "{}", max_step(&joined));
    // Reloaded, it stays muted; unmuted, it comes back.
    controller.load(&compile(patch)).unwrap();
    let reloaded = run(&mut engine, 40);
    assert!(tone(&reloaded[8_192..], 440.0) < 1e-4);
    controller.set_muted(&[]);
    let back = run(&mut engine, 20);
    assert!(tone(&back[2_048..], 440.0) > 0.1);
}

/// `ctrl "name" default` plays its default until a controller sets the name, then glides to
/// the value, and keeps it across a reload.
#[test]
fn a_named_value_is_its_default_until_a_controller_sets_it() {
    let (mut engine, mut controller) = engine(1, 256);
    let patch = compile("out: ctrl \"level\" 0.25\n");
    controller.load(&patch).unwrap();
    let last = |engine: &mut runtime::Engine| {
        let mut left = Vec::new();
        for _ in 0..8 {
            left = block(engine, 256)[0].clone();
        }
        *left.last().unwrap()
    };
    let before = last(&mut engine);
    assert!(controller.named().set("level", 0.5));
    let after = last(&mut engine);
    controller.load(&patch).unwrap();
    let reloaded = last(&mut engine);
    // Through the master's soft clip, which is linear below 0.8.
    assert!((before - 0.25).abs() < 1e-4, "{before}");
    assert!((after - 0.5).abs() < 1e-4, "{after}");
    assert!((reloaded - 0.5).abs() < 1e-4, "{reloaded}");
}

#[test]
fn a_pair_no_program_uses_is_silent_and_naming_it_again_fills_it() {
    let patch = compile("d1: sine 440 * 0.2\nd2: sine 660 * 0.2\n");
    let (mut engine, mut controller) = runtime::engine(
        runtime::EngineConfig {
            sample_rate: RATE,
            max_block: 256,
            output_pairs: 64,
            output_names: vec!["d1".into(), "d2".into()],
            ..runtime::EngineConfig::default()
        },
        bank(),
    )
    .expect("engine starts");
    // Stale samples in every channel before each block: the engine must write each one.
    let mut channels = vec![vec![9.0f32; 256]; 6];
    let run = |engine: &mut runtime::Engine, channels: &mut Vec<Vec<f32>>, blocks: usize| {
        for _ in 0..blocks {
            for c in channels.iter_mut() {
                c.fill(9.0);
            }
            let mut outs: Vec<&mut [f32]> = channels.iter_mut().map(|c| &mut c[..]).collect();
            engine.process(256, &[], &mut outs);
        }
    };
    controller.load(&patch).unwrap();
    run(&mut engine, &mut channels, 4);
    assert!(
        rms(&channels[2]) > 0.1 && rms(&channels[4]) > 0.1,
        "both pairs play"
    );
    // The next program writes pair 0 only: pair 1 falls silent, nothing of before is left.
    controller.set_output_names(vec!["d1".into()]);
    controller.load(&patch).unwrap();
    run(&mut engine, &mut channels, 8);
    assert!(rms(&channels[2]) > 0.1, "pair 0 plays on");
    assert!(
        channels[4].iter().chain(&channels[5]).all(|&x| x == 0.0),
        "pair 1 is silent"
    );
    controller.set_output_names(vec!["d1".into(), "d2".into()]);
    controller.load(&patch).unwrap();
    run(&mut engine, &mut channels, 8);
    assert!(
        rms(&channels[4]) > 0.1,
        "pair 1 plays again once a program names it"
    );
}
