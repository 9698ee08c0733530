//! One voice of an instrument, as a synth node and an orbit play it.

use crate::blocks::envelope::{Adsr, EnvelopeStage};
use crate::blocks::pool::Voice;
use crate::instruments::dirt::DirtState;
use crate::instruments::halls::Hall;
use crate::instruments::{string_length, Instrument, Tone};
use crate::oscillators::{Oscillator, Wave};
use crate::{Context, In, Node};

/// One voice of an instrument: its oscillator or tone under its envelope, held for its
/// event (or, for percussion, its own length). Mono, but for the library synths that play in
/// stereo through a borrowed [`Hall`] (summed when it is given one channel).
pub struct InstrumentVoice {
    osc: Oscillator,
    tone: Tone,
    /// The instrument with the parameters its event started with.
    instrument: Instrument,
    freq: f32,
    /// Frames left before the release starts.
    hold: f32,
    adsr: Adsr,
    envelope: EnvelopeStage,
    /// Delay lines: a plucked string's, a library synth's two (empty for other instruments).
    string: Box<[f32]>,
    /// A library synth's state.
    dirt: DirtState,
    /// A library synth's event length, in seconds, and frames played.
    sustain: f32,
    age: u32,
    sample_rate: f32,
    /// The memory of the library synths with reverbs inside, when borrowed.
    hall: Option<Box<Hall>>,
}

impl Voice for InstrumentVoice {
    fn render(&mut self, ctx: &Context<'_>, out: &mut [&mut [f32]]) -> usize {
        let Some((out, rest)) = out.split_first_mut() else {
            return 0;
        };
        let out = &mut out[..ctx.frames];
        let mut right = None;
        if let Some((synth, params)) = self.instrument.hall_synth() {
            let mut second = rest.first_mut().map(|r| &mut r[..ctx.frames]);
            for (i, x) in out.iter_mut().enumerate() {
                let t = self.age as f32 / self.sample_rate;
                let [l, r] = self.hall.as_mut().map_or([0.0; 2], |hall| {
                    hall.next(
                        synth,
                        &params,
                        self.freq,
                        t,
                        self.age as usize,
                        self.sustain,
                        self.sample_rate,
                    )
                });
                self.age += 1;
                match second.as_mut() {
                    Some(second) => (*x, second[i]) = (l, r),
                    None => *x = l + r,
                }
            }
            right = second;
        } else if let Instrument::Dirt { synth, params } = self.instrument {
            let half = self.string.len() / 2;
            let (a, b) = self.string.split_at_mut(half);
            for x in out.iter_mut() {
                let t = self.age as f32 / self.sample_rate;
                self.age += 1;
                *x = self.dirt.next(
                    synth,
                    &params,
                    self.freq,
                    t,
                    self.sustain,
                    self.sample_rate,
                    [&mut *a, &mut *b],
                );
            }
        } else if self.instrument.wave().is_some() {
            self.osc
                .process(ctx, &[In::Const(self.freq)], &mut [&mut out[..]]);
        } else {
            for x in out.iter_mut() {
                *x = self.tone.next(
                    &self.instrument,
                    self.freq,
                    self.sample_rate,
                    &mut self.string,
                );
            }
        }
        let one_shot = self.instrument.one_shot().is_some();
        for (i, y) in out.iter_mut().enumerate() {
            if self.hold <= 0.0 {
                self.envelope.close(&self.adsr);
            }
            self.hold -= 1.0;
            let level = self.envelope.next(&self.adsr);
            if self.envelope.finished()
                || (one_shot && self.tone.finished(&self.instrument, self.sample_rate))
            {
                return i;
            }
            *y *= level;
            if let Some(right) = right.as_mut() {
                right[i] *= level;
            }
        }
        out.len()
    }
}

impl InstrumentVoice {
    /// A silent voice of `instrument` at `sample_rate`. Allocates (delay lines, for the
    /// instruments that need them).
    pub fn new(instrument: Instrument, sample_rate: f32) -> InstrumentVoice {
        InstrumentVoice::with_lines(instrument, sample_rate, instrument.needs_lines())
    }

    /// A silent voice that can play any instrument (an orbit's, which plays whatever synth an
    /// event names). Allocates.
    pub fn any(sample_rate: f32) -> InstrumentVoice {
        InstrumentVoice::with_lines(Instrument::SUPERKICK, sample_rate, true)
    }

    fn with_lines(instrument: Instrument, sample_rate: f32, lines: bool) -> InstrumentVoice {
        // Two lines of a 20 Hz period each: a string uses the first.
        let string = if lines {
            2 * string_length(sample_rate)
        } else {
            0
        };
        InstrumentVoice {
            osc: Oscillator::new(instrument.wave().unwrap_or(Wave::Sine)),
            tone: Tone::new(0),
            instrument,
            freq: 0.0,
            hold: 0.0,
            adsr: Adsr::new(0.0, 0.0, 1.0, 0.0, sample_rate),
            envelope: EnvelopeStage::default(),
            string: vec![0.0; string].into_boxed_slice(),
            dirt: DirtState::default(),
            sustain: 0.0,
            age: 0,
            sample_rate,
            hall: None,
        }
    }

    /// True while the voice plays in stereo (a library synth with a hall of its own).
    pub fn is_stereo(&self) -> bool {
        self.instrument.hall_synth().is_some()
    }

    /// Borrows a hall from `halls` if `instrument` needs one and the voice has none, or gives
    /// its hall back if it does not. Moves a pointer; allocates nothing.
    #[allow(clippy::vec_box)]
    pub fn suit_hall(&mut self, instrument: &Instrument, halls: &mut Vec<Box<Hall>>) {
        let needs = instrument.hall_synth().is_some();
        match (needs, self.hall.is_some()) {
            (true, false) => self.hall = halls.pop(),
            (false, true) => halls.extend(self.hall.take()),
            _ => {}
        }
    }

    /// Gives back the hall the voice holds (it has fallen silent).
    #[allow(clippy::vec_box)]
    pub fn give_back_hall(&mut self, halls: &mut Vec<Box<Hall>>) {
        halls.extend(self.hall.take());
    }

    /// Lets the note go: the release starts now, taking at least `shortest` seconds (a
    /// library synth's own release is instant, which would click). Percussion plays on.
    pub fn release(&mut self, shortest: f32) {
        if self.instrument.one_shot().is_some() {
            return;
        }
        let [attack, decay, sustain, release] = self.instrument.envelope();
        self.adsr = Adsr::new(
            attack,
            decay,
            sustain,
            release.max(shortest),
            self.sample_rate,
        );
        self.hold = 0.0;
    }

    /// Starts `instrument` (of the kind the voice was made for) at `freq` Hz, held for `hold`
    /// frames (percussion plays its own length); `seed` varies its noise.
    pub fn start(&mut self, instrument: Instrument, freq: f32, hold: f32, seed: u32) {
        let [attack, decay, sustain, release] = instrument.envelope();
        self.adsr = Adsr::new(attack, decay, sustain, release, self.sample_rate);
        self.instrument = instrument;
        self.osc.reset();
        self.tone = Tone::new(seed);
        self.freq = freq;
        self.hold = match (instrument.one_shot(), instrument) {
            (Some(_), _) => f32::INFINITY,
            (None, Instrument::Dirt { synth, .. }) => {
                // A library synth's own envelope ends it: it is held as long as that lasts.
                self.sustain = hold / self.sample_rate;
                self.age = 0;
                self.dirt = DirtState::new(seed);
                self.string.fill(0.0);
                if let (true, Some(hall), Instrument::Dirt { params, .. }) =
                    (synth.needs_hall(), self.hall.as_mut(), &instrument)
                {
                    hall.begin(synth, params, freq, self.sample_rate, seed);
                }
                synth.length(self.sustain, freq) * self.sample_rate
            }
            (None, _) => hold,
        };
        self.envelope = EnvelopeStage::default();
        self.envelope.open();
    }
}
