//! A global allocator that counts allocations, frees and reallocations while counting is on, for
//! tests that prove a real-time path touches no allocator.
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;
//!
//! let calls = alloc_counter::count(|| run_the_audio_path());
//! assert_eq!(calls, 0);
//! ```

#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

static COUNTING: AtomicBool = AtomicBool::new(false);
static CALLS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Calls made on this thread while [`count_on_this_thread`] runs here (`None`: not
    /// counting). A const-initialised `Cell` of plain data: reading it never allocates.
    static THREAD_CALLS: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}
static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);

/// The system allocator, counting every call on every thread while [`count`] runs.
pub struct CountingAllocator;

fn note() {
    if COUNTING.load(Ordering::Relaxed) {
        CALLS.fetch_add(1, Ordering::Relaxed);
    }
    // `try_with`: the allocator also runs while thread locals are torn down.
    let _ = THREAD_CALLS.try_with(|calls| {
        if let Some(n) = calls.get() {
            calls.set(Some(n + 1));
        }
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        LIVE_BYTES.fetch_add(layout.size() as i64, Ordering::Relaxed);
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        LIVE_BYTES.fetch_add(layout.size() as i64, Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note();
        LIVE_BYTES.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        LIVE_BYTES.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

/// Runs `f` and returns how many allocator calls (allocations, frees, reallocations) any thread
/// made meanwhile. Only meaningful where [`CountingAllocator`] is the global allocator, and with
/// nothing else running: keep a counting test alone in its test binary, as the test harness runs
/// a binary's tests on parallel threads.
pub fn count(f: impl FnOnce()) -> u64 {
    let before = CALLS.load(Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f();
    COUNTING.store(false, Ordering::SeqCst);
    CALLS.load(Ordering::SeqCst) - before
}

/// Runs `f` and returns how many allocator calls the calling thread made meanwhile, whatever
/// other threads do: for a real-time thread working beside threads that may allocate (a disk
/// writer, a control thread).
pub fn count_on_this_thread(f: impl FnOnce()) -> u64 {
    THREAD_CALLS.with(|calls| calls.set(Some(0)));
    f();
    THREAD_CALLS.with(|calls| calls.replace(None)).unwrap_or(0)
}

/// Bytes currently allocated through [`CountingAllocator`] by every thread, counted whether or
/// not [`count`] is running: compare two readings to find a leak.
pub fn live_bytes() -> i64 {
    LIVE_BYTES.load(Ordering::SeqCst)
}

/// Waits until the test harness has finished starting the calling test: libtest's main thread
/// allocates briefly after it spawns a test's thread, which a count begun at once would see.
pub fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(50));
}
