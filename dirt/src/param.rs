//! The parameters a `/dirt/play` message can carry that Phonon plays, and the fixed-size set of
//! values an event holds.

/// A parameter of a dirt event, by SuperDirt's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Param {
    /// Sample number in the sound's folder (wraps).
    N,
    /// Playback rate; negative plays backwards.
    Speed,
    /// Rate change over the voice's length.
    Accelerate,
    /// Semitones.
    Note,
    /// MIDI note (60 plays at the sample's pitch).
    Midinote,
    /// Octave (5 plays at the sample's pitch).
    Octave,
    /// Start within the sample, 0–1.
    Begin,
    /// End within the sample, 0–1.
    End,
    /// Length in events (`delta` × legato).
    Legato,
    /// Length in seconds.
    Sustain,
    /// The event's length in seconds.
    Delta,
    /// Cycles per second (for `unit "c"` and `lock`).
    Cps,
    /// Speed is in cycles per sample length (`unit "c"`), given as 1.
    UnitCycles,
    /// Cut group (same orbit; negative: same sample only).
    Cut,
    /// Level curve: amp × gain⁴.
    Gain,
    /// Linear level (SuperDirt's default 0.4).
    Amp,
    /// Stereo position, 0–1.
    Pan,
    /// Wave-shaping amount, 0–1.
    Shape,
    /// Vowel formant filter: 1–5 for a, e, i, o, u.
    Vowel,
    /// Low-pass cutoff in Hz.
    Cutoff,
    /// Low-pass resonance, 0–1.
    Resonance,
    /// High-pass cutoff in Hz.
    Hcutoff,
    /// High-pass resonance, 0–1.
    Hresonance,
    /// Band-pass centre in Hz.
    Bandf,
    /// Band-pass Q.
    Bandq,
    /// Bit depth.
    Crush,
    /// Sample-rate reduction factor.
    Coarse,
    /// Attack in seconds.
    Attack,
    /// Release in seconds.
    Release,
    /// Send to the orbit's delay, 0–1.
    Delay,
    /// The orbit's delay time (seconds, or cycles with `lock`).
    Delaytime,
    /// The orbit's delay feedback.
    Delayfeedback,
    /// Delay time in cycles.
    Lock,
    /// Send to the orbit's reverb, 0–1.
    Room,
    /// The orbit's reverb size, 0–1.
    Size,
    /// Dry level reduction of the orbit, 0–1.
    Dry,
}

impl Param {
    /// How many parameters there are.
    pub const COUNT: usize = Param::Dry as usize + 1;

    /// Every parameter with its name on the wire.
    pub const NAMES: [(&'static str, Param); Param::COUNT] = [
        ("n", Param::N),
        ("speed", Param::Speed),
        ("accelerate", Param::Accelerate),
        ("note", Param::Note),
        ("midinote", Param::Midinote),
        ("octave", Param::Octave),
        ("begin", Param::Begin),
        ("end", Param::End),
        ("legato", Param::Legato),
        ("sustain", Param::Sustain),
        ("delta", Param::Delta),
        ("cps", Param::Cps),
        ("unit", Param::UnitCycles),
        ("cut", Param::Cut),
        ("gain", Param::Gain),
        ("amp", Param::Amp),
        ("pan", Param::Pan),
        ("shape", Param::Shape),
        ("vowel", Param::Vowel),
        ("cutoff", Param::Cutoff),
        ("resonance", Param::Resonance),
        ("hcutoff", Param::Hcutoff),
        ("hresonance", Param::Hresonance),
        ("bandf", Param::Bandf),
        ("bandq", Param::Bandq),
        ("crush", Param::Crush),
        ("coarse", Param::Coarse),
        ("attack", Param::Attack),
        ("release", Param::Release),
        ("delay", Param::Delay),
        ("delaytime", Param::Delaytime),
        ("delayfeedback", Param::Delayfeedback),
        ("lock", Param::Lock),
        ("room", Param::Room),
        ("size", Param::Size),
        ("dry", Param::Dry),
    ];

    /// The parameter called `name` on the wire.
    pub fn from_name(name: &str) -> Option<Param> {
        Param::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, p)| p)
    }
}

/// Names Tidal and Strudel send that carry no sound parameter Phonon needs (not counted as
/// unknown).
pub const BOOKKEEPING: [&str; 6] = ["s", "orbit", "cycle", "_id_", "channel", "latency"];

/// The values an event sets, at most one per parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Values {
    values: [f32; Param::COUNT],
    set: u64,
}

impl Default for Values {
    fn default() -> Self {
        Values {
            values: [0.0; Param::COUNT],
            set: 0,
        }
    }
}

impl Values {
    /// Sets `param` to `value`.
    pub fn set(&mut self, param: Param, value: f32) {
        self.values[param as usize] = value;
        self.set |= 1 << param as u64;
    }

    /// The value of `param`, if set.
    #[inline]
    pub fn get(&self, param: Param) -> Option<f32> {
        (self.set & (1 << param as u64) != 0).then(|| self.values[param as usize])
    }

    /// The value of `param`, or `default`.
    #[inline]
    pub fn or(&self, param: Param, default: f32) -> f32 {
        self.get(param).unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_has_one_name() {
        for (k, (name, param)) in Param::NAMES.iter().enumerate() {
            assert_eq!(*param as usize, k, "{name} is in enum order");
            assert_eq!(Param::from_name(name), Some(*param));
        }
        assert_eq!(Param::from_name("squiz"), None);
        const { assert!(Param::COUNT <= 64) };
    }

    #[test]
    fn values_remember_what_was_set() {
        let mut v = Values::default();
        assert_eq!(v.get(Param::Gain), None);
        v.set(Param::Gain, 1.2);
        assert_eq!(v.get(Param::Gain), Some(1.2));
        assert_eq!(v.or(Param::Pan, 0.5), 0.5);
    }
}
