//! What each SuperDirt parameter does to the sound, measured on the engine's output: onsets to
//! the frame, levels, panning, rate and direction, length, cut groups, orbits, the orbit
//! effects, and that 1 and 2 workers give the same bits.

mod common;

use common::*;
use dirt::Param;
use std::f32::consts::FRAC_PI_4;

fn near(a: f32, b: f32, tolerance: f32) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn an_event_starts_on_its_frame_at_amp_times_gain_to_the_fourth_panned_equal_power() {
    let (mut engine, mut sender, stats, table) = engine(1, 2);
    // Frame 1,000 falls inside the fourth block of 256.
    sender.send(event(&table, "click", 1_000, 0, &[]));
    sender.send(event(
        &table,
        "click",
        3_000,
        0,
        &[(Param::Gain, 1.2), (Param::Pan, 0.0)],
    ));
    let out = render(&mut engine, 4_096, 256);
    let left = &out[0];
    assert_eq!(onset(left, 1e-6), Some(1_000));
    // amp 0.4, gain 1, centre: 0.4 cos(π/4).
    assert!(
        near(left[1_000], 0.4 * FRAC_PI_4.cos(), 1e-6),
        "{}",
        left[1_000]
    );
    assert!(near(out[1][1_000], 0.4 * FRAC_PI_4.sin(), 1e-6));
    // gain 1.2 hard left: 0.4 × 1.2⁴ on the left, nothing on the right.
    assert_eq!(onset(&left[2_000..], 1e-6), Some(1_000));
    assert!(
        near(left[3_000], 0.4 * 1.2f32.powi(4), 1e-5),
        "{}",
        left[3_000]
    );
    assert!(out[1][3_000].abs() < 1e-6);
    // The orbit's own pair carries the same; orbit 1 is silent.
    assert_eq!(out[2][1_000], left[1_000]);
    assert!(out[4].iter().all(|&x| x == 0.0));
    assert_eq!(stats.played.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[test]
fn speed_note_and_reverse_set_rate_and_direction() {
    let (mut engine, mut sender, _, table) = engine(1, 1);
    sender.send(event(
        &table,
        "ramp",
        0,
        0,
        &[(Param::Speed, 2.0), (Param::Pan, 0.0)],
    ));
    sender.send(event(
        &table,
        "ramp",
        2_000,
        0,
        &[(Param::Note, 12.0), (Param::Pan, 0.0)],
    ));
    sender.send(event(
        &table,
        "ramp",
        4_000,
        0,
        &[(Param::Speed, -1.0), (Param::Pan, 0.0)],
    ));
    let out = render(&mut engine, 6_000, 128);
    let level = 0.4;
    let l = &out[0];
    // Twice as fast: 500 frames long, frame 100 reads sample 200.
    assert!(near(l[100], level * 0.2, 1e-5), "{}", l[100]);
    assert!(l[499].abs() > 0.0 && l[501] == 0.0, "{} {}", l[499], l[501]);
    // An octave up is the same.
    assert!(near(l[2_100], level * 0.2, 1e-5));
    // Backwards from the end.
    assert!(near(l[4_000], level * 0.999, 1e-4), "{}", l[4_000]);
    assert!(near(l[4_100], level * 0.899, 1e-4), "{}", l[4_100]);
}

#[test]
fn begin_end_legato_and_sustain_set_what_plays_and_how_long() {
    let (mut engine, mut sender, _, table) = engine(1, 1);
    let hard_left = (Param::Pan, 0.0);
    sender.send(event(
        &table,
        "ramp",
        0,
        0,
        &[(Param::Begin, 0.5), hard_left],
    ));
    sender.send(event(
        &table,
        "ramp",
        2_000,
        0,
        &[(Param::End, 0.25), hard_left],
    ));
    // legato 1 × delta 0.005 s = 240 frames; sustain 0.002 s = 96 frames.
    sender.send(event(
        &table,
        "tone",
        4_000,
        0,
        &[(Param::Legato, 1.0), (Param::Delta, 0.005), hard_left],
    ));
    sender.send(event(
        &table,
        "tone",
        8_000,
        0,
        &[(Param::Sustain, 0.002), hard_left],
    ));
    let out = render(&mut engine, 10_000, 256);
    let l = &out[0];
    assert!(
        near(l[0], 0.4 * 0.5, 1e-5),
        "begin 0.5 starts half-way: {}",
        l[0]
    );
    assert!(l[499] != 0.0 && l[500] == 0.0, "and plays the other half");
    assert!(
        near(l[2_249], 0.4 * 0.249, 1e-4) && l[2_250] == 0.0,
        "end 0.25"
    );
    let last = |from: usize| {
        from + l[from..from + 2_000]
            .iter()
            .rposition(|x| *x != 0.0)
            .unwrap()
    };
    assert!(
        (4_238..=4_240).contains(&last(4_000)),
        "legato: {}",
        last(4_000)
    );
    assert!(
        (8_094..=8_096).contains(&last(8_000)),
        "sustain: {}",
        last(8_000)
    );
}

#[test]
fn a_cut_group_silences_the_earlier_voice_and_a_negative_one_only_the_same_sample() {
    let (mut engine, mut sender, _, table) = engine(1, 2);
    let left = (Param::Pan, 0.0);
    // The tone is cut by a later event of group 1.
    sender.send(event(&table, "tone", 0, 0, &[(Param::Cut, 1.0), left]));
    sender.send(event(&table, "two", 1_000, 0, &[(Param::Cut, 1.0), left]));
    // Group -1: a different sample does not cut; the same one does.
    sender.send(event(&table, "two", 0, 1, &[(Param::Cut, -1.0), left]));
    sender.send(event(
        &table,
        "two",
        1_000,
        1,
        &[(Param::Cut, -1.0), (Param::N, 1.0), left],
    ));
    sender.send(event(&table, "two", 2_000, 1, &[(Param::Cut, -1.0), left]));
    let out = render(&mut engine, 4_000, 256);
    let (o0, o1) = (&out[2], &out[4]);
    // After a 4 ms fade only "two" (0.5 × 0.4) sounds on orbit 0.
    assert!(o0[1_000..1_300].iter().any(|&x| near(x, 0.2, 1e-5)));
    assert!(near(o0[1_500], 0.2, 1e-5), "{}", o0[1_500]);
    // Orbit 1: both files sound together until the first is cut by its own repeat.
    assert!(near(o1[1_500], 0.2 + 0.1, 1e-5), "{}", o1[1_500]);
    assert!(near(o1[2_500], 0.2 + 0.1, 1e-5), "{}", o1[2_500]);
    assert!(
        o1[2_100] < 0.3 + 0.2,
        "the first 'two' fades rather than adding up"
    );
}

#[test]
fn delay_and_room_sends_feed_the_orbits_own_effects() {
    let (mut engine, mut sender, _, table) = engine(1, 2);
    sender.send(event(
        &table,
        "click",
        0,
        0,
        &[
            (Param::Delay, 1.0),
            (Param::Delaytime, 0.1),
            (Param::Delayfeedback, 0.0),
        ],
    ));
    sender.send(event(
        &table,
        "click",
        0,
        1,
        &[(Param::Room, 1.0), (Param::Size, 0.8)],
    ));
    let out = render(&mut engine, 24_000, 256);
    let o0 = &out[2];
    // The echo 4,800 frames later.
    let echo = 4_700 + onset(&o0[4_700..], 0.01).expect("an echo");
    assert!((4_799..=4_801).contains(&echo), "echo at {echo}");
    // The reverb: a tail long after the 64-frame click.
    let tail: f32 = out[4][4_800..24_000].iter().map(|x| x * x).sum();
    assert!(tail > 1e-4, "reverb tail energy {tail}");
    assert!(out[4][..2_000].iter().all(|x| x.is_finite()));
}

#[test]
fn one_and_two_workers_give_the_same_bits() {
    let render_with = |workers: usize| {
        let (mut engine, mut sender, _, table) = engine(workers, 4);
        let sounds = ["click", "ramp", "tone", "two", "bd", "sn", "hh"];
        let mut seed = 12_345u64;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as u32
        };
        for k in 0..400u64 {
            let sound = sounds[next() as usize % sounds.len()];
            let params = [
                (Param::Speed, 0.5 + (next() % 100) as f32 / 50.0),
                (Param::Pan, (next() % 100) as f32 / 100.0),
                (Param::Cutoff, 200.0 + (next() % 8_000) as f32),
                (Param::Resonance, (next() % 10) as f32 / 10.0),
                (Param::Room, (next() % 3) as f32 / 4.0),
                (Param::Delay, (next() % 2) as f32 / 2.0),
                (Param::Shape, (next() % 5) as f32 / 10.0),
                (Param::Vowel, (next() % 6) as f32),
                (Param::Cut, (next() % 3) as f32),
            ];
            sender.send(event(
                &table,
                sound,
                k * 240 + u64::from(next() % 240),
                (next() % 4) as u16,
                &params,
            ));
        }
        render(&mut engine, 100_000, 128)
    };
    let one = render_with(1);
    let two = render_with(2);
    assert!(one[0].iter().any(|&x| x != 0.0));
    for (a, b) in one.iter().zip(&two) {
        assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

#[test]
fn late_events_play_at_once_and_hopeless_ones_are_dropped() {
    let (mut engine, mut sender, stats, table) = engine(1, 1);
    let mut late = event(&table, "click", 0, 0, &[]);
    late.at = Some(START - 5_000); // 5 ms before the first block
    let mut ancient = event(&table, "click", 0, 0, &[]);
    ancient.at = Some(START - 5_000_000);
    let mut far = event(&table, "click", 0, 0, &[]);
    far.at = Some(START + 3_600_000_000);
    for e in [late, ancient, far] {
        sender.send(e);
    }
    let out = render(&mut engine, 1_024, 256);
    assert_eq!(onset(&out[0], 1e-6), Some(0));
    use std::sync::atomic::Ordering::Relaxed;
    assert_eq!(stats.late.load(Relaxed), 1);
    assert_eq!(stats.dropped.load(Relaxed), 2);
    assert_eq!(stats.played.load(Relaxed), 1);
}
