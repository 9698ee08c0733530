//! Transforms that set per-event controls: `jux` pans, `stut` and `echo` scale gain.

use crate::pattern::{stack, Item, Pattern};
use crate::time::Time;
use crate::value::Value;

/// A value that carries Tidal's `pan` and `gain` controls.
pub trait Controllable: Item {
    /// Sets the pan position (0 hard left, 1 hard right).
    fn set_pan(&mut self, pan: f64);
    /// Multiplies the gain (1 when unset).
    fn scale_gain(&mut self, factor: f64);
}

/// A sound event's value: what to play, with its gain and pan.
#[derive(Clone, Debug, PartialEq)]
pub struct Sound {
    /// The sound's name (or `name:index` list).
    pub value: Value,
    /// Linear gain, 1 by default.
    pub gain: f64,
    /// Pan position, 0.5 (centre) by default.
    pub pan: f64,
}

impl Sound {
    /// A centred sound at unit gain.
    pub fn new(value: Value) -> Sound {
        Sound {
            value,
            gain: 1.0,
            pan: 0.5,
        }
    }
}

impl Controllable for Sound {
    fn set_pan(&mut self, pan: f64) {
        self.pan = pan;
    }

    fn scale_gain(&mut self, factor: f64) {
        self.gain *= factor;
    }
}

/// Turns a pattern of names into a pattern of sounds (Tidal's `s`/`sound`).
pub fn sound(names: &Pattern<Value>) -> Pattern<Sound> {
    names.fmap(|v| Sound::new(v.clone()))
}

impl<T: Controllable> Pattern<T> {
    fn map_controls(&self, f: impl Fn(&mut T) + Send + Sync + 'static) -> Pattern<T> {
        self.fmap(move |v| {
            let mut v = v.clone();
            f(&mut v);
            v
        })
    }

    /// The pattern panned hard left, with `f` of it panned hard right (Tidal's `jux`).
    pub fn jux(&self, f: impl FnOnce(&Pattern<T>) -> Pattern<T>) -> Pattern<T> {
        stack(vec![
            self.map_controls(|v| v.set_pan(0.0)),
            f(&self.map_controls(|v| v.set_pan(1.0))),
        ])
    }

    /// `count` copies, each `time` later than the last, fading from 1 towards `feedback`
    /// (Tidal's `stut`).
    pub fn stut(&self, count: i64, feedback: f64, time: Time) -> Pattern<T> {
        if count <= 1 {
            return self.clone();
        }
        let n = count as f64;
        let mut layers = vec![self.clone()];
        for x in 1..count {
            let gain = feedback + (1.0 - feedback) * ((n - x as f64) / n);
            layers.push(
                self.map_controls(move |v| v.scale_gain(gain))
                    .late(time * Time::from_int(x)),
            );
        }
        stack(layers)
    }

    /// `count` copies, each `time` later and `feedback` times quieter than the last (Tidal's
    /// `echo`).
    pub fn echo(&self, count: i64, time: Time, feedback: f64) -> Pattern<T> {
        let layers = (0..count.max(1))
            .map(|i| {
                let gain = feedback.powi(i as i32);
                self.map_controls(move |v| v.scale_gain(gain))
                    .late(time * Time::from_int(i))
            })
            .collect();
        stack(layers)
    }
}

impl<T: Item> Pattern<T> {
    /// `count` copies, each `time` later than the last, unchanged (Tidal's `stutter`).
    pub fn stutter(&self, count: i64, time: Time) -> Pattern<T> {
        stack(
            (0..count.max(1))
                .map(|i| self.late(time * Time::from_int(i)))
                .collect(),
        )
    }
}
