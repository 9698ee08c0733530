//! One event as the audio thread receives it: fixed size, no names, no allocation.

use pattern::Controls;

/// A `/dirt/play` message, decoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DirtEvent {
    /// When it starts, in monotonic microseconds (JACK's clock); `None`: at once.
    pub at: Option<u64>,
    /// The sample, as an index into the engine's `SoundTable`.
    pub sample: u32,
    /// The orbit it plays on.
    pub orbit: u16,
    /// Its controls.
    pub values: Controls,
}

/// The sound index of events for the MIDI out port (`s "midi"`), not for an orbit.
pub const MIDI_TARGET: u32 = u32::MAX;

/// The sound index of SuperDirt's `superpanic`: every orbit's sounds and effect tails stop
/// (faded over the declick), whichever orbit the event names.
pub const PANIC: u32 = u32::MAX - 1;
