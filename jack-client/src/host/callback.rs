//! The guard between JACK's process callback and the closing of its client. libjack stops the
//! process thread with an asynchronous cancel when the client closes, which must not land
//! inside our code: closing first asks the callback to stop working, waits until it is out of
//! any block, and only then deactivates the client.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What the process callback and the control thread share about the callback's progress.
#[derive(Default)]
pub struct CallbackGuard {
    /// The callback is running.
    in_callback: AtomicBool,
    /// Closing: the callback writes silence and returns at once.
    closing: AtomicBool,
    /// Blocks completed: the watchdog's sign that the audio thread is alive.
    blocks: AtomicU64,
}

impl CallbackGuard {
    /// Called first in the callback. False once closing: the callback then writes silence,
    /// calls [`CallbackGuard::leave`] and returns.
    pub fn enter(&self) -> bool {
        self.in_callback.store(true, Ordering::SeqCst);
        !self.closing.load(Ordering::SeqCst)
    }

    /// Called last in the callback; `completed` counts a block played.
    pub fn leave(&self, completed: bool) {
        if completed {
            self.blocks.fetch_add(1, Ordering::Release);
        }
        self.in_callback.store(false, Ordering::SeqCst);
    }

    /// Blocks completed so far: a callback that began after a reading of this has returned
    /// once it has grown by two.
    pub fn blocks(&self) -> u64 {
        self.blocks.load(Ordering::Acquire)
    }

    /// Asks the callback to stop working and waits until it is out of any block, at most
    /// `patience`: false if a block does not end by then (the engine is stuck).
    pub fn close(&self, patience: Duration) -> bool {
        self.closing.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + patience;
        while self.in_callback.load(Ordering::SeqCst) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn closing_waits_for_the_block_in_progress_and_stops_the_next() {
        let guard = Arc::new(CallbackGuard::default());
        assert!(guard.enter());
        guard.leave(true);
        assert_eq!(guard.blocks(), 1);
        // A block in progress on another thread, ending after 50 ms.
        assert!(guard.enter());
        let callback = {
            let guard = guard.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                guard.leave(true);
            })
        };
        assert!(guard.close(Duration::from_secs(10)), "the block ended");
        callback.join().unwrap();
        assert_eq!(guard.blocks(), 2);
        assert!(!guard.enter(), "closing: the next callback does no work");
        assert!(
            !guard.close(Duration::from_millis(10)),
            "a block that never ends"
        );
        guard.leave(false);
        assert_eq!(guard.blocks(), 2);
    }
}
