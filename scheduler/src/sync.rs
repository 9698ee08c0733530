//! The synchronisation primitives the scheduler is built from: `std` normally, `loom` under
//! `--cfg loom`, so the real counter, release and parking code is what the model checker runs.

#[cfg(not(loom))]
pub use std::{
    sync::{
        atomic::{fence, AtomicBool, AtomicIsize, AtomicU32, AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    thread,
};

#[cfg(loom)]
pub use loom::{
    sync::{
        atomic::{fence, AtomicBool, AtomicIsize, AtomicU32, AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    thread,
};

/// A pause inside a spin-wait: a CPU hint normally, a scheduling point under loom (where a
/// spinning thread must let the others run or the model never progresses).
#[inline]
pub fn spin_hint() {
    #[cfg(not(loom))]
    std::hint::spin_loop();
    #[cfg(loom)]
    loom::thread::yield_now();
}

/// An `UnsafeCell` whose accesses loom can check for data races.
#[cfg(loom)]
pub use loom::cell::UnsafeCell;

/// An `UnsafeCell` with loom's closure-based access API.
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    /// Wraps a value.
    pub const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }

    /// Reads through a shared pointer; the caller guarantees no concurrent write.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Writes through a mutable pointer; the caller guarantees exclusive access.
    #[inline]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
