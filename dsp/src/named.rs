//! Values a controller sets by name (the control port's `/set cutoff 800`) and `ctrl` nodes
//! read: a fixed table of atomics, so the audio thread reads them without a lock, and names
//! given slots on the control thread.

use crate::declaration::Port;
use crate::{downcast, Carry, Context, In, Node};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// How many names a table holds.
pub const NAMED_VALUES: usize = 64;

/// The values, each unset (NaN) until a controller sets it.
pub struct NamedValues {
    values: [AtomicU32; NAMED_VALUES],
    /// The names given slots so far, in slot order (control thread only).
    names: Mutex<Vec<String>>,
}

impl Default for NamedValues {
    fn default() -> NamedValues {
        NamedValues {
            values: std::array::from_fn(|_| AtomicU32::new(f32::NAN.to_bits())),
            names: Mutex::new(Vec::new()),
        }
    }
}

impl std::fmt::Debug for NamedValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_map()
            .entries(names.iter().enumerate().map(|(k, n)| (n, self.get(k))))
            .finish()
    }
}

/// The name under which the engine publishes its tempo in cycles per second, as Tidal's stream
/// does (`sec`, `msec` and `cF 1 "_cps"` read it).
pub const CPS: &str = "_cps";

/// The name under which the engine publishes the cycle it is playing, which Tidal's triggers
/// read when a patch is loaded (a 32-bit float: whole cycles exact up to 2²⁴).
pub const CYCLE: &str = "_cycle";

impl NamedValues {
    /// The table of this process: the engine's, which the control port sets and the patterns
    /// of Tidal's `cF` family read (one engine plays in a process).
    pub fn shared() -> Arc<NamedValues> {
        static SHARED: std::sync::LazyLock<Arc<NamedValues>> =
            std::sync::LazyLock::new(Arc::default);
        SHARED.clone()
    }

    /// Stores `value` in `slot`. Real-time safe.
    #[inline]
    pub fn store(&self, slot: usize, value: f32) {
        if let Some(v) = self.values.get(slot) {
            v.store(value.to_bits(), Ordering::Relaxed);
        }
    }

    /// The slot of `name`, given one if it has none yet; `None` when the table is full.
    /// Control thread only (it locks).
    pub fn slot(&self, name: &str) -> Option<usize> {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(k) = names.iter().position(|n| n == name) {
            return Some(k);
        }
        (names.len() < NAMED_VALUES).then(|| {
            names.push(name.to_string());
            names.len() - 1
        })
    }

    /// Sets `name` to `value`; false when the table is full. Control thread only.
    pub fn set(&self, name: &str, value: f32) -> bool {
        match self.slot(name) {
            Some(k) => {
                self.values[k].store(value.to_bits(), Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// The value in `slot`: NaN while unset. Real-time safe.
    #[inline]
    pub fn get(&self, slot: usize) -> f32 {
        self.values
            .get(slot)
            .map_or(f32::NAN, |v| f32::from_bits(v.load(Ordering::Relaxed)))
    }
}

crate::ports! {
    /// What a `ctrl` node reads: its value until a controller sets one.
    pub struct NamedValuePorts {
        default: Port::signal(0.0, ""),
    }
}

/// How long a new value takes to arrive, in seconds: quick, but never a step.
const GLIDE_SECONDS: f32 = 0.005;

/// A named value as a signal: the controller's, or the default while it sets none.
pub struct NamedValue {
    values: Arc<NamedValues>,
    slot: Option<usize>,
    level: Option<f32>,
}

impl NamedValue {
    /// The value called `name` of `values`. Allocates (a slot); call on the control thread.
    pub fn new(values: Arc<NamedValues>, name: &str) -> NamedValue {
        let slot = values.slot(name);
        NamedValue {
            values,
            slot,
            level: None,
        }
    }
}

impl Node for NamedValue {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let default = NamedValuePorts::read(inputs).default;
        let set = self.slot.map_or(f32::NAN, |k| self.values.get(k));
        let k = 1.0 - (-1.0 / (GLIDE_SECONDS * ctx.sample_rate)).exp();
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let target = if set.is_finite() { set } else { default.at(i) };
            let level = match self.level {
                None => target,
                Some(l) => l + (target - l) * k,
            };
            self.level = Some(level);
            *y = level;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }

    /// Keeps its own name (an edit may have renamed it) and glides on from the older node's
    /// level.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<NamedValue>(old) {
            self.level = old.level;
        }
        Carry::Taken
    }
}
