//! Sounds and their controls: what a sound pattern's events hold (a sound name and the per-event
//! controls set with `#`), and the transforms that set controls (`jux` pans, `stut` and `echo`
//! scale gain).

use crate::event::Event;
use crate::pattern::{fastcat, stack, Item, Pattern};
use crate::time::{Span, Time};
use crate::value::Value;
use bumpalo::collections::Vec as BVec;

/// A per-event control of a sound pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Control {
    /// Linear gain.
    Gain,
    /// Pan, 0 (left) to 1 (right).
    Pan,
    /// Playback rate; negative plays backwards.
    Speed,
    /// Sample index within the sound's folder.
    N,
    /// Pitch shift in semitones.
    Note,
    /// Start point within the sample, 0 to 1.
    Begin,
    /// End point within the sample, 0 to 1.
    End,
    /// Cut group: a new event stops the sounding one.
    Cut,
    /// Duration relative to the event's length.
    Legato,
    /// Fade-in time in seconds.
    Attack,
    /// Fade-out time in seconds.
    Release,
    /// How speed is measured: 0 as a rate, 1 in cycles (Tidal's `unit "c"`: speed 1 plays the
    /// played part of the sample over one cycle).
    Unit,
}

impl Control {
    /// Every control, in index order.
    pub const ALL: [Control; 12] = [
        Control::Gain,
        Control::Pan,
        Control::Speed,
        Control::N,
        Control::Note,
        Control::Begin,
        Control::End,
        Control::Cut,
        Control::Legato,
        Control::Attack,
        Control::Release,
        Control::Unit,
    ];

    /// Its position in [`Control::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its name as Tidal spells it (`speed`, `n`, `legato`).
    pub fn name(self) -> &'static str {
        match self {
            Control::Gain => "gain",
            Control::Pan => "pan",
            Control::Speed => "speed",
            Control::N => "n",
            Control::Note => "note",
            Control::Begin => "begin",
            Control::End => "end",
            Control::Cut => "cut",
            Control::Legato => "legato",
            Control::Attack => "attack",
            Control::Release => "release",
            Control::Unit => "unit",
        }
    }
}

/// A sound to play and the controls set on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sound {
    /// The sound's name, or a `name:index` list.
    pub sound: Value,
    /// Control values by [`Control::index`]; NaN where unset.
    controls: [f64; Control::ALL.len()],
}

impl Sound {
    /// A sound with no controls set.
    pub fn new(sound: Value) -> Sound {
        Sound {
            sound,
            controls: [f64::NAN; Control::ALL.len()],
        }
    }

    /// A control's value, if set.
    pub fn get(&self, control: Control) -> Option<f64> {
        let v = self.controls[control.index()];
        (!v.is_nan()).then_some(v)
    }

    /// The part `k` of `n` of the sample range this sound already plays (Tidal's
    /// `mergePlayRange`): its `begin`..`end`, 0..1 when unset, cut into `n` equal parts.
    pub fn play_range(&self, k: i64, n: i64) -> Sound {
        let (b, e) = (
            self.get(Control::Begin).unwrap_or(0.0),
            self.get(Control::End).unwrap_or(1.0),
        );
        let (from, to) = (k as f64 / n as f64, (k + 1) as f64 / n as f64);
        let mut v = self.clone();
        v.set(Control::Begin, b + (e - b) * from);
        v.set(Control::End, b + (e - b) * to);
        v
    }

    /// Sets a control.
    pub fn set(&mut self, control: Control, value: f64) {
        self.controls[control.index()] = value;
    }

    /// The controls that are set, in index order.
    pub fn controls(&self) -> impl Iterator<Item = (Control, f64)> + '_ {
        Control::ALL
            .iter()
            .filter_map(|&c| self.get(c).map(|v| (c, v)))
    }

    /// Multiplies the gain (1 when unset).
    pub fn scale_gain(&mut self, factor: f64) {
        let gain = self.get(Control::Gain).unwrap_or(1.0);
        self.set(Control::Gain, gain * factor);
    }
}

impl std::fmt::Display for Sound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s: {}", self.sound)?;
        for (c, v) in self.controls() {
            write!(f, ", {}: {v}", c.name())?;
        }
        Ok(())
    }
}

/// Turns a pattern of names into a pattern of sounds (Tidal's `s`/`sound`).
pub fn sound(names: &Pattern<Value>) -> Pattern<Sound> {
    names.fmap(|v| Sound::new(v.clone()))
}

impl Pattern<Sound> {
    fn map_sounds(&self, f: impl Fn(&mut Sound) + Send + Sync + 'static) -> Pattern<Sound> {
        self.fmap(move |v| {
            let mut v = v.clone();
            f(&mut v);
            v
        })
    }

    /// `control` set from `values`, keeping this pattern's structure (Tidal's `# control`).
    pub fn with_control(&self, control: Control, values: &Pattern<f64>) -> Pattern<Sound> {
        self.zip_left(values, move |e, &v| {
            let mut e = e.clone();
            e.set(control, v);
            e
        })
    }

    /// Sped up by `factor`, with each event's playback rate multiplied by it (set when unset),
    /// so samples rise in pitch with the tempo (Tidal's `hurry`).
    pub fn hurry_p(&self, factor: &Pattern<Time>) -> Pattern<Sound> {
        self.fast_p(factor).zip_left(factor, |e, f| {
            let mut e = e.clone();
            let f = f.to_f64();
            e.set(Control::Speed, e.get(Control::Speed).map_or(f, |s| s * f));
            e
        })
    }

    /// The pattern panned hard left, with `f` of it panned hard right (Tidal's `jux`).
    pub fn jux(&self, f: impl FnOnce(&Pattern<Sound>) -> Pattern<Sound>) -> Pattern<Sound> {
        stack(vec![
            self.map_sounds(|v| v.set(Control::Pan, 0.0)),
            f(&self.map_sounds(|v| v.set(Control::Pan, 1.0))),
        ])
    }

    /// Each event cut into `n` equal events playing successive parts of its sample (Tidal's
    /// `chop`): a granular stretch of the sample across the event.
    pub fn chop(&self, n: i64) -> Pattern<Sound> {
        if n <= 1 {
            return self.clone();
        }
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| {
            let mut events = BVec::new_in(arena);
            p.query_into(span, arena, &mut events);
            for e in events.iter() {
                let Some(whole) = e.whole else {
                    continue;
                };
                let step = (whole.end - whole.begin) / Time::from_int(n);
                for k in 0..n {
                    let begin = whole.begin + step * Time::from_int(k);
                    let sub = Span::new(begin, begin + step);
                    if let Some(part) = sub.intersect(e.part) {
                        if part.begin < part.end || (sub.begin == sub.end) {
                            out.push(Event {
                                whole: Some(sub),
                                part,
                                value: e.value.play_range(k, n),
                            });
                        }
                    }
                }
            }
        })
    }

    /// The pattern `n` times in a cycle, the `k`th time playing the `k`th part of each sample
    /// (Tidal's `striate`): the samples interlaced.
    pub fn striate(&self, n: i64) -> Pattern<Sound> {
        if n <= 1 {
            return self.clone();
        }
        fastcat(
            (0..n)
                .map(|k| self.map_sounds(move |v| *v = v.play_range(k, n)))
                .collect(),
        )
    }

    /// Each event plays part `index` of `n` equal parts of its sample (Tidal's `slice`, with
    /// the index taken at each event's onset).
    pub fn slice(&self, n: i64, index: &Pattern<f64>) -> Pattern<Sound> {
        let n = n.max(1);
        self.zip_left(index, move |v, &i| {
            let k = (i.floor() as i64).rem_euclid(n);
            let mut v = v.clone();
            v.set(Control::Begin, k as f64 / n as f64);
            v.set(Control::End, (k + 1) as f64 / n as f64);
            v
        })
    }

    /// Like [`Pattern::slice`], and each event's speed is set so its part of the sample fills
    /// the event (Tidal's `splice`: speed in cycles, an existing speed multiplying it).
    pub fn splice(&self, n: i64, index: &Pattern<f64>) -> Pattern<Sound> {
        let n = n.max(1);
        let sliced = self.slice(n, index);
        Pattern::from_fn(move |span, arena, out| {
            let from = out.len();
            sliced.query_into(span, arena, out);
            for e in out[from..].iter_mut() {
                let Some(whole) = e.whole else { continue };
                let length = whole.duration().to_f64();
                if length <= 0.0 {
                    continue;
                }
                let fit = 1.0 / (n as f64 * length);
                let speed = e.value.get(Control::Speed).map_or(fit, |s| s * fit);
                e.value.set(Control::Speed, speed);
                e.value.set(Control::Unit, 1.0);
            }
        })
    }

    /// `count` copies, each `time` later than the last, fading from 1 towards `feedback`
    /// (Tidal's `stut`).
    pub fn stut(&self, count: i64, feedback: f64, time: Time) -> Pattern<Sound> {
        if count <= 1 {
            return self.clone();
        }
        let n = count as f64;
        let mut layers = vec![self.clone()];
        for x in 1..count {
            let gain = feedback + (1.0 - feedback) * ((n - x as f64) / n);
            layers.push(
                self.map_sounds(move |v| v.scale_gain(gain))
                    .late(time * Time::from_int(x)),
            );
        }
        stack(layers)
    }

    /// `count` copies, each `time` later and `feedback` times quieter than the last (Tidal's
    /// `echo`).
    pub fn echo(&self, count: i64, time: Time, feedback: f64) -> Pattern<Sound> {
        let layers = (0..count.max(1))
            .map(|i| {
                let gain = feedback.powi(i as i32);
                self.map_sounds(move |v| v.scale_gain(gain))
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
