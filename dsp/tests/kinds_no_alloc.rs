//! Every kind of node plays without allocating, pattern-driven ones included. Alone in its
//! test binary: the counter sees every thread.

use dsp::{Context, In, Node};
use pattern::{Span, Time};

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

/// Every kind of node, the pattern-driven ones playing dense patterns over advancing blocks:
/// warmed up first (voices start, arenas grow), then counted.
#[test]
fn every_kind_plays_without_allocating() {
    use dsp::envelopes::triggered::{Breakpoints, Trigger};
    use dsp::instruments::Instrument;
    use dsp::oscillators::synthesis::Harmonics;
    use dsp::{Kind, Setup};
    use std::sync::Arc;

    alloc_counter::settle();
    let notes = || {
        Some(
            pattern::mini("[110 220 330]*8")
                .unwrap()
                .fmap(|v| v.as_f64().unwrap()),
        )
    };
    let steps = || pattern::mini("1*16").unwrap().fmap(|v| v.as_f64().unwrap());
    let instruments = [
        Instrument::Osc {
            wave: dsp::oscillators::Wave::Saw,
            envelope: [0.01, 0.1, 0.5, 0.2],
        },
        Instrument::SuperSaw {
            detune: 0.3,
            voices: 7,
        },
        Instrument::SuperKick {
            pitch_env: 0.5,
            sustain: 0.3,
            noise: 0.1,
        },
        Instrument::SuperSnare {
            snappy: 0.8,
            sustain: 0.15,
        },
        Instrument::SuperHat {
            bright: 0.7,
            sustain: 0.05,
        },
        Instrument::SuperFm {
            ratio: 2.0,
            index: 1.0,
        },
        Instrument::SuperChip {
            rate: 5.0,
            depth: 0.05,
        },
        Instrument::SuperPwm {
            rate: 0.5,
            depth: 0.8,
        },
        Instrument::Pluck {
            damping: 0.5,
            pickup: 0.3,
        },
    ];
    let mut kinds: Vec<Kind> = dsp::catalog::NODES.iter().map(|&d| Kind::Node(d)).collect();
    kinds.push(Kind::Convolve(None));
    kinds.extend(instruments.iter().map(|&instrument| Kind::Voices {
        instrument,
        notes: notes(),
    }));
    kinds.extend([
        Kind::Env(Trigger::Events(steps())),
        Kind::Env(Trigger::EveryCycle),
        Kind::Env(Trigger::Once),
        Kind::Ad(Trigger::Events(steps())),
        Kind::Ad(Trigger::EveryCycle),
        Kind::Segments(Some(Arc::new(
            Breakpoints::new(&[0.0, 1.0, 0.0], &[0.1, 0.2]).unwrap(),
        ))),
        Kind::Additive(Some(Arc::new(Harmonics::new(&[1.0, 0.5, 0.25]).unwrap()))),
        // The sampler with its controls read from signals (gain, pan, speed, …).
        Kind::Sampler(pattern::sound(&pattern::mini("[bd sn hh cp]*8").unwrap())),
    ]);
    let setup = Setup {
        sample_rate: 48_000.0,
        channels: 2,
        bank: Arc::new(dsp::samples::bank::SampleBank::builtin(48_000)),
        sampler_voices: 16,
        named: Default::default(),
    };
    let input: Vec<f32> = (0..256).map(|i| (i as f32 * 0.03).sin()).collect();
    let (mut l, mut r) = (vec![0.0f32; 256], vec![0.0f32; 256]);
    let inputs = [
        In::Mono(&input[..256]),
        In::Const(800.0),
        In::Const(0.5),
        In::Const(0.2),
    ];
    for kind in &kinds {
        let mut node = kind.make(&setup);
        let mut arena = bumpalo::Bump::new();
        let mut block = 0i64;
        let mut run = |node: &mut Box<dyn Node>, arena: &mut bumpalo::Bump, blocks: i64| {
            for _ in 0..blocks {
                arena.reset();
                let span = Span::new(
                    Time::new(block * 256, 48_000),
                    Time::new((block + 1) * 256, 48_000),
                );
                let ctx = Context::new(48_000.0, 256, span, arena);
                node.process(&ctx, &inputs, &mut [&mut l[..], &mut r[..]]);
                block += 1;
            }
        };
        run(&mut node, &mut arena, 400);
        let calls = alloc_counter::count(|| run(&mut node, &mut arena, 1000));
        assert_eq!(calls, 0, "{kind:?}");
    }
}
