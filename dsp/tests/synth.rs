//! Pitched synth voices on note patterns, measured on rendered audio.

use bumpalo::Bump;
use dsp::instruments::synth::{Synth, OSC_ENVELOPE};
use dsp::instruments::Instrument;
use dsp::oscillators::Wave;
use dsp::{Context, Node};
use pattern::{mini, Pattern, Span, Time};

const RATE: f32 = 48_000.0;

fn hz(notation: &str) -> Pattern<f64> {
    mini(notation).unwrap().fmap(|v| match v {
        pattern::Value::Str(n) => {
            440.0 * 2f64.powf((pattern::note_number(n).unwrap() - 9.0) / 12.0)
        }
        other => other.as_f64().unwrap(),
    })
}

fn osc(wave: Wave) -> Instrument {
    Instrument::Osc {
        wave,
        envelope: OSC_ENVELOPE,
    }
}

/// Renders `cycles` cycles at 1 cycle per second in 256-frame blocks.
fn render(synth: &mut Synth, cycles: i64) -> Vec<f32> {
    let arena = &mut Bump::new();
    let per_cycle = RATE as i64;
    let mut out = Vec::new();
    let mut block = vec![0.0; 256];
    for k in 0..cycles * per_cycle / 256 {
        arena.reset();
        let span = Span::new(
            Time::new(k * 256, per_cycle),
            Time::new((k + 1) * 256, per_cycle),
        );
        synth.process(
            &Context::new(RATE, 256, span, arena),
            &[],
            &mut [&mut block],
        );
        out.extend_from_slice(&block);
    }
    out
}

fn frequency(x: &[f32]) -> f64 {
    let crossings: Vec<f64> = (1..x.len())
        .filter(|&i| x[i - 1] < 0.0 && x[i] >= 0.0)
        .map(|i| i as f64 - 1.0 + f64::from(-x[i - 1]) / f64::from(x[i] - x[i - 1]))
        .collect();
    (crossings.len() - 1) as f64
        / ((crossings[crossings.len() - 1] - crossings[0]) / f64::from(RATE))
}

#[test]
fn each_note_is_a_voice_at_its_pitch_for_its_length() {
    let mut synth = Synth::new(hz("a5 ~ e5 ~"), osc(Wave::Sine), RATE);
    let out = render(&mut synth, 1);
    let quarter = (RATE / 4.0) as usize;
    let a = frequency(&out[1000..quarter - 1000]);
    assert!((a - 440.0).abs() / 440.0 < 0.001, "a5 = {a} Hz");
    let e = frequency(&out[2 * quarter + 1000..3 * quarter - 1000]);
    assert!((e - 329.63).abs() / 329.63 < 0.001, "e5 = {e} Hz");
    // Silent in the rests once the release (30 ms) is over.
    assert!(out[quarter + 2000..2 * quarter].iter().all(|&v| v == 0.0));
    assert!(out[3 * quarter + 2000..].iter().all(|&v| v == 0.0));
    // A 5 ms (240-frame) attack: the level ramps up, no click at the onset.
    assert!(out[..240]
        .iter()
        .enumerate()
        .all(|(i, v)| v.abs() <= (i + 1) as f32 / 240.0 + 1e-6));
}

#[test]
fn stacked_notes_sound_together() {
    let mut synth = Synth::new(hz("[a4, a5]"), osc(Wave::Saw), RATE);
    let out = render(&mut synth, 1);
    let peak = out[2000..40_000].iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(peak > 1.2, "two voices add up: {peak}");
}
