//! The compatibility corpus (`graph/tests/compat/*.ph`): patches in the original Phonon's
//! style, each of which must compile and play something; and what its constructs play,
//! measured where they have a newer spelling to compare with.

mod common;
use common::*;
use runtime::Length;

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
}

fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
}

#[test]
fn every_patch_of_the_corpus_compiles_is_not_silent_and_is_the_same_on_any_number_of_workers() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../graph/tests/compat");
    let mut patches: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ph"))
        .collect();
    patches.sort();
    assert!(patches.len() >= 60, "{} patches", patches.len());
    for path in patches {
        let text = std::fs::read_to_string(&path).unwrap();
        let graph = compile(&text);
        let [l, r] = render(&graph, Length::Cycles(2.0), 512, 1);
        let level = rms(&l).max(rms(&r));
        assert!(level > 1e-3, "{}: silent (RMS {level})", path.display());
        assert!(l.iter().chain(&r).all(|x| x.is_finite()));
        // The same samples on three workers.
        let [l3, r3] = render(&graph, Length::Cycles(2.0), 512, 3);
        assert!(
            l == l3 && r == r3,
            "{}: differs on three workers",
            path.display()
        );
    }
}

#[test]
fn an_envelope_after_a_sound_pattern_sets_its_attack_and_release() {
    let plain = compile("out: s \"bd\"\n");
    let shaped = compile("out: s \"bd\" # ar 0.05 0.1\n");
    let written = compile("out: s \"bd\" # attack 0.05 # release 0.1\n");
    let [p, _] = render(&plain, Length::Cycles(1.0), 512, 1);
    let [a, _] = render(&shaped, Length::Cycles(1.0), 512, 1);
    let [w, _] = render(&written, Length::Cycles(1.0), 512, 1);
    // The same as the controls written out.
    assert_eq!(a, w);
    // A 50 ms attack: the first 5 ms far quieter than the kick's own onset.
    let first = (RATE as usize) / 200;
    assert!(
        peak(&a[..first]) < 0.2 * peak(&p[..first]),
        "{} vs {}",
        peak(&a[..first]),
        peak(&p[..first])
    );
    // And it stays a pattern inside transforms: stut makes three onsets of it.
    let stut = compile("out: stut 3 0.5 0.125 $ s \"bd\" # ar 0.001 0.05\n");
    let [s, _] = render(&stut, Length::Cycles(0.5), 512, 1);
    let eighth = RATE as usize; // 0.125 cycles at 0.5 cps is 0.25 s; check each echo's window
    for k in 0..3 {
        let at = k * eighth / 4;
        assert!(peak(&s[at..at + 2_000]) > 0.01, "echo {k} at {at}");
    }
}

/// Renders two spellings of the same music and says whether they play the same samples.
fn same(original: &str, written_out: &str) {
    let a = render(&compile(original), Length::Cycles(2.0), 512, 1);
    let b = render(&compile(written_out), Length::Cycles(2.0), 512, 1);
    assert!(rms(&a[0]) > 1e-3, "{original}: silent");
    assert!(a == b, "`{original}` and `{written_out}` differ");
}

#[test]
fn a_pipe_ending_in_a_chain_plays_the_transform_then_the_chain() {
    same(
        "out: s \"bd sn\" $ fast 2 # lpf 800 0.5\n",
        "out: (fast 2 $ s \"bd sn\") # lpf 800 0.5\n",
    );
    same(
        "out: s \"bd sn hh cp\" $ fast 2 $ rev # lpf 1200 0.3\n",
        "out: (rev $ fast 2 $ s \"bd sn hh cp\") # lpf 1200 0.3\n",
    );
    same(
        "out: s \"bd sn\" $ fast 2 # speed 2\n",
        "out: fast 2 $ s \"bd sn\" # speed 2\n",
    );
}

#[test]
fn arithmetic_after_a_chain_scales_what_the_chain_plays() {
    same(
        "out: s \"bd*4\" # n \"0 1 2 3\" * 0.8\n",
        "out: (s \"bd*4\" # n \"0 1 2 3\") * 0.8\n",
    );
    same(
        "out: saw 55 # lpf 800 0.7 * 0.3\n",
        "out: (saw 55 # lpf 800 0.7) * 0.3\n",
    );
    // And it is a scaling of the audio (the master's limiter aside): 0.8 of the level.
    let level = |text: &str| rms(&render(&compile(text), Length::Cycles(1.0), 512, 1)[0]);
    let ratio = level("out: s \"bd*4\" # n \"0 1 2 3\" * 0.8\n")
        / level("out: s \"bd*4\" # n \"0 1 2 3\"\n");
    assert!((ratio - 0.8).abs() < 0.02, "level ratio {ratio}");
}

#[test]
fn keyword_arguments_fill_the_named_parameters() {
    same(
        "out: saw 55 # lpf 1000 :q 0.8\n",
        "out: saw 55 # lpf 1000 0.8\n",
    );
    same(
        "out: saw 110 # lpf :q 4 :cutoff 600\n",
        "out: saw 110 # lpf 600 4\n",
    );
    same(
        "out: s \"bd ~ sn ~\" # delay 0.375 :feedback 0.6\n",
        "out: s \"bd ~ sn ~\" # delay 0.375 0.6\n",
    );
    // A parameter left out takes its default: the delay's mix here.
    same(
        "out: s \"bd ~ sn ~\" # delay :feedback 0.6\n",
        "out: s \"bd ~ sn ~\" # delay 0.25 0.6 0.5\n",
    );
}

#[test]
fn hush_and_panic_silence_every_output_and_still_check_the_patch() {
    for word in ["hush", "panic"] {
        let loud = compile("out: s \"bd*4\"\no2: sine 440\n");
        let quiet = compile(&format!("out: s \"bd*4\"\no2: sine 440\n{word}\n"));
        assert!(rms(&render(&loud, Length::Cycles(1.0), 512, 1)[0]) > 0.01);
        let [l, r] = render(&quiet, Length::Cycles(1.0), 512, 1);
        assert!(l.iter().chain(&r).all(|&x| x == 0.0), "{word}");
    }
    // The rest of the patch is still checked.
    let source = graph::diagnostic::Source::new("h.ph", "out: sinee 440\nhush\n");
    let c = graph::compile(&source, &graph::Registry::standard());
    assert!(c.graph.is_none());
}

#[test]
fn a_bus_named_in_a_sound_pattern_plays_gated_where_it_appears() {
    same(
        "~bass: saw 55\nout: s \"~bass ~ ~bass ~\"\n",
        "~bass: saw 55\nout: ~bass # env_trig \"x ~ x ~\" 0.002 0 1 0.01\n",
    );
    // Mixed with samples: the samples play as before, the bus on its steps only.
    let [mixed, _] = render(
        &compile("~tone: sine 440\nout: s \"bd ~tone\"\n"),
        Length::Cycles(1.0),
        512,
        1,
    );
    let [kick, _] = render(&compile("out: s \"bd ~\"\n"), Length::Cycles(1.0), 512, 1);
    let half = mixed.len() / 2;
    assert_eq!(mixed[..half - 1024], kick[..half - 1024]);
    assert!(
        rms(&mixed[half + 1024..]) > 0.5,
        "the tone sounds on its step"
    );
}

#[test]
fn an_effect_bus_processes_everything_sent_to_it() {
    same(
        "~echo: delay 0.25 0.5 0.5\n~d: s \"bd sn\" # ~echo\nout: ~echo\n",
        "out: s \"bd sn\" # delay 0.25 0.5 0.5\n",
    );
    // Two senders share the one effect: their sum through it.
    same(
        "~echo: delay 0.25 0.5 0.5\n~d: s \"bd sn\" # ~echo\n~t: sine 440 * 0.1 # ~echo\nout: ~echo\n",
        "out: (s \"bd sn\" + sine 440 * 0.1) # delay 0.25 0.5 0.5\n",
    );
    // A sender read elsewhere is itself, dry.
    same(
        "~echo: delay 0.25 0.5 0.5\n~d: s \"bd sn\" # ~echo\nout: ~d\n",
        "out: s \"bd sn\"\n",
    );
}

#[test]
fn older_spellings_play_what_the_newer_ones_do() {
    // `>>` chains, call style gives arguments, `o:` is an output, `rotate` shifts later.
    same(
        "out: saw 55 >> lpf 800 0.7\n",
        "out: saw 55 # lpf 800 0.7\n",
    );
    same(
        "out: saw(110) # lpf(1200, 0.6) * 0.5\n",
        "out: saw 110 # lpf 1200 0.6 * 0.5\n",
    );
    same("o: s \"bd sn\"\n", "out: s \"bd sn\"\n");
    same(
        "out: s \"bd sn\" $ rotate 0.25\n",
        "out: 0.25 ~> s \"bd sn\"\n",
    );
    // A bare string of sound names is a sound pattern.
    same("~k: \"bd*4\"\nout: ~k\n", "out: s \"bd*4\"\n");
    same(
        "out: \"hh*8\" $ degradeBy 0.3 $ pan 0.7\n",
        "out: degradeBy 0.3 $ s \"hh*8\" # pan 0.7\n",
    );
}

#[test]
fn numbers_chained_into_an_oscillator_are_notes_and_scale_reads_degrees() {
    same("out: \"0 4 7\" # saw\n", "out: saw \"c5 e5 g5\"\n");
    same(
        "out: \"0 1 2\" $ scale \"major\" # sine\n",
        "out: sine \"c5 d5 e5\"\n",
    );
    same(
        "out: \"0 2 4\" $ scale \"<major minor>\" # sine\n",
        "out: sine \"<[c5 e5 g5] [c5 ds5 g5]>\"\n",
    );
}

#[test]
fn env_on_a_chain_starts_on_its_patterns_onsets() {
    same(
        "out: saw \"55 110\" # env 0.01 0.1 0.2 0.05\n",
        "out: saw \"55 110\" # env_trig \"x x\" 0.01 0.1 0.2 0.05\n",
    );
    // Two notes a cycle: two attacks a cycle, at the onsets.
    let [x, _] = render(
        &compile("out: sine \"220 330\" # env 0.05 0.05 0 0.01\n"),
        Length::Cycles(1.0),
        512,
        1,
    );
    let per_cycle = x.len();
    for onset in [0, per_cycle / 2] {
        assert!(peak(&x[onset..onset + 100]) < 0.05, "quiet at its onset");
        assert!(
            peak(&x[onset + 2_000..onset + 3_000]) > 0.5,
            "loud after its attack"
        );
    }
}

#[test]
fn an_audio_rate_control_is_read_at_each_onset() {
    // A signal that is 2 everywhere sets the speed as the number 2 does.
    same(
        "out: s \"bd*4 sn\" # speed (sine 3 * 0 + 2)\n",
        "out: s \"bd*4 sn\" # speed 2\n",
    );
    same(
        "out: s \"hh*4\" # gain (saw 1 * 0 + 0.5) # pan (sine 2 * 0 + 0.25)\n",
        "out: s \"hh*4\" # gain 0.5 # pan 0.25\n",
    );
    // A bus's pattern read twice, once with a signal control: the other reading is untouched.
    same(
        "~d: s \"bd*4\"\nout: ~d + (~d # speed (sine 1 * 0 + 2))\n",
        "out: s \"bd*4\" + (s \"bd*4\" # speed 2)\n",
    );
    same(
        "~d: s \"bd*4\" # gain (sine 1 * 0 + 0.5)\nout: ~d + (~d # speed (sine 1 * 0 + 2))\n",
        "out: s \"bd*4\" # gain 0.5 + (s \"bd*4\" # gain 0.5 # speed 2)\n",
    );
}

#[test]
fn voice_parameters_take_patterns_per_note() {
    // A pattern of one value plays as that constant.
    same(
        "out: pluck \"220 330\" \"0.7 0.7\"\n",
        "out: pluck \"220 330\" 0.7\n",
    );
    same(
        "out: supersaw \"c3 e3\" \"0.5\" 5\n",
        "out: supersaw \"c3 e3\" 0.5 5\n",
    );
}

#[test]
fn splice_fits_each_part_to_its_step() {
    // Four parts of a sound, each sped up to fill a quarter cycle, give a full cycle of
    // sound; slice alone leaves gaps where the parts end early.
    let level = |text: &str, from: f64, to: f64| {
        let [l, _] = render(&compile(text), Length::Cycles(1.0), 512, 1);
        let (a, b) = (
            (from * l.len() as f64) as usize,
            (to * l.len() as f64) as usize,
        );
        rms(&l[a..b])
    };
    let spliced = "tempo: 0.25\nout: splice 4 \"0 1 2 3\" $ s \"oh*4\"\n";
    let sliced = "tempo: 0.25\nout: slice 4 \"0 1 2 3\" $ s \"oh*4\"\n";
    // The last part of each step: silent when sliced, sounding when spliced.
    assert!(level(sliced, 0.2, 0.24) < 1e-3);
    assert!(level(spliced, 0.2, 0.24) > 1e-3);
}

#[test]
fn ramps_and_segments_start_again_on_their_trigger_pattern() {
    // A trigger pattern of two steps: the same ramp twice a cycle, as a signal that restarts
    // it does.
    same(
        "out: sine (line 200 800 0.5 \"x x\")\n",
        "out: sine (line 200 800 0.5 (impulse 1))\n",
    );
    let [x, _] = render(
        &compile("tempo: 1\nout: segments \"0 1 0\" \"0.05 0.1\" \"x x\" * sine 440\n"),
        Length::Cycles(1.0),
        512,
        1,
    );
    let half = x.len() / 2;
    let burst = |from: usize| peak(&x[from..from + 6_000]);
    let gap = |from: usize| peak(&x[from + 7_000..from + half - 100]);
    for from in [0, half] {
        assert!(burst(from) > 0.9, "a burst at {from}");
        assert!(gap(from) < 1e-3, "silence after the burst at {from}");
    }
}

/// `synth NOTES WAVE a d s r` is the `WAVE_trig` oscillator with that envelope.
#[test]
fn synth_plays_its_notes_as_the_triggered_oscillator_does() {
    let synth = compile("out: synth \"c3 e3 g3\" \"square\" 0.01 0.1 0.5 0.2\n");
    let trig = compile("out: square_trig \"c3 e3 g3\" 0.01 0.1 0.5 0.2\n");
    let [a, _] = render(&synth, Length::Cycles(1.0), 512, 1);
    let [b, _] = render(&trig, Length::Cycles(1.0), 512, 1);
    assert_eq!(a, b);
    assert!(rms(&a) > 0.01);
}

/// A follower of a kick's level opens a tone right after each kick and closes it before the
/// next; a Schmitt trigger of a slow sine is on for the part of the cycle above its threshold.
#[test]
fn followers_track_a_level_and_schmidt_gates_it() {
    let ducked =
        compile("cps: 0.5\nout: saw 110 * (s \"bd*2\" # amp_follower 0.002 0.1 0.01) * 2\n");
    let [l, _] = render(&ducked, Length::Cycles(1.0), 512, 1);
    let second = RATE as usize;
    let (after, before) = (
        rms(&l[..second / 10]),
        rms(&l[second - second / 10..second]),
    );
    assert!(
        after > 10.0 * before,
        "after the kick {after}, before the next {before}"
    );

    let gated = compile("cps: 0.5\nout: sine 440 * (sine 0.5 # schmidt 0.5 -0.5) * 0.5\n");
    let [g, _] = render(&gated, Length::Cycles(1.0), 512, 1);
    // sine 0.5 rises through 0.5 at 1/12 of its period and falls through -0.5 at 7/12.
    let period = 2 * RATE as usize;
    let on = rms(&g[period / 12 + 2_000..7 * period / 12 - 2_000]);
    let off = rms(&g[7 * period / 12 + 2_000..period - 2_000]);
    assert!(on > 0.3 && off < 1e-4, "on {on}, off {off}");
}

/// The original Phonon's `comb` rings at its frequency: an impulse comes back a period later,
/// scaled by the feedback; `vibrato` swings the pitch by the semitones asked for.
#[test]
fn comb_rings_at_its_frequency_and_vibrato_swings_the_pitch() {
    let comb = compile("out: impulse 0.5 # comb 441 0.9 * 0.5\n");
    let [c, _] = render(&comb, Length::Cycles(0.25), 512, 1);
    let first = c.iter().position(|x| x.abs() > 0.1).expect("the impulse");
    let period = (RATE / 441) as usize;
    let (a, b) = (c[first], c[first + period]);
    assert!((b / a - 0.9).abs() < 0.02, "{a} then {b} a period later");

    let vibrato = compile("out: sine 1000 # vibrato 4 1 * 0.5\n");
    let [v, _] = render(&vibrato, Length::Cycles(1.0), 512, 1);
    // Rising zero crossings, and the pitch between each pair.
    let crossings: Vec<usize> = (1..v.len())
        .filter(|&i| v[i - 1] < 0.0 && v[i] >= 0.0)
        .collect();
    let pitches: Vec<f32> = crossings[10..]
        .windows(2)
        .map(|w| RATE as f32 / (w[1] - w[0]) as f32)
        .collect();
    let (low, high) = pitches
        .iter()
        .fold((f32::MAX, 0.0f32), |(l, h), &p| (l.min(p), h.max(p)));
    // One semitone each way is ±5.9%; sampled to whole samples, at least ±4%.
    assert!(low < 960.0 && high > 1040.0, "{low}..{high} Hz");
    assert!(low > 900.0 && high < 1100.0, "{low}..{high} Hz");
}

/// The original Phonon's `if`: `then` where the condition is above 0.5, `otherwise` elsewhere.
#[test]
fn if_switches_between_two_signals() {
    let half = |patch: &str| {
        let [l, _] = render(&compile(patch), Length::Cycles(0.5), 512, 1);
        l
    };
    let on = half("out: sine (if 1 440 330) * 0.5\n");
    let off = half("out: sine (if 0.2 440 330) * 0.5\n");
    assert!(tone(&on, 440.0) > 0.2 && tone(&on, 330.0) < 0.01);
    assert!(tone(&off, 330.0) > 0.2 && tone(&off, 440.0) < 0.01);
}

/// The original's `select ~index ~a ~b ~c` chooses among signals by the rounded index,
/// counting round (`switch`).
#[test]
fn select_of_signals_plays_the_one_the_index_names() {
    let played = |index: &str| {
        let patch = format!("out: sine (select {index} 220 330 440) * 0.5\n");
        let [l, _] = render(&compile(&patch), Length::Cycles(0.5), 512, 1);
        [220.0, 330.0, 440.0].map(|f| tone(&l, f))
    };
    let [a, b, c] = played("1.2");
    assert!(b > 0.2 && a < 0.01 && c < 0.01, "{a} {b} {c}");
    let [a, b, c] = played("5");
    assert!(
        c > 0.2 && a < 0.01 && b < 0.01,
        "index 5 of 3 is the third: {a} {b} {c}"
    );
}

/// The original's `phaser`: held still (depth 0, corner 200 Hz, no feedback), four all-pass
/// stages turn a tone half a turn at 200·tan(67.5°) ≈ 483 Hz, where the sum cancels, and
/// pass 250 Hz at nine tenths.
#[test]
fn a_still_phaser_notches_where_its_stages_turn_half_a_cycle() {
    let level = |freq: f32| {
        let patch = format!("out: sine {freq} # phaser 0.5 0 0 4 * 0.5\n");
        let [l, _] = render(&compile(&patch), Length::Cycles(0.5), 512, 1);
        tone(&l[4_096..], freq)
    };
    let (notch, open) = (level(483.0), level(250.0));
    assert!(
        open > 0.2 && notch < 0.05 * open,
        "483 Hz {notch}, 250 Hz {open}"
    );
}

/// The original's note modifiers: `n P # scale NAME` is the notes of `scale NAME P`, `n P #
/// chord NAME` stacks a chord on each; `mtof` makes note numbers frequencies; notes as an
/// oscillator's argument are its frequencies; the older `reverb_stereo` is the plate, and
/// `reverb :room_size` is `reverb :size`.
#[test]
fn note_modifiers_mtof_and_older_reverbs_play_their_newer_forms() {
    same(
        "~d: n \"0 2 4\" # scale \"minor\"\nout: sine (mtof (~d + 60)) * 0.3\n",
        "out: sine (mtof \"60 63 67\") * 0.3\n",
    );
    same(
        "~t: n \"0 5\" # chord \"maj\"\nout: ~t\n",
        "out: \"[0,4,7] [5,9,12]\"\n",
    );
    let [a4, _] = render(
        &compile("out: sine (mtof 69) * 0.5\n"),
        Length::Cycles(1.0),
        512,
        1,
    );
    assert!(tone(&a4, 440.0) > 0.45, "mtof 69 is 440 Hz");
    let [chime, _] = render(
        &compile("out: sine (n \"c4 e4 g4\") * 0.5\n"),
        Length::Cycles(1.0),
        512,
        1,
    );
    let third = chime.len() / 3;
    assert!(tone(&chime[..third], 130.81) > 0.4, "c4 first");
    assert!(tone(&chime[2 * third..], 196.0) > 0.4, "g4 last");
    same(
        "out: saw 110 # reverb_stereo 0.3 2.0\n",
        "out: saw 110 # plate :mix 0.3 :decay 2.0\n",
    );
    same(
        "out: s \"cp\" # reverb :room_size 0.9 :mix 0.5\n",
        "out: s \"cp\" # reverb 0.9 :mix 0.5\n",
    );
}

/// Sound patterns added and then piped through a transform are a stack for it to take.
#[test]
fn a_transform_after_sound_patterns_added_takes_their_stack() {
    same(
        "~call: s \"bd bd ~ ~\"\n~response: s \"~ ~ sn sn\"\nout: ~call + ~response $ rev\n",
        "out: rev $ stack [s \"bd bd ~ ~\", s \"~ ~ sn sn\"]\n",
    );
}
