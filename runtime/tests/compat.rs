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
fn every_patch_of_the_corpus_compiles_and_is_not_silent() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../graph/tests/compat");
    let mut patches: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ph"))
        .collect();
    patches.sort();
    assert!(patches.len() >= 16, "{} patches", patches.len());
    for path in patches {
        let text = std::fs::read_to_string(&path).unwrap();
        let graph = compile(&text);
        let [l, r] = render(&graph, Length::Cycles(2.0), 512, 1);
        let level = rms(&l).max(rms(&r));
        assert!(level > 1e-3, "{}: silent (RMS {level})", path.display());
        assert!(l.iter().chain(&r).all(|x| x.is_finite()));
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
