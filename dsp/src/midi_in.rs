//! MIDI controllers as signals: the host writes each Control Change its MIDI input receives
//! into a table of atomics (real-time safe, on its process thread, before the block is
//! rendered); a `cc` node reads its controller from the table and glides to it, so a knob
//! turned in 127 steps moves a filter without zipper noise.

use crate::declaration::{Declaration, Port};
use crate::{downcast, Carry, Context, In, Node, Width};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// Each controller's latest value, 0 to 1, per channel and from any channel; NaN until one
/// arrives.
pub struct MidiControls {
    any: [AtomicU32; 128],
    channels: [[AtomicU32; 128]; 16],
}

impl Default for MidiControls {
    fn default() -> MidiControls {
        let unset = || AtomicU32::new(f32::NAN.to_bits());
        MidiControls {
            any: std::array::from_fn(|_| unset()),
            channels: std::array::from_fn(|_| std::array::from_fn(|_| unset())),
        }
    }
}

impl MidiControls {
    /// The table of this process, which the host's MIDI input fills.
    pub fn shared() -> Arc<MidiControls> {
        static SHARED: std::sync::LazyLock<Arc<MidiControls>> =
            std::sync::LazyLock::new(Arc::default);
        SHARED.clone()
    }

    /// Takes one raw MIDI message: a Control Change (`Bn cc vv`) sets its controller; anything
    /// else is left. True if it was one. Real-time safe.
    pub fn take(&self, message: &[u8]) -> bool {
        match *message {
            [status, number, value, ..] if status & 0xf0 == 0xb0 && number < 128 => {
                let value = f32::from(value.min(127)) / 127.0;
                let channel = usize::from(status & 0x0f);
                self.channels[channel][usize::from(number)]
                    .store(value.to_bits(), Ordering::Relaxed);
                self.any[usize::from(number)].store(value.to_bits(), Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    /// Controller `number`'s latest value on `channel` (1 to 16), or from any channel with
    /// `None`; NaN until one came. Real-time safe.
    #[inline]
    pub fn get(&self, channel: Option<usize>, number: usize) -> f32 {
        let slot = match channel {
            Some(c) => self
                .channels
                .get(c.wrapping_sub(1))
                .and_then(|c| c.get(number)),
            None => self.any.get(number),
        };
        slot.map_or(f32::NAN, |v| f32::from_bits(v.load(Ordering::Relaxed)))
    }
}

crate::ports! {
    /// What `cc` reads.
    pub struct CcPorts {
        number: Port::signal(1.0, "").within(0.0, 127.0),
        channel: Port::signal(0.0, "").within(0.0, 16.0),
        default: Port::signal(0.0, ""),
        lag: Port::signal(0.02, "s").within(0.0, 10.0),
    }
}

/// A MIDI controller as a signal from 0 to 1.
pub struct Cc {
    table: Arc<MidiControls>,
    level: Option<f32>,
}

impl Node for Cc {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = CcPorts::read(inputs);
        let number = p.number.at(0).round().clamp(0.0, 127.0) as usize;
        let channel = p.channel.at(0).round().clamp(0.0, 16.0) as usize;
        let set = self.table.get((channel > 0).then_some(channel), number);
        let lag = p.lag.at(0).max(0.0);
        let k = if lag > 0.0 {
            1.0 - (-1.0 / (lag * ctx.sample_rate)).exp()
        } else {
            1.0
        };
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let target = if set.is_finite() {
                set
            } else {
                p.default.at(i)
            };
            let level = match self.level {
                None => target,
                Some(l) => l + (target - l) * k,
            };
            self.level = Some(crate::sanitize(level));
            *y = level;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }

    /// Glides on from the older node's level across an edit.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<Cc>(old) {
            self.level = old.level;
        }
        Carry::Taken
    }
}

/// Makes `cc`.
pub fn make_cc(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Cc {
        table: MidiControls::shared(),
        level: None,
    })
}

/// `cc`.
pub static CC: Declaration = Declaration {
    name: "cc",
    aliases: &["midi_cc"],
    ports: CcPorts::PORTS,
    width: Width::Mono,
    make: make_cc,
    doc: "A MIDI controller from `--midi-in`, 0 to 1, gliding over `lag` seconds: its number, its channel (1–16; 0 for any) and its value until one arrives.",
    example: "out: saw 110 # lpf (cc 74 * 4000 + 200) 0.7 * 0.2",
    control: None,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_changes_set_their_controller_on_their_channel_and_any() {
        let table = MidiControls::default();
        assert!(table.get(None, 74).is_nan());
        assert!(table.take(&[0xb2, 74, 127]));
        assert!(!table.take(&[0x92, 60, 100]), "a note is not a controller");
        assert_eq!(table.get(Some(3), 74), 1.0);
        assert_eq!(table.get(None, 74), 1.0);
        assert!(table.get(Some(1), 74).is_nan());
        table.take(&[0xb0, 74, 0]);
        assert_eq!(table.get(None, 74), 0.0);
        assert_eq!(table.get(Some(3), 74), 1.0);
    }
}
