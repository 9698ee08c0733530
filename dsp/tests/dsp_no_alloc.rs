//! Processing allocates nothing. Alone in its test binary: the counter sees every thread.

use dsp::{Context, In, Node};
use pattern::{Span, Time};

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

#[test]
fn processing_allocates_nothing() {
    alloc_counter::settle();
    let makes: &[dsp::Make] = &[
        dsp::oscillators::make_sine,
        dsp::oscillators::make_saw,
        dsp::oscillators::make_square,
        dsp::oscillators::make_tri,
        dsp::oscillators::make_noise,
        dsp::oscillators::make_pink,
        dsp::oscillators::make_brown,
        dsp::modulation::make_ring_mod,
        dsp::oscillators::make_impulse,
        dsp::envelopes::make_line,
        dsp::envelopes::make_xline,
        dsp::levels::make_lag,
        dsp::levels::make_pan2_l,
        dsp::levels::make_pan2_r,
        dsp::filters::make_lpf,
        dsp::filters::make_hpf,
        dsp::filters::make_bpf,
        dsp::filters::make_notch,
        dsp::levels::make_gain,
        dsp::levels::make_pan,
        dsp::levels::make_min,
        dsp::levels::make_max,
        dsp::levels::make_clip,
        dsp::levels::make_mix,
        dsp::envelopes::make_adsr,
        dsp::envelopes::make_ar,
        dsp::delays::make_delay,
        dsp::reverbs::freeverb::make_reverb,
        dsp::dynamics::distortion::make_distort,
        dsp::dynamics::distortion::make_bitcrush,
        dsp::modulation::make_chorus,
        dsp::dynamics::make_limiter,
    ];
    let mut nodes: Vec<Box<dyn Node>> = makes.iter().map(|m| m(48_000.0, 2)).collect();
    let input: Vec<f32> = (0..256).map(|i| (i as f32 * 0.03).sin()).collect();
    let (mut l, mut r) = (vec![0.0f32; 256], vec![0.0f32; 256]);
    let arena = bumpalo::Bump::new();
    let ctx = Context::new(48_000.0, 256, Span::new(Time::ZERO, Time::ZERO), &arena);
    let inputs = [
        In::Mono(&input[..256]),
        In::Const(800.0),
        In::Const(0.5),
        In::Const(0.2),
    ];
    for (i, node) in nodes.iter_mut().enumerate() {
        let calls = alloc_counter::count(|| {
            for _ in 0..1000 {
                node.process(&ctx, &inputs, &mut [&mut l[..], &mut r[..]]);
            }
        });
        assert_eq!(calls, 0, "node {i}");
    }
}
