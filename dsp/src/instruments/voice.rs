//! One voice of an instrument, as a synth node and an orbit play it.

use crate::blocks::envelope::{Adsr, EnvelopeStage};
use crate::blocks::pool::Voice;
use crate::instruments::{string_length, Instrument, Tone};
use crate::oscillators::{Oscillator, Wave};
use crate::{Context, In, Node};

/// One voice of an instrument: its oscillator or tone under its envelope, held for its
/// event (or, for percussion, its own length). Mono.
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
    /// A plucked string's delay line (empty for other instruments).
    string: Box<[f32]>,
    sample_rate: f32,
}

impl Voice for InstrumentVoice {
    fn render(&mut self, ctx: &Context<'_>, out: &mut [&mut [f32]]) -> usize {
        let [out, ..] = out else { return 0 };
        let out = &mut out[..ctx.frames];
        if self.instrument.wave().is_some() {
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
        }
        out.len()
    }
}

impl InstrumentVoice {
    /// A silent voice of `instrument` at `sample_rate`. Allocates (a plucked string's line).
    pub fn new(instrument: Instrument, sample_rate: f32) -> InstrumentVoice {
        let string = match instrument {
            Instrument::Pluck { .. } => string_length(sample_rate),
            _ => 0,
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
            sample_rate,
        }
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
        self.hold = match instrument.one_shot() {
            Some(_) => f32::INFINITY,
            None => hold,
        };
        self.envelope = EnvelopeStage::default();
        self.envelope.open();
    }
}
