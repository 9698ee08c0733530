//! A keyboard playing a synth: the host writes the note messages its MIDI input received in a
//! period into [`MidiNotes`] (atomics, on its process thread, before the block is rendered),
//! each with its frame; a `keys` node plays them polyphonically on an instrument, each note
//! started and released on its frame, as loud as it was struck, held by the sustain pedal.

use crate::blocks::pool::{Voice, MAX_BLOCK};
use crate::declaration::Port;
use crate::instruments::halls::Halls;
use crate::instruments::voice::InstrumentVoice;
use crate::instruments::Instrument;
use crate::{downcast, Carry, Context, In, Node};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// Note messages one period can carry; more are dropped.
pub const PER_PERIOD: usize = 512;

/// The note messages of the period being played: note-ons, note-offs, the sustain pedal and
/// All Notes Off, with their frames.
pub struct MidiNotes {
    /// Counts periods, so a node knows a new one began.
    period: AtomicU64,
    count: AtomicUsize,
    /// Frame << 24 | status << 16 | data1 << 8 | data2.
    messages: [AtomicU64; PER_PERIOD],
}

impl Default for MidiNotes {
    fn default() -> MidiNotes {
        MidiNotes {
            period: AtomicU64::new(0),
            count: AtomicUsize::new(0),
            messages: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }
}

/// One message as [`MidiNotes`] holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NoteMessage {
    frame: u32,
    status: u8,
    data: [u8; 2],
}

impl MidiNotes {
    /// The table of this process, which the host's MIDI input fills.
    pub fn shared() -> Arc<MidiNotes> {
        static SHARED: std::sync::LazyLock<Arc<MidiNotes>> = std::sync::LazyLock::new(Arc::default);
        SHARED.clone()
    }

    /// A new period begins: the last one's messages are gone. Real-time safe.
    pub fn begin(&self) {
        self.count.store(0, Ordering::Relaxed);
        self.period.fetch_add(1, Ordering::Release);
    }

    /// Takes one raw MIDI message on `frame` of the period, in time order: note-on, note-off,
    /// the sustain pedal (CC 64) and All Notes Off (CC 123) are kept, the rest left. True if it
    /// was kept. Real-time safe.
    pub fn take(&self, frame: u32, message: &[u8]) -> bool {
        let [status, a, b, ..] = *message else {
            return false;
        };
        let kept = match status & 0xf0 {
            0x80 | 0x90 => true,
            0xb0 => a == 64 || a == 123,
            _ => false,
        };
        let k = self.count.load(Ordering::Relaxed);
        if !kept || k == PER_PERIOD {
            return false;
        }
        let packed = u64::from(frame) << 24
            | u64::from(status) << 16
            | u64::from(a & 0x7f) << 8
            | u64::from(b & 0x7f);
        self.messages[k].store(packed, Ordering::Relaxed);
        self.count.store(k + 1, Ordering::Release);
        true
    }

    fn period(&self) -> u64 {
        self.period.load(Ordering::Acquire)
    }

    /// Messages this period holds.
    fn len(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// The `k`th message of the period.
    fn message(&self, k: usize) -> NoteMessage {
        let m = self.messages[k].load(Ordering::Relaxed);
        NoteMessage {
            frame: (m >> 24) as u32,
            status: (m >> 16) as u8,
            data: [(m >> 8) as u8, m as u8],
        }
    }
}

crate::ports! {
    /// What `keys` reads: the channel it listens to (0 for any) and, for an oscillator, its
    /// envelope at each note's start.
    pub struct KeysPorts {
        channel: Port::signal(0.0, "").within(0.0, 16.0),
        attack: Port::signal(0.005, "s").within(0.0, 10.0),
        decay: Port::signal(0.0, "s").within(0.0, 10.0),
        sustain: Port::signal(1.0, "").within(0.0, 1.0),
        release: Port::signal(0.1, "s").within(0.0, 20.0),
    }
}

/// Notes that sound at once; a new one past them takes the oldest's voice.
pub const VOICES: usize = 16;
/// The level of a note struck at full velocity: four of them sum to about 1.
const FULL: f32 = 0.25;
/// How long a library synth's note may ring while its key is held (its own envelope ends it
/// sooner), in seconds.
const LIBRARY_HOLD: f32 = 8.0;
/// The shortest release, in seconds, so a note let go never clicks.
const SHORTEST_RELEASE: f32 = 0.005;

struct Key {
    voice: InstrumentVoice,
    sounding: bool,
    channel: u8,
    note: u8,
    gain: f32,
    /// Its key is down.
    down: bool,
    /// Let go while the pedal was down: it ends when the pedal comes up.
    pedalled: bool,
    /// When it started, in notes struck, for taking the oldest.
    started: u64,
}

/// A polyphonic instrument played from the MIDI input.
pub struct Keys {
    notes: Arc<MidiNotes>,
    instrument: Instrument,
    keys: Box<[Key]>,
    scratch: Box<[f32]>,
    /// The period whose messages were last read, and the frames of it played so far.
    period: u64,
    played: u32,
    pedal: [bool; 16],
    struck: u64,
    sample_rate: f32,
    /// Halls to lend the voices, for the library synths with reverbs inside.
    halls: Halls,
}

impl Keys {
    /// `instrument` played from `notes` at `sample_rate`. Allocates its voices.
    pub fn new(instrument: Instrument, notes: Arc<MidiNotes>, sample_rate: f32) -> Keys {
        let period = notes.period();
        Keys {
            notes,
            instrument,
            keys: (0..VOICES)
                .map(|_| Key {
                    voice: InstrumentVoice::new(instrument, sample_rate),
                    sounding: false,
                    channel: 0,
                    note: 0,
                    gain: 0.0,
                    down: false,
                    pedalled: false,
                    started: 0,
                })
                .collect(),
            scratch: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            period,
            played: 0,
            pedal: [false; 16],
            struck: 0,
            sample_rate,
            halls: Halls::for_instrument(&instrument, sample_rate),
        }
    }

    fn strike(&mut self, channel: u8, note: u8, velocity: u8, envelope: [f32; 4]) {
        let k = match self.keys.iter().position(|k| !k.sounding) {
            Some(k) => k,
            None => {
                // The oldest note let go, else the oldest.
                let oldest = |down: bool| {
                    (0..self.keys.len())
                        .filter(|&k| self.keys[k].down == down)
                        .min_by_key(|&k| self.keys[k].started)
                };
                match oldest(false).or_else(|| oldest(true)) {
                    Some(k) => k,
                    None => return,
                }
            }
        };
        let mut instrument = self.instrument;
        for (name, value) in ["attack", "decay", "sustain", "release"]
            .into_iter()
            .zip(envelope)
        {
            instrument = instrument.with(name, value);
        }
        let hold = match instrument {
            Instrument::Dirt { .. } => LIBRARY_HOLD * self.sample_rate,
            _ => f32::INFINITY,
        };
        let freq = 440.0 * ((f32::from(note) - 69.0) / 12.0).exp2();
        self.struck += 1;
        let key = &mut self.keys[k];
        self.halls.lend(&mut key.voice, &instrument);
        key.voice.start(instrument, freq, hold, self.struck as u32);
        key.sounding = true;
        key.channel = channel;
        key.note = note;
        key.gain = FULL * f32::from(velocity) / 127.0;
        key.down = true;
        key.pedalled = false;
        key.started = self.struck;
    }

    fn take(&mut self, m: NoteMessage, envelope: [f32; 4]) {
        let channel = m.status & 0x0f;
        let [a, b] = m.data;
        match (m.status & 0xf0, a, b) {
            (0x90, note, velocity) if velocity > 0 => {
                self.strike(channel, note, velocity, envelope)
            }
            (0x80 | 0x90, note, _) => {
                let pedal = self.pedal[usize::from(channel)];
                for key in self.keys.iter_mut() {
                    if key.sounding && key.down && key.channel == channel && key.note == note {
                        key.down = false;
                        if pedal {
                            key.pedalled = true;
                        } else {
                            key.voice.release(SHORTEST_RELEASE);
                        }
                    }
                }
            }
            (0xb0, 64, value) => {
                let down = value >= 64;
                self.pedal[usize::from(channel)] = down;
                if !down {
                    for key in self.keys.iter_mut() {
                        if key.channel == channel && std::mem::take(&mut key.pedalled) {
                            key.voice.release(SHORTEST_RELEASE);
                        }
                    }
                }
            }
            (0xb0, 123, _) => {
                for key in self.keys.iter_mut().filter(|k| k.channel == channel) {
                    key.down = false;
                    key.pedalled = false;
                    key.voice.release(SHORTEST_RELEASE);
                }
            }
            _ => {}
        }
    }

    /// Adds the sounding notes' next `out.len()` frames to `out`.
    fn render(&mut self, ctx: &Context<'_>, out: &mut [f32]) {
        for out in out.chunks_mut(self.scratch.len()) {
            let n = out.len();
            let piece = Context::new(ctx.sample_rate, n, ctx.span, ctx.arena);
            for key in self.keys.iter_mut().filter(|k| k.sounding) {
                let scratch = &mut self.scratch[..n];
                let made = key.voice.render(&piece, &mut [&mut scratch[..]]);
                for (y, x) in out.iter_mut().zip(&scratch[..made]) {
                    *y += x * key.gain;
                }
                if made < n {
                    key.sounding = false;
                    key.down = false;
                    key.pedalled = false;
                    self.halls.take_back(std::iter::once(&mut key.voice));
                }
            }
        }
    }
}

impl Node for Keys {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = KeysPorts::read(inputs);
        let listen = p.channel.at(0).round() as u8;
        let [first, rest @ ..] = out else { return };
        let frames = ctx.frames.min(first.len());
        let first = &mut first[..frames];
        first.fill(0.0);
        let period = self.notes.period();
        if period != self.period {
            self.period = period;
            self.played = 0;
        }
        let from = self.played;
        let to = from + frames as u32;
        let mut at = 0usize;
        for k in 0..self.notes.len() {
            let m = self.notes.message(k);
            if m.frame < from || m.frame >= to {
                continue;
            }
            if listen > 0 && m.status & 0x0f != listen - 1 {
                continue;
            }
            let i = (m.frame - from) as usize;
            self.render(ctx, &mut first[at..i.max(at)]);
            at = at.max(i);
            let envelope = [
                p.attack.at(i),
                p.decay.at(i),
                p.sustain.at(i),
                p.release.at(i),
            ];
            self.take(m, envelope);
        }
        self.render(ctx, &mut first[at..]);
        self.played = to;
        for channel in rest {
            channel[..frames].copy_from_slice(first);
        }
    }

    /// Keeps the notes sounding across an edit that keeps the node and its instrument.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        match downcast::<Keys>(old) {
            Some(old) if old.instrument.id() == self.instrument.id() => {
                std::mem::swap(&mut self.keys, &mut old.keys);
                std::mem::swap(&mut self.halls, &mut old.halls);
                self.period = old.period;
                self.played = old.played;
                self.pedal = old.pedal;
                self.struck = old.struck;
                Carry::Taken
            }
            _ => Carry::Taken,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bumpalo::Bump;
    use pattern::{t, Span};

    const RATE: f32 = 48_000.0;

    fn play(keys: &mut Keys, frames: usize) -> Vec<f32> {
        let arena = Bump::new();
        let ctx = Context::new(RATE, frames, Span::new(t(0, 1), t(1, 1)), &arena);
        let mut out = vec![0.0; frames];
        keys.process(&ctx, &[], &mut [&mut out[..]]);
        out
    }

    fn peak(x: &[f32]) -> f32 {
        x.iter().fold(0.0, |m, v| m.max(v.abs()))
    }

    /// `keys "NAME"` playing from `notes`.
    fn keys_of(name: &str, notes: &Arc<MidiNotes>) -> Keys {
        Keys::new(
            Instrument::by_sound_name(name).unwrap(),
            notes.clone(),
            RATE,
        )
    }

    #[test]
    fn a_note_starts_on_its_frame_as_loud_as_it_was_struck_and_ends_when_let_go() {
        let notes = Arc::new(MidiNotes::default());
        let mut keys = keys_of("sine", &notes);
        notes.begin();
        assert!(notes.take(100, &[0x90, 69, 127]));
        assert!(notes.take(300, &[0x91, 76, 64]));
        assert!(!notes.take(0, &[0xe0, 0, 64]), "pitch bend is left");
        let block = play(&mut keys, 512);
        assert!(
            block[..100].iter().all(|&x| x == 0.0),
            "nothing before its frame"
        );
        assert!(block[100..110].iter().any(|&x| x != 0.0));
        // Two periods later, both sound; the quieter one at half the level.
        notes.begin();
        play(&mut keys, 512);
        notes.begin();
        notes.take(0, &[0x81, 76, 0]);
        // Past the other's release (0.1 s unless told).
        let loud = play(&mut keys, 9600);
        assert!(
            (peak(&loud[6000..]) - FULL).abs() < 0.01,
            "{}",
            peak(&loud[6000..])
        );
        notes.begin();
        notes.take(0, &[0x80, 69, 0]);
        notes.take(0, &[0x91, 76, 64]);
        let quiet = play(&mut keys, 9600);
        assert!((peak(&quiet[6000..]) - FULL / 2.0).abs() < 0.01);
        notes.begin();
        notes.take(10, &[0x81, 76, 0]);
        let ended = play(&mut keys, 9600);
        assert!(ended[6000..].iter().all(|&x| x == 0.0), "released");
    }

    #[test]
    fn the_pedal_holds_notes_let_go_until_it_comes_up_and_a_channel_can_be_chosen() {
        let notes = Arc::new(MidiNotes::default());
        let mut keys = keys_of("sine", &notes);
        notes.begin();
        notes.take(0, &[0xb0, 64, 127]);
        notes.take(0, &[0x90, 60, 100]);
        notes.take(100, &[0x80, 60, 0]);
        assert!(
            peak(&play(&mut keys, 4800)[2400..]) > 0.1,
            "held by the pedal"
        );
        notes.begin();
        notes.take(0, &[0xb0, 64, 0]);
        assert!(play(&mut keys, 9600)[6000..].iter().all(|&x| x == 0.0));
        // Listening to channel 2: channel 1's note is not played.
        let mut second = keys_of("sine", &notes);
        notes.begin();
        notes.take(0, &[0x90, 60, 100]);
        let arena = Bump::new();
        let ctx = Context::new(RATE, 256, Span::new(t(0, 1), t(1, 1)), &arena);
        let mut out = vec![0.0; 256];
        second.process(&ctx, &[In::Const(2.0)], &mut [&mut out[..]]);
        assert!(out.iter().all(|&x| x == 0.0));
    }

    #[test]
    fn past_its_voices_a_note_takes_the_oldest() {
        let notes = Arc::new(MidiNotes::default());
        let mut keys = keys_of("sawtooth", &notes);
        notes.begin();
        for k in 0..VOICES as u8 + 4 {
            notes.take(u32::from(k), &[0x90, 40 + k, 100]);
        }
        play(&mut keys, 256);
        assert_eq!(keys.keys.iter().filter(|k| k.sounding).count(), VOICES);
        assert!(
            keys.keys.iter().all(|k| k.note >= 44),
            "the four oldest gave way"
        );
    }
}
