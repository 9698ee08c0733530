//! Sounds and their controls: what a sound pattern's events hold (a sound name and the per-event
//! controls set with `#`), and the transforms that set controls (`jux` pans, `stut` and `echo`
//! scale gain).

use crate::event::Event;
use crate::pattern::{fastcat, stack, Item, Pattern};
use crate::time::{Span, Time};
use crate::value::Value;
use bumpalo::collections::Vec as BVec;

/// Declares [`Control`] from one table: each control's variant, its name as Tidal and SuperDirt
/// spell it, and what it does.
macro_rules! controls {
    ($($variant:ident $name:literal $doc:literal,)*) => {
        /// A per-event control: SuperDirt's parameter vocabulary, shared by the patch language's
        /// `# control` and by `/dirt/play` messages.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum Control {
            $(#[doc = $doc] $variant,)*
        }

        impl Control {
            /// Every control, in index order.
            pub const ALL: [Control; [$(Control::$variant),*].len()] = [$(Control::$variant),*];

            /// Every control's name, in index order.
            pub const NAMES: [&'static str; Control::ALL.len()] = [$($name),*];

            /// Its name as Tidal and SuperDirt spell it (`speed`, `n`, `legato`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Control::$variant => $name,)*
                }
            }

            /// What it does, in one line.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Control::$variant => $doc,)*
                }
            }
        }
    };
}

controls! {
    Gain "gain" "Level on SuperDirt's curve: amp × gain⁴ (gain at most 2).",
    Pan "pan" "Stereo position, 0 (left) to 1 (right).",
    Speed "speed" "Playback rate; negative plays backwards.",
    N "n" "Sample number within the sound's folder (wraps).",
    Note "note" "Pitch shift in semitones.",
    Begin "begin" "Where in the sample the event starts, 0 to 1.",
    End "end" "Where in the sample the event stops, 0 to 1.",
    Cut "cut" "Cut group: a new event fades out the sounding ones of its group (negative: of its sample only).",
    Legato "legato" "Length relative to the event's own.",
    Attack "attack" "SuperDirt's envelope: the rise from silence, in seconds (with no `hold` or `release`, the sound ends there).",
    Release "release" "SuperDirt's envelope: after `attack` and `hold`, the fade to silence, in seconds (`release 0.1` alone: the first tenth of a second, fading).",
    Hold "hold" "SuperDirt's envelope: seconds at full level between `attack` and `release`.",
    Curve "curve" "The bend of SuperDirt's envelopes' slopes (`attack`/`release`, `tilt`): 0 straight, negative fast then slow, positive slow then fast.",
    Tilt "tilt" "SuperDirt's grain envelope over the event's length: where its peak falls, 0 (at once) to 1 (at the end).",
    Plat "plat" "SuperDirt's grain envelope: the part of the event held at full level, 0 to 1 (with `tilt`).",
    Unit "unit" "How speed is measured: `r` (or 0) as a rate, `c` (or 1) in cycles, speed 1 playing the played part of the sample over one cycle.",
    Accelerate "accelerate" "Rate change over the sound's length (1 doubles the rate by its end).",
    Midinote "midinote" "MIDI note; 60 plays at the sample's own pitch.",
    Octave "octave" "Octave; 5 plays at the sample's own pitch.",
    Sustain "sustain" "Length in seconds.",
    Delta "delta" "The event's length in seconds (sent by Tidal; `legato` is relative to it).",
    Cps "cps" "Cycles per second (for `unit \"c\"` and `lock`).",
    Amp "amp" "Linear level under gain's curve.",
    Shape "shape" "Wave-shaping distortion, 0 to 1.",
    Vowel "vowel" "Formant filter: `a`, `e`, `i`, `o` or `u` (or 1 to 5).",
    Cutoff "cutoff" "Low-pass cutoff in Hz.",
    Resonance "resonance" "Low-pass resonance, 0 to 1.",
    Hcutoff "hcutoff" "High-pass cutoff in Hz.",
    Hresonance "hresonance" "High-pass resonance, 0 to 1.",
    Bandf "bandf" "Band-pass centre in Hz.",
    Bandq "bandq" "Band-pass Q.",
    Crush "crush" "Bit depth: 1 is harsh, 16 is near clean (0 is off).",
    Coarse "coarse" "Sample-rate reduction: holds each sample for this many frames.",
    Delay "delay" "The level of the orbit's delay (the orbit's sound and its echoes), set by each event (0 when unset).",
    Delaytime "delaytime" "The orbit's delay time in seconds (in cycles with `lock`).",
    Delayfeedback "delayfeedback" "The orbit's delay feedback, 0 to 1.",
    Lock "lock" "1: delaytime is in cycles.",
    Room "room" "Send to the orbit's reverb, 0 to 1.",
    Size "size" "The orbit's reverb size, 0 to 1.",
    Dry "dry" "How much of the event's reverb send is taken away, 0 to 1 (its own sound stays whole).",
    Tremolorate "tremolorate" "Tremolo rate in Hz.",
    Tremolodepth "tremolodepth" "Tremolo depth, 0 to 1.",
    Phaserrate "phaserrate" "Phaser rate in Hz.",
    Phaserdepth "phaserdepth" "Phaser depth, 0 to 1.",
    Triode "triode" "Triode-like distortion of the lower half of the wave.",
    Krush "krush" "Sonic Pi's krush distortion (0 is clean).",
    Kcutoff "kcutoff" "The low-pass after krush, in Hz (4000 when unset).",
    Octer "octer" "Octave-up harmonics, 0 to 1.",
    Octersub "octersub" "An octave below, its level.",
    Octersubsub "octersubsub" "Two octaves below, its level.",
    Ring "ring" "Ring modulation amount.",
    Ringf "ringf" "Ring modulation frequency in Hz.",
    Ringdf "ringdf" "How far the ring frequency glides over a second, in Hz.",
    Djf "djf" "DJ filter: below 0.5 a low-pass closing towards 0, above it a high-pass opening towards 1.",
    Distort "distort" "A crunchy distortion (crossover distortion, resonances at 60, 240 and 3000 Hz), 0 to 1.",
    Waveloss "waveloss" "Drops this many of every 100 wave cycles, at random.",
    Squiz "squiz" "Plays each wave cycle this many times as fast (2 and up): a mix of filter, ring modulator and pitch shifter.",
    Fshift "fshift" "Frequency shift in Hz (every partial moved by the same amount).",
    Fshiftnote "fshiftnote" "Frequency shift as a multiple of the event's note frequency, added to `fshift`.",
    Fshiftphase "fshiftphase" "The frequency shifter's phase, in radians.",
    Freeze "freeze" "Above 0, holds the spectrum of the sound's first moment (spectral freeze).",
    Comb "comb" "Spectral comb: 0 to 1, more and narrower teeth cut from the spectrum.",
    Smear "smear" "Spectral smear: 0 to 1, each partial spread over up to 64 bins.",
    Scram "scram" "Spectral scramble: 0 to 1, how many bins move and how far.",
    Binshift "binshift" "Spectral stretch and shift: 0 to 1 (about 0.25 leaves the partials in place).",
    Hbrick "hbrick" "Spectral high-pass: 0 to 1, how much of the spectrum from the bottom is cut.",
    Lbrick "lbrick" "Spectral low-pass: 0 to 1, how much of the spectrum from the top is cut.",
    Real "real" "Spectral conformal map, its real part, 0 to 1 (0.5 when only `imag` is set).",
    Imag "imag" "Spectral conformal map, its imaginary part, 0 to 1 (0.5 when only `real` is set).",
    Enhance "enhance" "Spectral enhancer: 0 to 1, partials added above each one.",
    Tsdelay "tsdelay" "Spectral delay: 0 to 1, how long the picked bands wait (up to 0.2 s).",
    Xsdelay "xsdelay" "Spectral delay: a whole number whose bits pick which of 16 bands are delayed, and how far.",
    Psrate "psrate" "Pitch shift by this ratio (0 to 4), keeping the length: grains of the sound, as SuperDirt's `PitchShift`.",
    Psdisp "psdisp" "The pitch shifter's grains start up to this many seconds further back (it blurs the comb of even grains).",
    Timescale "timescale" "Stretches a sample to this many times its length, at its own pitch (SuperDirt's overlap-add).",
    Timescalewin "timescalewin" "`timescale`'s window, times its own (50 ms × the timescale, held to 0.1–2).",
    Overgain "overgain" "Added to `gain` past its limit of 2: level = amp × (gain + overgain)⁴.",
    Loop "loop" "Plays the sample this many times over (when neither `sustain` nor `legato` is set).",
    Lag "lag" "Plays the event this many seconds late (`phonon dirt`).",
    Offset "offset" "Plays the event this many seconds late, times its speed (`phonon dirt`).",
    Leslie "leslie" "The orbit's rotary speaker: how much of its dry sound goes through it, 0 to 1.",
    Lrate "lrate" "The rotary speaker's rate in Hz (0.7 slow, 6.7 fast).",
    Lsize "lsize" "The rotary speaker's size in metres (the depth of its Doppler warble).",
    Voice "voice" "A library synth's tone knob (each synth's own, as SuperDirt's).",
    Decay "decay" "A library synth's decay shape.",
    Detune "detune" "A library synth's detuning.",
    Rate "rate" "A library synth's LFO or trigger rate.",
    Pitch1 "pitch1" "A library synth's filter or click pitch, over its own.",
    Semitone "semitone" "How far below a library synth's second oscillator is, in semitones.",
    Lfo "lfo" "How far a library synth's LFO moves its filter.",
    Velocity "velocity" "How hard a library synth's key is struck (`superpiano`, `supervibe`).",
    Slide "slide" "A library synth's pitch slide.",
    Modamp "modamp" "`supervibe`'s tremolo depth.",
    Modfreq "modfreq" "`supervibe`'s tremolo rate in Hz; `psin`'s modulation rate.",
    Ratio "ratio" "`cyclo`'s spacing: its sixteen sines step with the cycle modulo 1, 2, … 16 times this.",
    Cycle "cycle" "The event's cycle (sent by Tidal; set from the pattern in a patch): `cyclo` steps with it.",
    Midichan "midichan" "MIDI out: the channel, 0 to 15.",
    Ccn "ccn" "MIDI out: a Control Change's controller number (sent with `ccv`).",
    Ccv "ccv" "MIDI out: a Control Change's value, 0 to 127 (sent with `ccn`).",
    Midibend "midibend" "MIDI out: pitch bend, 0 to 16383 (8192 is none).",
    Miditouch "miditouch" "MIDI out: channel pressure, 0 to 127.",
    Polytouch "polyTouch" "MIDI out: key pressure on the event's note, 0 to 127, sent instead of the note.",
    ProgNum "progNum" "MIDI out: a Program Change, 0 to 127.",
    Nrpn "nrpn" "MIDI out: a Non-Registered Parameter Number, 0 to 16383 (its value is `val`).",
    Val "val" "MIDI out: the value an `nrpn` sets, 0 to 16383.",
    Midicmd "midicmd" "MIDI out: a message other than a note: `allNotesOff`, `start`, `stop`, `continue` or `midiClock`.",
}

impl Control {
    /// How many controls there are.
    pub const COUNT: usize = Control::ALL.len();

    /// Its position in [`Control::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The control called `name` (Tidal's and SuperDirt's spelling).
    pub fn from_name(name: &str) -> Option<Control> {
        Control::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// The control `name` means, also under Tidal's and Strudel's short names (`lpf` is
    /// `cutoff`, `sz` is `size`), which some clients send as they are.
    pub fn from_alias(name: &str) -> Option<Control> {
        let full = match name {
            "lpf" | "ctf" => "cutoff",
            "lpq" | "res" => "resonance",
            "hpf" => "hcutoff",
            "hpq" => "hresonance",
            "bpf" => "bandf",
            "bpq" => "bandq",
            "sz" => "size",
            "att" => "attack",
            "rel" => "release",
            "dt" | "delayt" => "delaytime",
            "dfb" | "delayfb" => "delayfeedback",
            "up" => "note",
            "number" => "n",
            "phasr" => "phaserrate",
            "phasdp" => "phaserdepth",
            "tremr" => "tremolorate",
            "tremdp" => "tremolodepth",
            "nrpnn" => "nrpn",
            "nrpnv" => "val",
            "polytouch" => "polyTouch",
            "prognum" => "progNum",
            other => other,
        };
        Control::from_name(full)
    }
}

/// The controls one event sets: a small fixed-size value, copied freely, never allocating. It
/// holds up to [`Controls::CAPACITY`] controls as (control, value) slots in the order they were
/// set: events are copied through every transform of a pattern, so they stay small, and setting
/// one control moves no other.
#[derive(Clone, Copy, Debug)]
pub struct Controls {
    /// How many slots are used.
    len: u8,
    /// The control of each used slot, by index.
    keys: [u8; Controls::CAPACITY],
    /// The value of each used slot; zero past them.
    values: [f64; Controls::CAPACITY],
}

impl Default for Controls {
    fn default() -> Self {
        Controls {
            len: 0,
            keys: [0; Controls::CAPACITY],
            values: [0.0; Controls::CAPACITY],
        }
    }
}

/// Equal when they set the same controls to the same values, in any order.
impl PartialEq for Controls {
    fn eq(&self, other: &Controls) -> bool {
        self.len == other.len && self.iter_set().all(|(c, v)| other.get(c) == Some(v))
    }
}

impl Controls {
    /// The most controls one event holds (Tidal events set a handful).
    pub const CAPACITY: usize = 16;

    /// The slot holding `control`, if any.
    #[inline]
    fn slot(&self, control: Control) -> Option<usize> {
        let key = control as u8;
        self.keys[..usize::from(self.len)]
            .iter()
            .position(|&k| k == key)
    }

    /// A control's value, if set.
    #[inline]
    pub fn get(&self, control: Control) -> Option<f64> {
        self.slot(control).map(|k| self.values[k])
    }

    /// A control's value, or `default`.
    #[inline]
    pub fn or(&self, control: Control, default: f64) -> f64 {
        self.get(control).unwrap_or(default)
    }

    /// Sets a control; NaN unsets it. False, and nothing changed, when
    /// [`Controls::CAPACITY`] others are already set.
    #[inline]
    pub fn set(&mut self, control: Control, value: f64) -> bool {
        let len = usize::from(self.len);
        match (self.slot(control), value.is_nan()) {
            (Some(k), false) => self.values[k] = value,
            (Some(k), true) => {
                self.keys[k] = self.keys[len - 1];
                self.values[k] = self.values[len - 1];
                self.values[len - 1] = 0.0;
                self.len -= 1;
            }
            (None, true) => {}
            (None, false) if len == Controls::CAPACITY => return false,
            (None, false) => {
                self.keys[len] = control as u8;
                self.values[len] = value;
                self.len += 1;
            }
        }
        true
    }

    /// The set controls, in the order they were set.
    fn iter_set(&self) -> impl Iterator<Item = (Control, f64)> + '_ {
        let len = usize::from(self.len);
        self.keys[..len]
            .iter()
            .zip(&self.values[..len])
            .map(|(&k, &v)| (Control::ALL[usize::from(k)], v))
    }

    /// The controls that are set, in index order.
    pub fn iter(&self) -> impl Iterator<Item = (Control, f64)> + '_ {
        Control::ALL
            .iter()
            .filter_map(|&c| self.get(c).map(|v| (c, v)))
    }
}

/// A sound to play and the controls set on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Sound {
    /// The sound's name, or a `name:index` list.
    pub sound: Value,
    /// The controls set on it.
    pub controls: Controls,
}

impl Sound {
    /// A sound with no controls set.
    pub fn new(sound: Value) -> Sound {
        Sound {
            sound,
            controls: Controls::default(),
        }
    }

    /// A control's value, if set.
    pub fn get(&self, control: Control) -> Option<f64> {
        self.controls.get(control)
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

    /// Sets a control (NaN unsets it); an event already holding [`Controls::CAPACITY`] others
    /// keeps them and not this one.
    pub fn set(&mut self, control: Control, value: f64) {
        self.controls.set(control, value);
    }

    /// The controls that are set, in index order.
    pub fn controls(&self) -> impl Iterator<Item = (Control, f64)> + '_ {
        self.controls.iter()
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
        self.update(f)
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

    /// [`Pattern::bite`] whose parts play faster or slower as they are squeezed: each sound's
    /// speed follows the change in its part's length (Tidal's `chew`).
    pub fn chew(&self, n: i64, indices: &Pattern<i64>) -> Pattern<Sound> {
        let n = n.max(1);
        let parts: Vec<Pattern<Sound>> = (0..n)
            .map(|i| self.zoom(Time::new(i, n), Time::new(i + 1, n)))
            .collect();
        crate::squeeze::squeeze_join(indices, move |e, span, arena, out| {
            let from = out.len();
            parts[e.value.rem_euclid(n) as usize].query_into(span, arena, out);
            let length = e.whole_or_part().duration().to_f64();
            let factor = 1.0 / (length * n as f64);
            for inner in &mut out[from..] {
                let speed = inner
                    .value
                    .get(Control::Speed)
                    .map_or(factor, |s| s * factor);
                inner.value.set(Control::Speed, speed);
            }
        })
    }

    /// The events that match `matcher` (when `matched`) or those that do not: an event matches
    /// when an event of `matcher` at its onset has the same sound (unless it names none) and
    /// the same value for every control it sets (Tidal's `contrast`, by equality).
    pub fn matching(&self, matcher: &Pattern<Sound>, matched: bool) -> Pattern<Sound> {
        let (p, matcher) = (self.clone(), matcher.clone());
        Pattern::from_fn(move |span, arena, out| {
            let from = out.len();
            p.query_into(span, arena, out);
            let mut found = BVec::new_in(arena);
            crate::pattern::retain_from(out, from, |e| {
                let onset = e.whole_or_part().begin;
                found.clear();
                matcher.query_into(Span::new(onset, onset), arena, &mut found);
                let fits = found.iter().any(|m| {
                    let sound = match &m.value.sound {
                        Value::Str(s) if s.is_empty() => true,
                        name => *name == e.value.sound,
                    };
                    sound && m.value.controls().all(|(c, v)| e.value.get(c) == Some(v))
                });
                fits == matched
            });
        })
    }

    /// Each event with the controls of `other`'s events during it set on it, and their sound
    /// where they name one (Tidal's `#` between control patterns).
    pub fn merged(&self, other: &Pattern<Sound>) -> Pattern<Sound> {
        self.zip_left(other, |l, r| {
            let mut merged = l.clone();
            if !matches!(&r.sound, Value::Str(s) if s.is_empty()) {
                merged.sound = r.sound.clone();
            }
            for (c, v) in r.controls() {
                merged.set(c, v);
            }
            merged
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

    /// `n` copies a cycle, each playing `fraction` of the sample from a further start, the
    /// starts spread so the last ends at the sample's end (Tidal's `striateBy`).
    pub fn striate_by(&self, n: i64, fraction: f64) -> Pattern<Sound> {
        if n < 1 {
            return crate::pattern::silence();
        }
        let slot = (1.0 - fraction) / n as f64;
        fastcat(
            (0..n)
                .map(|k| {
                    let begin = slot * k as f64;
                    self.map_sounds(move |v| {
                        v.set(Control::Begin, begin);
                        v.set(Control::End, begin + fraction);
                    })
                })
                .collect(),
        )
    }

    /// [`Pattern::chop`] with every other of the `n` steps a cycle silent (Tidal's `gap`).
    pub fn gap(&self, n: i64) -> Pattern<Sound> {
        if n < 1 {
            return crate::pattern::silence();
        }
        let on = crate::pattern::slowcat(vec![crate::pattern::pure(()), crate::pattern::silence()])
            .fast(Time::from_int(n));
        self.chop(n).zip_both(&on, |e, _| e.clone())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_has_one_name() {
        for (k, c) in Control::ALL.iter().enumerate() {
            assert_eq!(c.index(), k);
            assert_eq!(Control::from_name(c.name()), Some(*c));
            assert_eq!(Control::NAMES[k], c.name());
        }
        assert_eq!(Control::from_name("psdispersion"), None);
        assert_eq!(Control::from_alias("lpf"), Some(Control::Cutoff));
        assert_eq!(Control::from_alias("sz"), Some(Control::Size));
        assert_eq!(Control::from_alias("gain"), Some(Control::Gain));
    }

    #[test]
    fn controls_set_in_any_order_are_equal() {
        let (mut a, mut b) = (Controls::default(), Controls::default());
        a.set(Control::Gain, 0.5);
        a.set(Control::Speed, 2.0);
        b.set(Control::Speed, 2.0);
        b.set(Control::Gain, 0.5);
        assert_eq!(a, b);
        b.set(Control::Room, 0.1);
        assert_ne!(a, b);
        b.set(Control::Room, f64::NAN);
        assert_eq!(a, b);
    }

    #[test]
    fn packed_controls_behave_as_a_table_of_every_control() {
        let mut packed = Controls::default();
        let mut table = [f64::NAN; Control::COUNT];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for step in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let c = Control::ALL[(seed % Control::COUNT as u64) as usize];
            let value = if seed % 5 == 0 { f64::NAN } else { step as f64 };
            let held = table.iter().filter(|v| !v.is_nan()).count();
            let fits = value.is_nan() || !table[c.index()].is_nan() || held < Controls::CAPACITY;
            assert_eq!(packed.set(c, value), fits);
            if fits {
                table[c.index()] = value;
            }
            for other in Control::ALL {
                let want = table[other.index()];
                assert_eq!(packed.get(other), (!want.is_nan()).then_some(want));
            }
            let listed: Vec<Control> = packed.iter().map(|(c, _)| c).collect();
            let mut sorted = listed.clone();
            sorted.sort_by_key(|c| c.index());
            assert_eq!(listed, sorted, "in index order");
        }
    }
}
