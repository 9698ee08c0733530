//! The counter sees allocations and frees on any thread, and nothing when nothing happens.

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

#[test]
fn counts_allocations_frees_and_other_threads() {
    let calls = alloc_counter::count(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(calls, 2, "one allocation and one free");
    let mut total = 0u64;
    let calls = alloc_counter::count(|| {
        for x in 0..1000u64 {
            total = total.wrapping_add(std::hint::black_box(x));
        }
    });
    assert_eq!(calls, 0);
    let handle = std::thread::spawn(|| ());
    let calls = alloc_counter::count(|| {
        std::thread::scope(|s| {
            s.spawn(|| drop(std::hint::black_box(Box::new(7u64))));
        });
    });
    assert!(
        calls >= 2,
        "the other thread's allocation and free were seen: {calls}"
    );
    handle.join().unwrap();
    // One thread's own count: its allocation is seen, another thread's is not.
    let calls = alloc_counter::count_on_this_thread(|| drop(std::hint::black_box(vec![1u8; 64])));
    assert_eq!(calls, 2, "this thread's allocation and free");
    let calls = alloc_counter::count_on_this_thread(|| {
        std::thread::scope(|s| {
            s.spawn(|| {
                for _ in 0..100 {
                    drop(std::hint::black_box(Box::new(7u64)));
                }
            });
        })
    });
    assert!(
        calls < 100,
        "the other thread's 200 calls are not counted: {calls}"
    );
}
