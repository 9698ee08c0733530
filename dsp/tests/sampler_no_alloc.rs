//! The sampler and the synth allocate nothing while they play, steal and cut. Alone in its test binary: the
//! counter sees every thread.

use bumpalo::Bump;
use dsp::samples::bank::SampleBank;
use dsp::voice::sampler::Sampler;
use dsp::Node;
use pattern::Sound;
use pattern::{mini, Span, Time};
use std::sync::Arc;

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

#[test]
fn playing_samples_and_notes_allocates_nothing() {
    alloc_counter::settle();
    let bank = Arc::new(SampleBank::builtin(48_000));
    let pattern = mini("[bd*16, hh*32?, <sn cp>*8, oh:3*4]")
        .unwrap()
        .fmap(|v| Sound::new(v.clone()))
        .fast(Time::from_int(2));
    // Eight voices for dozens of events a cycle: constant stealing.
    let mut sampler = Sampler::new(pattern, bank, 8, 48_000.0);
    let mut arena = Bump::with_capacity(1 << 20);
    let (mut l, mut r) = (vec![0.0f32; 256], vec![0.0f32; 256]);
    let block = |k: i64| Span::new(Time::new(k * 256, 96_000), Time::new((k + 1) * 256, 96_000));
    for k in 0..200 {
        arena.reset();
        sampler.render(block(k), &arena, &mut l, &mut r);
    }
    let calls = alloc_counter::count(|| {
        for k in 200..4000 {
            arena.reset();
            sampler.render(block(k), &arena, &mut l, &mut r);
        }
    });
    assert_eq!(calls, 0);
    assert!(
        sampler.voices().unwrap().stolen > 100,
        "the pool was exercised: {} steals",
        sampler.voices().unwrap().stolen
    );
}
