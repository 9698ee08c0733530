//! SuperDirt's control vocabulary in a patch: every control can be set with `#`, and the
//! per-voice filters, shaping and orbit effects change the rendered sound as they do in
//! `phonon dirt` (which plays through the same voices).

mod common;
use common::*;
use pattern::Control;
use runtime::Length;

/// One cycle (two seconds at the default tempo), both channels mixed.
fn mono(patch: &str) -> Vec<f32> {
    let [l, r] = render(&compile(patch), Length::Cycles(1.0), 512, 2);
    l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect()
}

/// The signal differentiated: a crude high-pass.
fn highs(x: &[f32]) -> Vec<f32> {
    x.windows(2).map(|w| w[1] - w[0]).collect()
}

#[test]
fn every_control_of_the_vocabulary_can_be_set_in_a_patch() {
    let registry = graph::Registry::standard();
    for c in Control::ALL {
        let f = registry.get(c.name()).expect("a control has a function");
        assert_eq!(f.control, Some(c), "`{}`", c.name());
        let patch = format!("out: s \"bd\" # {} 0.5\n", c.name());
        assert!(
            rms(&mono(&patch)).is_finite(),
            "`# {} 0.5` renders",
            c.name()
        );
    }
}

#[test]
fn cutoff_and_hcutoff_filter_each_sound() {
    let open = rms(&highs(&mono("out: s \"hh*4\"\n")));
    let low = rms(&highs(&mono("out: s \"hh*4\" # cutoff 300\n")));
    assert!(low < 0.2 * open, "low-passed: {low} against {open}");
    let kick = mono("out: s \"bd*4\"\n");
    let thin = mono("out: s \"bd*4\" # hcutoff 2000\n");
    assert!(
        rms(&thin) < 0.3 * rms(&kick),
        "a high-passed kick loses its body"
    );
}

#[test]
fn room_and_delay_ring_on_after_the_sound() {
    // One short hit at the start: the last half of the cycle is silent without effects.
    let dry = mono("out: s \"hh ~ ~ ~\"\n");
    let tail = |x: &[f32]| rms(&x[x.len() / 2..]);
    assert!(tail(&dry) < 1e-6);
    let room = mono("out: s \"hh ~ ~ ~\" # room 0.8 # size 0.95\n");
    assert!(tail(&room) > 1e-4, "the reverb rings on: {}", tail(&room));
    let echo = mono("out: s \"hh ~ ~ ~\" # delay 0.8 # delaytime 0.3 # delayfeedback 0.8\n");
    assert!(tail(&echo) > 1e-4, "the echoes go on: {}", tail(&echo));
}

#[test]
fn shape_crush_coarse_and_vowel_change_the_sound_and_keep_it_bounded() {
    let plain = mono("out: s \"sn*2\"\n");
    for control in [
        "shape 0.9",
        "crush 3",
        "coarse 8",
        "vowel \"a\"",
        "vowel \"o\"",
        "bandf 800 # bandq 4",
    ] {
        let changed = mono(&format!("out: s \"sn*2\" # {control}\n"));
        assert_ne!(changed, plain, "`# {control}` changes the sound");
        assert!(
            peak(&changed) < 4.0 && rms(&changed) > 1e-3,
            "`# {control}`"
        );
    }
    assert_ne!(
        mono("out: s \"sn*2\" # vowel \"a\"\n"),
        mono("out: s \"sn*2\" # vowel \"o\"\n")
    );
}

#[test]
fn gain_follows_superdirts_curve_and_amp_is_linear() {
    let full = rms(&mono("out: s \"bd\"\n"));
    let half_gain = rms(&mono("out: s \"bd\" # gain 0.5\n"));
    let half_amp = rms(&mono("out: s \"bd\" # amp 0.5\n"));
    assert!(
        (half_gain / full - 0.0625).abs() < 1e-3,
        "{}",
        half_gain / full
    );
    assert!((half_amp / full - 0.5).abs() < 1e-3, "{}", half_amp / full);
}

#[test]
fn superdirt_synths_are_sounds_in_a_patch_too() {
    let kicks = mono("out: s \"superkick*2\"\n");
    assert!(rms(&kicks) > 0.01, "superkick plays: {}", rms(&kicks));
    // The sampler's voices, laws and controls: pan, gain, note.
    let [l, r] = render(
        &compile("out: s \"supersaw\" # pan 1 # note -12 # legato 1\n"),
        Length::Cycles(1.0),
        512,
        1,
    );
    assert!(rms(&r) > 0.01 && rms(&l) < 1e-6, "panned right");
    let quiet = rms(&mono("out: s \"superkick*2\" # gain 0.5\n"));
    assert!(
        (quiet / rms(&kicks) - 0.0625).abs() < 1e-3,
        "{}",
        quiet / rms(&kicks)
    );
}

/// Notes with no sound named play on the default synth, a triangle (as in Strudel); a synth's
/// `n` is its note (as in SuperDirt); Strudel's waveforms are sounds.
#[test]
fn notes_without_a_sound_play_the_default_triangle() {
    let bare = mono("out: n \"c4 e4\"\n");
    let named = mono("out: s \"triangle*2\" # note \"c4 e4\"\n");
    assert_eq!(bare, named);
    let half = bare.len() / 2;
    // Tidal's note names: `c5` is note 0, middle C.
    let (c4, e4) = (130.81, 164.81);
    let (first, second) = (&bare[1_000..half - 1_000], &bare[half + 1_000..]);
    assert!(tone(first, c4) > 5.0 * tone(first, e4), "c4 first");
    assert!(tone(second, e4) > 5.0 * tone(second, c4), "then e4");
    let sine = mono("out: n \"0 12\" # s \"sine\"\n");
    let octave = &sine[half + 1_000..];
    assert!(
        tone(octave, 523.25) > 5.0 * tone(octave, 261.63),
        "n 12 is an octave up"
    );
    // A transform piped a control pattern, and more controls laid on it.
    let slow = mono("out: slow 2 $ n \"c4 e4\" # gain \"0.8 1\"\n");
    assert!(rms(&slow) > 0.01);
    assert!(
        tone(&slow[1_000..], c4) > 5.0 * tone(&slow[1_000..], e4),
        "c4 all cycle"
    );
}

/// Whether `freq` stands out in `x` over the semitones a minor third either side.
fn pitched_at(x: &[f32], freq: f32) -> bool {
    let at = tone(x, freq);
    at > 2.0 * tone(x, freq * 0.84) && at > 2.0 * tone(x, freq * 1.19)
}

/// SuperDirt's library synths play in a patch as sounds: each at its level (a peak between
/// 0.02 and 1), for its length (silent 50 ms after its half-second `sustain`), at its pitch
/// (`note 0` is middle C; `super808` takes `n`).
#[test]
fn superdirts_library_synths_play_their_pitch_for_their_length() {
    let c5 = 261.63;
    let cases: [(&str, Option<f32>); 31] = [
        ("superpiano", Some(c5)),
        ("supermandolin", Some(c5)),
        ("supergong", Some(c5)),
        ("super808", Some(46.25)),
        ("superclap", None),
        ("supersiren", None),
        ("supersquare", Some(c5)),
        ("superfork", Some(c5)),
        ("superhammond", Some(c5)),
        ("supervibe", Some(c5)),
        ("superzow", Some(c5)),
        ("superstatic", None),
        ("superreese", Some(c5)),
        ("supertron", None),
        ("supercomparator", None),
        ("soskick", Some(c5)),
        ("sostoms", None),
        ("soshats", None),
        // Its phase modulation sounds at `semitone` (0.452) times the note.
        ("sossnare", Some(c5 * 0.452)),
        ("supernoise", None),
        // Its lowest saw and parabola are two octaves down.
        ("superhoover", Some(c5 / 4.0)),
        // The skin's pitch is in frames, as in SuperCollider: 283.5 Hz at 48 kHz.
        ("superhex", Some(283.5 * RATE as f32 / 48_000.0)),
        // Its loop rings 2% sharp, as SuperDirt's does (267.5 Hz).
        ("supergrind", Some(267.5)),
        ("superprimes", None),
        ("superwavemechanics", None),
        // SuperDirt's `default-synths.scd`: `imp`'s lowest train is the note; `pmsin` is 30 Hz
        // up; `cyclo` on cycle 0 plays all sixteen sines on the note.
        ("imp", Some(c5)),
        ("psin", Some(c5)),
        ("pmsin", Some(c5 + 30.0)),
        ("gabor", Some(c5)),
        ("dirac", None),
        ("cyclo", Some(c5)),
    ];
    let rate = RATE as f32;
    for (name, pitch) in cases {
        let x = mono(&format!("out: s \"{name}\" # note 0 # sustain 0.5\n"));
        let peak = peak(&x);
        assert!((0.02..=1.0).contains(&peak), "{name}: peak {peak}");
        let tail = rms(&x[(0.55 * rate) as usize..]);
        assert!(tail < 1e-4, "{name} ends: {tail}");
        if let Some(f) = pitch {
            let body = &x[(0.05 * rate) as usize..(0.45 * rate) as usize];
            assert!(pitched_at(body, f), "{name} at {f} Hz");
        }
    }
    // The siren glides up and back: its middle is higher than its start.
    let siren = mono("out: s \"supersiren\" # note 0 # sustain 1\n");
    let crossings = |x: &[f32]| x.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    let twentieth = (0.05 * rate) as usize;
    let (start, middle) = (&siren[..twentieth], &siren[10 * twentieth..11 * twentieth]);
    assert!(crossings(middle) > 2 * crossings(start));
    // `velocity` strikes the piano harder: louder and brighter.
    let soft = mono("out: s \"superpiano\" # note 0 # sustain 0.5 # velocity 0.3\n");
    let hard = mono("out: s \"superpiano\" # note 0 # sustain 0.5 # velocity 1.5\n");
    assert!(rms(&hard) > 2.0 * rms(&soft));
    // The gong's `decay 0` lets its higher modes die sooner than `decay 2`.
    let dull = mono("out: s \"supergong\" # note 0 # sustain 0.5 # decay 0\n");
    let bright = mono("out: s \"supergong\" # note 0 # sustain 0.5 # decay 2\n");
    let late = (0.1 * rate) as usize..(0.2 * rate) as usize;
    assert!(tone(&bright[late.clone()], c5 * 5.954) > 2.0 * tone(&dull[late], c5 * 5.954));
}
