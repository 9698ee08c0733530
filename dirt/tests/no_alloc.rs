//! The audio path allocates nothing: a stream of events through the queue, started, filtered,
//! delayed and reverberated, on two workers.

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

mod common;
use common::*;
use dirt::Param;

#[test]
fn playing_a_stream_of_events_allocates_nothing() {
    alloc_counter::settle();
    let (mut engine, mut sender, stats, table) = engine(2, 4);
    let frames = 128;
    let mut buffers = [[0.0f32; 128]; 10];
    let events: Vec<_> = (0..2_000u64)
        .map(|k| {
            event(
                &table,
                ["bd", "sn", "tone", "ramp"][k as usize % 4],
                k * 37,
                (k % 4) as u16,
                &[
                    (Param::Cutoff, 900.0),
                    (Param::Vowel, 2.0),
                    (Param::Room, 0.3),
                    (Param::Delay, 0.5),
                    (Param::Cut, (k % 2) as f32),
                    (Param::Speed, 1.5),
                ],
            )
        })
        .collect();
    let mut next = 0;
    let mut block = |engine: &mut dirt::DirtEngine, sender: &mut dirt::EventSender, b: usize| {
        // Each block brings the events of the next few blocks, as packets would.
        while next < events.len()
            && events[next].at.unwrap() < START + ((b + 8) * frames) as u64 * 20
        {
            sender.send(events[next]);
            next += 1;
        }
        let mut slices: [&mut [f32]; 10] = buffers.each_mut().map(|b| &mut b[..]);
        engine.process(
            START as f64 + (b * frames) as f64 * MICROS,
            MICROS,
            frames,
            &mut slices,
        );
    };
    // Warm up: every voice slot and both effects of every orbit in use once.
    for b in 0..200 {
        block(&mut engine, &mut sender, b);
    }
    let calls = alloc_counter::count(|| {
        for b in 200..600 {
            block(&mut engine, &mut sender, b);
        }
    });
    assert_eq!(calls, 0, "allocator calls while playing");
    assert!(stats.played.load(std::sync::atomic::Ordering::Relaxed) > 1_000);
}
