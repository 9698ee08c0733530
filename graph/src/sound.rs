//! Sound events: what a sound pattern's events hold — a sound name and per-event controls.

use crate::registry::Control;
use pattern::{Controllable, Pattern, Value};

/// A sound to play and the controls set on it with `#`.
#[derive(Clone, Debug, PartialEq)]
pub struct SoundEvent {
    /// The sound's name, or a `name:index` list.
    pub sound: Value,
    /// Control values by [`Control::index`]; NaN where unset.
    controls: [f64; Control::ALL.len()],
}

impl SoundEvent {
    /// A sound with no controls set.
    pub fn new(sound: Value) -> SoundEvent {
        SoundEvent {
            sound,
            controls: [f64::NAN; Control::ALL.len()],
        }
    }

    /// A control's value, if set.
    pub fn get(&self, control: Control) -> Option<f64> {
        let v = self.controls[control.index()];
        (!v.is_nan()).then_some(v)
    }

    /// Sets a control.
    pub fn set(&mut self, control: Control, value: f64) {
        self.controls[control.index()] = value;
    }
}

impl Controllable for SoundEvent {
    fn set_pan(&mut self, pan: f64) {
        self.set(Control::Pan, pan);
    }

    fn scale_gain(&mut self, factor: f64) {
        let gain = self.get(Control::Gain).unwrap_or(1.0);
        self.set(Control::Gain, gain * factor);
    }
}

/// `sounds` with `control` set from `values`, keeping the sounds' structure (Tidal's `#`).
pub fn with_control(
    sounds: &Pattern<SoundEvent>,
    control: Control,
    values: &Pattern<f64>,
) -> Pattern<SoundEvent> {
    sounds.zip_left(values, move |e, &v| {
        let mut e = e.clone();
        e.set(control, v);
        e
    })
}
