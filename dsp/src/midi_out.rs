//! MIDI out: events played as MIDI messages on their frames, as SuperDirt's MIDI target sends
//! them — a note from `midinote`, or `note` (else `n`) plus twelve `octave`s (5 unless set),
//! velocity from `amp` and `gain`, and beside it `ccn`/`ccv`, `nrpn`/`val`, `progNum`,
//! `midibend`, `miditouch`, `polyTouch` and `midicmd` — and each note-on paired with its
//! note-off `sustain` seconds later (or `legato` × the event's length, or its length).
//!
//! [`MidiOut`] holds the notes that sound, so a note-off is never lost: a period's messages are
//! collected, the note-offs that fall in it added, and all handed over in time order by
//! [`MidiOut::take`]. [`MidiOut::all_off`] ends every sounding note at once (hush, stop,
//! shutdown). Its tables are made up front; playing allocates nothing.

use crate::patterns::onsets;
use bumpalo::Bump;
use pattern::{Control, Controls, Pattern, Sound, Span};

/// The messages `midicmd` names, in the order of their numbers (0, `noteOn`, is a note's).
pub const MIDI_COMMANDS: [&str; 6] = [
    "noteOn",
    "allNotesOff",
    "start",
    "stop",
    "continue",
    "midiClock",
];

/// The number of a `midicmd` name, if it is one.
pub fn midi_command(name: &str) -> Option<f64> {
    MIDI_COMMANDS
        .iter()
        .position(|c| *c == name)
        .map(|k| k as f64)
}

/// Notes that can sound at once; a note-on past them is dropped, never left unpaired.
pub const SOUNDING: usize = 512;
/// Messages one period can carry.
pub const PER_PERIOD: usize = 2048;

/// One MIDI message and the frame of its period it goes out on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MidiMessage {
    /// The frame in the period.
    pub frame: u32,
    /// Note-offs go first on a frame, then the rest in the order they were made.
    order: (u8, u32),
    len: u8,
    bytes: [u8; 3],
}

impl MidiMessage {
    /// The message's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// How long a note lasts when the event does not say in `sustain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteLength {
    /// `legato` × the event's length, or its length.
    Event,
    /// As SuperDirt: the same, less its fade time (1 ms, or under a fifth of a short note).
    SuperDirt,
}

#[derive(Clone, Copy, Debug, Default)]
struct Sounding {
    /// The frame its note-off is due on, counted from the first period.
    off: u64,
    channel: u8,
    note: u8,
}

/// The notes sounding on a MIDI port, and the messages of the period being made.
pub struct MidiOut {
    sounding: Box<[Sounding]>,
    playing: usize,
    messages: Box<[MidiMessage]>,
    queued: usize,
    /// The frame the period being made starts on.
    now: u64,
    /// The last [`MidiOut::take`] handed its messages over: the next message starts afresh.
    taken: bool,
    made: u32,
    dropped: u64,
    sample_rate: f64,
}

impl MidiOut {
    /// A port at `sample_rate` with nothing sounding. Allocates its tables; call on the control
    /// thread.
    pub fn new(sample_rate: f64) -> MidiOut {
        let blank = MidiMessage {
            frame: 0,
            order: (0, 0),
            len: 0,
            bytes: [0; 3],
        };
        MidiOut {
            sounding: vec![Sounding::default(); SOUNDING].into_boxed_slice(),
            playing: 0,
            messages: vec![blank; PER_PERIOD].into_boxed_slice(),
            queued: 0,
            now: 0,
            taken: false,
            made: 0,
            dropped: 0,
            sample_rate,
        }
    }

    /// Notes sounding now.
    pub fn sounding(&self) -> usize {
        self.playing
    }

    /// Messages and notes dropped so far for want of room.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Room for this many more messages in the period being made.
    fn room(&mut self) -> usize {
        if std::mem::take(&mut self.taken) {
            self.queued = 0;
            self.made = 0;
        }
        self.messages.len() - self.queued
    }

    fn push(&mut self, frame: u32, first: bool, bytes: &[u8]) -> bool {
        if self.room() == 0 {
            self.dropped += 1;
            return false;
        }
        let mut b = [0; 3];
        b[..bytes.len()].copy_from_slice(bytes);
        self.made += 1;
        self.messages[self.queued] = MidiMessage {
            frame,
            order: (u8::from(!first), self.made),
            len: bytes.len() as u8,
            bytes: b,
        };
        self.queued += 1;
        true
    }

    /// Plays the event `controls` starting on `frame` of this period, `seconds` long: its
    /// messages on that frame and, for a note, its note-off when it ends.
    pub fn play(&mut self, frame: u32, controls: &Controls, seconds: f64, length: NoteLength) {
        let get = |c| controls.get(c).filter(|x| x.is_finite());
        let data = |x: f64| x.clamp(0.0, 127.0) as u8;
        let wide = |x: f64| x.clamp(0.0, 16_383.0) as u16;
        let channel = get(Control::Midichan).map_or(0, |c| c.clamp(0.0, 15.0) as u8);
        if let (Some(number), Some(value)) = (get(Control::Ccn), get(Control::Ccv)) {
            self.push(frame, false, &[0xB0 | channel, data(number), data(value)]);
        }
        if let Some(nrpn) = get(Control::Nrpn) {
            let (n, v) = (wide(nrpn), wide(get(Control::Val).unwrap_or(0.0)));
            for (number, value) in [
                (99, n >> 7),
                (98, n & 0x7f),
                (6, v >> 7),
                (38, v & 0x7f),
                (101, 127),
                (100, 127),
            ] {
                self.push(frame, false, &[0xB0 | channel, number, value as u8]);
            }
        }
        if let Some(program) = get(Control::ProgNum) {
            self.push(frame, false, &[0xC0 | channel, data(program)]);
        }
        if let Some(bend) = get(Control::Midibend) {
            let bend = wide(bend);
            self.push(
                frame,
                false,
                &[0xE0 | channel, (bend & 0x7f) as u8, (bend >> 7) as u8],
            );
        }
        if let Some(touch) = get(Control::Miditouch) {
            self.push(frame, false, &[0xD0 | channel, data(touch)]);
        }
        let note = get(Control::Midinote).or_else(|| {
            get(Control::Note)
                .or_else(|| get(Control::N))
                .map(|n| n + 12.0 * get(Control::Octave).unwrap_or(5.0))
        });
        if let Some(note) = note.map(|n| data(n.round())) {
            match get(Control::Polytouch) {
                Some(touch) => {
                    self.push(frame, false, &[0xA0 | channel, note, data(touch)]);
                }
                None => {
                    // SuperDirt's level, as its dirt_gate scales amplitude.
                    let gain = get(Control::Gain).unwrap_or(1.0).min(2.0);
                    let amp = get(Control::Velocity)
                        .or_else(|| get(Control::Amp))
                        .unwrap_or(0.4);
                    let velocity = data((amp * gain.powi(4) * 127.0).floor());
                    let sustain = get(Control::Sustain)
                        .unwrap_or_else(|| seconds * get(Control::Legato).unwrap_or(1.0).max(0.0));
                    let sustain = match length {
                        NoteLength::Event => sustain,
                        NoteLength::SuperDirt => sustain - (0.001f64).min(sustain * 0.19098),
                    };
                    let frames = (sustain.max(0.0) * self.sample_rate).round().max(1.0) as u64;
                    self.note_on(frame, channel, note, velocity, frames);
                }
            }
        }
        let command = get(Control::Midicmd).map_or(0, |c| c.max(0.0) as usize);
        match MIDI_COMMANDS.get(command).copied() {
            Some("allNotesOff") => {
                self.push(frame, false, &[0xB0 | channel, 123, 0]);
            }
            Some("start") => {
                self.push(frame, false, &[0xFA]);
            }
            Some("stop") => {
                self.push(frame, false, &[0xFC]);
            }
            Some("continue") => {
                self.push(frame, false, &[0xFB]);
            }
            Some("midiClock") => {
                self.push(frame, false, &[0xF8]);
            }
            _ => {}
        }
    }

    /// A note-on whose note-off is `frames` later. The same note sounding on the channel ends
    /// first, so its older note-off cannot cut this one short.
    fn note_on(&mut self, frame: u32, channel: u8, note: u8, velocity: u8, frames: u64) {
        let off = self.now + u64::from(frame) + frames;
        let same = self.sounding[..self.playing]
            .iter()
            .position(|s| s.channel == channel && s.note == note);
        match same {
            Some(_) if self.room() < 2 => self.dropped += 1,
            Some(k) => {
                self.push(frame, true, &[0x80 | channel, note, 0]);
                self.push(frame, false, &[0x90 | channel, note, velocity]);
                self.sounding[k].off = off;
            }
            None if self.playing == self.sounding.len() => self.dropped += 1,
            None => {
                if self.push(frame, false, &[0x90 | channel, note, velocity]) {
                    self.sounding[self.playing] = Sounding { off, channel, note };
                    self.playing += 1;
                }
            }
        }
    }

    fn end(&mut self, k: usize) {
        self.playing -= 1;
        self.sounding[k] = self.sounding[self.playing];
    }

    /// Every note sounding ends on `frame` of this period.
    pub fn all_off(&mut self, frame: u32) {
        let due = self.now + u64::from(frame);
        for s in self.sounding[..self.playing].iter_mut() {
            s.off = s.off.min(due);
        }
    }

    /// Plays the events of `pattern` that start in `span`, a block of `frames` frames beginning
    /// on frame `offset` of this period. `arena` holds the query; `cut` counts queries cut at
    /// the budget.
    pub fn play_pattern(
        &mut self,
        pattern: &Pattern<Sound>,
        span: Span,
        offset: u32,
        frames: usize,
        arena: &Bump,
        cut: &mut u64,
    ) {
        if frames == 0 || span.end <= span.begin {
            return;
        }
        let events = crate::query_within_budget(pattern, span, arena, cut);
        for (start, duration, sound) in onsets(&events, span, frames) {
            self.play(
                offset + start as u32,
                &sound.controls,
                duration / self.sample_rate,
                NoteLength::Event,
            );
        }
    }

    /// The period of `frames` frames is made: adds the note-offs due in it and hands over its
    /// messages in time order. The next message made starts the next period.
    pub fn take(&mut self, frames: u32) -> &[MidiMessage] {
        self.room();
        let end = self.now + u64::from(frames);
        let mut k = 0;
        while k < self.playing {
            let s = self.sounding[k];
            if s.off < end {
                let frame = s.off.saturating_sub(self.now) as u32;
                if !self.push(frame, true, &[0x80 | s.channel, s.note, 0]) {
                    // Sent next period rather than lost.
                    k += 1;
                    continue;
                }
                self.end(k);
            } else {
                k += 1;
            }
        }
        let messages = &mut self.messages[..self.queued];
        messages.sort_unstable_by_key(|m| (m.frame, m.order));
        self.now = end;
        self.taken = true;
        &self.messages[..self.queued]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pattern::{mini_as, Value, ValueType};

    fn event(pairs: &[(Control, f64)]) -> Controls {
        let mut c = Controls::default();
        for &(control, value) in pairs {
            c.set(control, value);
        }
        c
    }

    fn sent(out: &mut MidiOut, frames: u32) -> Vec<(u32, Vec<u8>)> {
        out.take(frames)
            .iter()
            .map(|m| (m.frame, m.bytes().to_vec()))
            .collect()
    }

    #[test]
    fn a_note_is_superdirts_number_and_velocity_and_ends_after_its_sustain() {
        let mut out = MidiOut::new(48_000.0);
        // n 0 is middle C; amp 0.4 by default gives velocity 50.
        out.play(
            10,
            &event(&[(Control::N, 0.0), (Control::Sustain, 0.01)]),
            1.0,
            NoteLength::Event,
        );
        assert_eq!(sent(&mut out, 256), vec![(10, vec![0x90, 60, 50])]);
        assert_eq!(sent(&mut out, 256), vec![(490 - 256, vec![0x80, 60, 0])]);
        assert_eq!(out.sounding(), 0);
        // `note` wins over `n`, octave moves it, midichan and gain are heard.
        out.play(
            0,
            &event(&[
                (Control::N, 3.0),
                (Control::Note, 7.0),
                (Control::Octave, 4.0),
                (Control::Midichan, 2.0),
                (Control::Gain, 1.2),
            ]),
            0.001,
            NoteLength::Event,
        );
        assert_eq!(
            sent(&mut out, 256),
            vec![(0, vec![0x92, 55, 105]), (48, vec![0x82, 55, 0])]
        );
    }

    #[test]
    fn legato_scales_the_length_and_superdirt_takes_its_fade_time_off() {
        let mut out = MidiOut::new(48_000.0);
        let half = event(&[(Control::N, 0.0), (Control::Legato, 0.5)]);
        out.play(0, &half, 0.01, NoteLength::Event);
        assert_eq!(sent(&mut out, 512)[1], (240, vec![0x80, 60, 0]));
        out.play(0, &half, 0.01, NoteLength::SuperDirt);
        assert_eq!(sent(&mut out, 512)[1], (240 - 46, vec![0x80, 60, 0]));
    }

    #[test]
    fn a_repeated_note_ends_before_it_starts_again_and_keeps_its_later_end() {
        let mut out = MidiOut::new(1000.0);
        let long = event(&[(Control::N, 0.0), (Control::Sustain, 0.1)]);
        out.play(0, &long, 1.0, NoteLength::Event);
        out.play(50, &long, 1.0, NoteLength::Event);
        assert_eq!(
            sent(&mut out, 1000),
            vec![
                (0, vec![0x90, 60, 50]),
                (50, vec![0x80, 60, 0]),
                (50, vec![0x90, 60, 50]),
                (150, vec![0x80, 60, 0]),
            ]
        );
    }

    #[test]
    fn controls_programs_bends_and_commands_are_sent_without_a_note() {
        let mut out = MidiOut::new(48_000.0);
        out.play(
            5,
            &event(&[
                (Control::Midichan, 1.0),
                (Control::Ccn, 74.0),
                (Control::Ccv, 200.0),
                (Control::ProgNum, 3.0),
                (Control::Midibend, 8192.0),
                (Control::Miditouch, 9.0),
                (Control::Midicmd, 3.0),
            ]),
            1.0,
            NoteLength::Event,
        );
        assert_eq!(
            sent(&mut out, 64),
            vec![
                (5, vec![0xB1, 74, 127]),
                (5, vec![0xC1, 3]),
                (5, vec![0xE1, 0, 64]),
                (5, vec![0xD1, 9]),
                (5, vec![0xFC]),
            ]
        );
        out.play(
            0,
            &event(&[(Control::Nrpn, 300.0), (Control::Val, 129.0)]),
            1.0,
            NoteLength::Event,
        );
        let bytes: Vec<_> = sent(&mut out, 64).into_iter().map(|(_, b)| b).collect();
        assert_eq!(
            bytes,
            [[99, 2], [98, 44], [6, 1], [38, 1], [101, 127], [100, 127]]
                .map(|[n, v]| vec![0xB0, n, v])
        );
        assert_eq!(out.sounding(), 0);
    }

    #[test]
    fn poly_touch_is_sent_in_place_of_the_note() {
        let mut out = MidiOut::new(48_000.0);
        let touch = event(&[(Control::N, 2.0), (Control::Polytouch, 40.0)]);
        out.play(0, &touch, 1.0, NoteLength::Event);
        assert_eq!(sent(&mut out, 64), vec![(0, vec![0xA0, 62, 40])]);
        assert_eq!(out.sounding(), 0);
    }

    #[test]
    fn all_off_ends_every_sounding_note_on_its_frame() {
        let mut out = MidiOut::new(48_000.0);
        for (k, n) in [0.0, 4.0, 7.0].into_iter().enumerate() {
            let c = event(&[(Control::N, n), (Control::Midichan, k as f64)]);
            out.play(0, &c, 10.0, NoteLength::Event);
        }
        sent(&mut out, 64);
        out.all_off(3);
        let offs = sent(&mut out, 64);
        assert_eq!(offs.len(), 3);
        assert!(offs.iter().all(|(f, b)| *f == 3 && b[0] & 0xF0 == 0x80));
        assert_eq!(out.sounding(), 0);
        assert!(sent(&mut out, 64).is_empty());
    }

    #[test]
    fn a_pattern_plays_each_onset_on_its_frame() {
        let notes = mini_as("0 4 7 ~", ValueType::Double).unwrap().fmap(|v| {
            let mut sound = Sound::new(Value::word(""));
            sound.set(Control::N, v.as_f64().unwrap_or(0.0));
            sound
        });
        let mut out = MidiOut::new(4000.0);
        let arena = Bump::new();
        let mut cut = 0;
        let span = Span::new(pattern::t(0, 1), pattern::t(1, 1));
        out.play_pattern(&notes, span, 0, 4000, &arena, &mut cut);
        let messages = sent(&mut out, 4000);
        assert_eq!(
            messages,
            vec![
                (0, vec![0x90, 60, 50]),
                (1000, vec![0x80, 60, 0]),
                (1000, vec![0x90, 64, 50]),
                (2000, vec![0x80, 64, 0]),
                (2000, vec![0x90, 67, 50]),
                (3000, vec![0x80, 67, 0]),
            ]
        );
    }

    #[test]
    fn a_full_table_drops_the_note_on_and_never_leaves_a_note_unpaired() {
        let mut out = MidiOut::new(1000.0);
        let mut ons = 0;
        let mut offs = 0;
        for period in 0..20 {
            for k in 0..256u32 {
                // 256 notes a period, each sounding for about two periods.
                let c = event(&[
                    (Control::N, f64::from(k % 128) - 60.0),
                    (Control::Midichan, f64::from((period * 2 + k / 128) % 16)),
                ]);
                out.play(k, &c, 0.5 + f64::from(period) * 0.01, NoteLength::Event);
            }
            for m in out.take(256) {
                match m.bytes()[0] & 0xF0 {
                    0x90 => ons += 1,
                    0x80 => offs += 1,
                    _ => {}
                }
            }
        }
        out.all_off(0);
        while out.sounding() > 0 {
            offs += out
                .take(256)
                .iter()
                .filter(|m| m.bytes()[0] & 0xF0 == 0x80)
                .count();
        }
        assert!(out.dropped() > 0);
        // Each note-on is ended once, by its own off or by the off before its repeat.
        assert_eq!(ons, offs);
    }
}
