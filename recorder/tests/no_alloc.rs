//! The audio thread's end of a recording allocates nothing, whether the ring takes the period
//! or it is full (counted on the pushing thread: the disk thread beside it allocates freely).

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

#[test]
fn pushing_periods_allocates_nothing() {
    let dir = std::env::temp_dir().join(format!("phonon-rec-noalloc-{}", std::process::id()));
    let mut recorder = recorder::Recorder::start(&dir, "phonon", "out").unwrap();
    let mut tap = recorder.tap(48_000);
    recorder.layout(1, &["a".to_string(), "b".to_string()]);
    let block = vec![0.25f32; 256];
    let channels: Vec<&[f32]> = vec![&block; 6];
    // Enough periods to fill the ring: some are taken, the rest dropped.
    let periods = 2 * recorder::RING_SAMPLES / (6 * 256);
    let calls = alloc_counter::count_on_this_thread(|| {
        for _ in 0..periods {
            tap.push(1, 256, &channels);
        }
    });
    assert_eq!(calls, 0);
    assert!(
        recorder.status().dropped > 0,
        "the full ring's path ran too"
    );
    drop(tap);
    recorder.finish();
    let _ = std::fs::remove_dir_all(&dir);
}
