//! The audio thread's end of a recording allocates nothing and takes no page fault, whether
//! the ring takes the period or it is full (counted on the pushing thread: the disk thread
//! beside it allocates freely).

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

/// Page faults this thread has taken so far.
fn page_faults() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid rusage for the call to fill.
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) },
        0
    );
    usage.ru_minflt + usage.ru_majflt
}

#[test]
fn pushing_periods_allocates_nothing_and_takes_no_page_fault() {
    let dir = std::env::temp_dir().join(format!("phonon-rec-noalloc-{}", std::process::id()));
    let mut recorder = recorder::Recorder::start(&dir, "phonon", "out").unwrap();
    let mut tap = recorder.tap(48_000);
    recorder.layout(1, &["a".to_string(), "b".to_string()]);
    let block = vec![0.25f32; 256];
    let channels: Vec<&[f32]> = vec![&block; 6];
    // Enough periods to fill the ring: some are taken, the rest dropped.
    let periods = 2 * recorder::RING_SAMPLES / (6 * 256);
    let faults = page_faults();
    let calls = alloc_counter::count_on_this_thread(|| {
        for _ in 0..periods {
            tap.push(1, 256, &channels);
        }
    });
    let faults = page_faults() - faults;
    assert_eq!(calls, 0);
    assert_eq!(
        faults, 0,
        "the ring's memory was touched before the first push"
    );
    assert!(
        recorder.status().dropped > 0,
        "the full ring's path ran too"
    );
    drop(tap);
    recorder.finish();
    let _ = std::fs::remove_dir_all(&dir);
}
