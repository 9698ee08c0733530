//! Processing allocates nothing. Alone in its test binary: the counter sees every thread.

use dsp::{effect, envelope, filter, level, osc, Context, In, Node};
use pattern::{Span, Time};

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

#[test]
fn processing_allocates_nothing() {
    alloc_counter::settle();
    let makes: &[dsp::Make] = &[
        osc::make_sine,
        osc::make_saw,
        osc::make_square,
        osc::make_tri,
        osc::make_noise,
        osc::make_pink,
        osc::make_brown,
        effect::make_ring_mod,
        osc::make_impulse,
        envelope::make_line,
        envelope::make_xline,
        level::make_lag,
        level::make_pan2_l,
        level::make_pan2_r,
        filter::make_lpf,
        filter::make_hpf,
        filter::make_bpf,
        filter::make_notch,
        level::make_gain,
        level::make_pan,
        level::make_min,
        level::make_max,
        level::make_clip,
        level::make_mix,
        envelope::make_adsr,
        envelope::make_ar,
        effect::make_delay,
        effect::make_reverb,
        effect::make_distort,
        effect::make_bitcrush,
        effect::make_chorus,
        effect::make_limiter,
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
