//! SuperDirt's OSC protocol: `/dirt/play` bundles into fixed-size events, the handshake and
//! hello replies, and the counts of what could not be used. Runs on the receive thread.
//!
//! `rosc` decodes: it allocates per packet (a `Vec` of arguments, `String`s), which is fine
//! here, off the audio thread, and it is a small, well-kept decoder of the whole OSC 1.0 type
//! set (`i f d s h t`…), bundles included.

use crate::clock::WallClock;
use crate::event::DirtEvent;
use crate::sounds::SoundTable;
use pattern::{Control, Controls};
use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};
use std::sync::Arc;

/// Names Tidal and Strudel send that carry no sound control Phonon needs (not counted as
/// unknown). Tidal has already moved an event's time tag by its `nudge`, so SuperDirt and
/// Phonon leave it be.
pub const BOOKKEEPING: [&str; 6] = ["s", "orbit", "_id_", "channel", "latency", "nudge"];

/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
const NTP_TO_UNIX: u64 = 2_208_988_800;

/// What the decoder has met so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WireCounts {
    /// `/dirt/play` messages turned into events.
    pub events: u64,
    /// Parameters Phonon does not play (ignored).
    pub unknown_params: u64,
    /// Controls past the [`Controls::CAPACITY`] one event holds (ignored).
    pub crowded: u64,
    /// Events for a sound no folder or kit holds (dropped).
    pub unknown_sounds: u64,
    /// Packets that are not OSC, or `/dirt/play` messages without a sound.
    pub malformed: u64,
    /// Messages to addresses Phonon does not answer.
    pub unknown_addresses: u64,
    /// Packets of bundles nested deeper than [`MAX_NESTING`] (dropped undecoded).
    pub too_deep: u64,
}

/// The deepest bundle nesting a packet may have. Tidal and Strudel send one level; the decoder
/// recurses once per level, so without a bound one packet of thousands of nested bundles
/// overflows the receive thread's stack.
pub const MAX_NESTING: usize = 32;

/// How deep the bundles of `packet` nest (0 for a message), found without recursion and
/// without decoding; past [`MAX_NESTING`] it stops and answers `MAX_NESTING + 1`. Malformed
/// sizes end the walk there: the decoder then refuses the packet itself.
pub fn bundle_nesting(packet: &[u8]) -> usize {
    const BUNDLE: &[u8; 8] = b"#bundle\0";
    // Header and time tag.
    const HEAD: usize = 16;
    let is_bundle = |at: usize, end: usize| end >= at + HEAD && packet[at..].starts_with(BUNDLE);
    if !is_bundle(0, packet.len()) {
        return 0;
    }
    // The end of each open bundle, innermost last.
    let mut ends = [0usize; MAX_NESTING];
    ends[0] = packet.len();
    let (mut depth, mut deepest, mut pos) = (1, 1, HEAD);
    while depth > 0 {
        let end = ends[depth - 1];
        if pos >= end {
            depth -= 1;
            continue;
        }
        let Some(size) = packet
            .get(pos..pos + 4)
            .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        else {
            break;
        };
        pos += 4;
        let Some(inner_end) = usize::try_from(size)
            .ok()
            .map(|n| pos + n)
            .filter(|&e| e <= end)
        else {
            break;
        };
        if is_bundle(pos, inner_end) {
            if depth == MAX_NESTING {
                return MAX_NESTING + 1;
            }
            ends[depth] = inner_end;
            depth += 1;
            deepest = deepest.max(depth);
            pos += HEAD;
        } else {
            pos = inner_end;
        }
    }
    deepest
}

/// How often an orbit's level is to be sent back (SuperDirt's `rmsReplyRate`, `rmsPeakLag`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RmsRequest {
    /// Replies a second; 0 for none.
    pub rate: f32,
    /// Seconds for a peak to fall back (by 60 dB).
    pub lag: f32,
}

/// Turns packets into events and replies.
pub struct Decoder {
    sounds: Arc<SoundTable>,
    orbits: usize,
    /// Counts so far.
    pub counts: WireCounts,
    /// The last unknown sound's name, for a rate-limited log line.
    pub last_unknown_sound: Option<String>,
    /// What each orbit's events last asked of `/rms`.
    pub rms: Vec<RmsRequest>,
    /// Set when an event changed [`Decoder::rms`]; the reader clears it.
    pub rms_changed: bool,
    /// The sound names played on the MIDI out port (`midi`), none without one.
    midi_targets: Vec<String>,
}

/// What a packet asks to send back, to its sender.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply(pub Vec<u8>);

impl Decoder {
    /// A decoder resolving sounds in `sounds`, for `orbits` orbits.
    pub fn new(sounds: Arc<SoundTable>, orbits: usize) -> Decoder {
        Decoder {
            sounds,
            orbits: orbits.max(1),
            counts: WireCounts::default(),
            last_unknown_sound: None,
            rms: vec![RmsRequest::default(); orbits.max(1)],
            rms_changed: false,
            midi_targets: Vec::new(),
        }
    }

    /// Events of these sounds (`s "midi"`) go to the MIDI out port, as SuperDirt's MIDI
    /// targets, and not to an orbit.
    pub fn set_midi_targets(&mut self, names: Vec<String>) {
        self.midi_targets = names;
    }

    /// Resolves sounds in `sounds` from now on (the same folders loaded again, at another
    /// sample rate); the counts go on.
    pub fn set_sounds(&mut self, sounds: Arc<SoundTable>) {
        self.sounds = sounds;
    }

    /// Decodes one UDP packet: events go to `events` (times mapped by `clock`); a handshake or
    /// hello returns the reply to send.
    pub fn decode(
        &mut self,
        packet: &[u8],
        clock: &WallClock,
        events: &mut Vec<DirtEvent>,
    ) -> Option<Reply> {
        if bundle_nesting(packet) > MAX_NESTING {
            self.counts.too_deep += 1;
            return None;
        }
        match rosc::decoder::decode_udp(packet) {
            Ok((_, packet)) => self.packet(packet, None, clock, events),
            Err(_) => {
                self.counts.malformed += 1;
                None
            }
        }
    }

    fn packet(
        &mut self,
        packet: OscPacket,
        at: Option<u64>,
        clock: &WallClock,
        events: &mut Vec<DirtEvent>,
    ) -> Option<Reply> {
        match packet {
            OscPacket::Message(m) => self.message(m, at, events),
            OscPacket::Bundle(OscBundle { timetag, content }) => {
                let at = unix_micros(timetag).map(|t| clock.monotonic_of(t)).or(at);
                let mut reply = None;
                for p in content {
                    reply = self.packet(p, at, clock, events).or(reply);
                }
                reply
            }
        }
    }

    fn message(
        &mut self,
        m: OscMessage,
        at: Option<u64>,
        events: &mut Vec<DirtEvent>,
    ) -> Option<Reply> {
        match m.addr.as_str() {
            "/dirt/play" | "/play2" => {
                self.play(&m.args, at, events);
                None
            }
            "/dirt/handshake" => Some(handshake_reply()),
            "/dirt/hello" => Some(encode(OscMessage {
                addr: "/dirt/hello/reply".into(),
                args: Vec::new(),
            })),
            _ => {
                self.counts.unknown_addresses += 1;
                None
            }
        }
    }

    /// Sets a control of an event being decoded, counting it when the event is full.
    fn set(&mut self, values: &mut Controls, control: Control, value: f64) {
        if !values.set(control, value) {
            self.counts.crowded += 1;
        }
    }

    /// A control of an event, by the name Tidal or Strudel sends it under.
    fn take_control(&mut self, values: &mut Controls, name: &str, value: &OscType) {
        match name {
            "unit" => {
                if matches!(value, OscType::String(u) if u == "c") {
                    self.set(values, Control::Unit, 1.0);
                }
            }
            "note" => match value {
                OscType::String(n) => match note_name(n) {
                    Some(note) => self.set(values, Control::Note, f64::from(note)),
                    None => self.counts.unknown_params += 1,
                },
                v => {
                    if let Some(x) = number(v) {
                        self.set(values, Control::Note, x);
                    }
                }
            },
            "midicmd" => match value {
                OscType::String(c) => match dsp::midi_out::midi_command(c) {
                    Some(x) => self.set(values, Control::Midicmd, x),
                    None => self.counts.unknown_params += 1,
                },
                _ => self.counts.malformed += 1,
            },
            "vowel" => match value {
                OscType::String(v) => {
                    if let Some(k) = "aeiou".find(v.as_str()).filter(|_| v.len() == 1) {
                        self.set(values, Control::Vowel, k as f64 + 1.0);
                    }
                }
                v => {
                    if let Some(x) = number(v) {
                        self.set(values, Control::Vowel, x);
                    }
                }
            },
            other => match (Control::from_alias(other), number(value)) {
                (Some(c), Some(x)) => self.set(values, c, x),
                (Some(_), None) => self.counts.malformed += 1,
                (None, _) if BOOKKEEPING.contains(&other) => {}
                (None, _) => self.counts.unknown_params += 1,
            },
        }
    }

    /// An orbit's `/rms` reply rate and peak lag, as SuperDirt's global effects take them from
    /// any event.
    fn take_rms_request(&mut self, orbit: u16, rate: Option<f64>, lag: Option<f64>) {
        let request = &mut self.rms[usize::from(orbit)];
        let before = *request;
        request.rate = rate.map_or(request.rate, |r| r.clamp(0.0, 100.0) as f32);
        request.lag = lag.map_or(request.lag, |l| l.max(0.0) as f32);
        self.rms_changed |= *request != before;
    }

    /// Name/value pairs into one event.
    fn play(&mut self, args: &[OscType], at: Option<u64>, events: &mut Vec<DirtEvent>) {
        let mut values = Controls::default();
        let mut sound: Option<&str> = None;
        let mut orbit = 0.0f64;
        let (mut rms_rate, mut rms_lag) = (None, None);
        let mut pairs = args.chunks_exact(2);
        for pair in &mut pairs {
            let OscType::String(name) = &pair[0] else {
                self.counts.malformed += 1;
                return;
            };
            let value = &pair[1];
            match name.as_str() {
                "s" => match value {
                    OscType::String(s) => sound = Some(s),
                    _ => {
                        self.counts.malformed += 1;
                        return;
                    }
                },
                "orbit" => orbit = number(value).unwrap_or(0.0),
                "rmsReplyRate" => rms_rate = number(value),
                "rmsPeakLag" => rms_lag = number(value),
                other => self.take_control(&mut values, other, value),
            }
        }
        if !pairs.remainder().is_empty() {
            self.counts.malformed += 1;
        }
        let orbit = if orbit.is_finite() {
            (orbit.max(0.0) as usize % self.orbits) as u16
        } else {
            0
        };
        if rms_rate.is_some() || rms_lag.is_some() {
            self.take_rms_request(orbit, rms_rate, rms_lag);
        }
        let Some(name) = sound else {
            self.counts.malformed += 1;
            return;
        };
        // SuperDirt adds `lag`, and `offset` times the speed, to the event's latency.
        let late = values.or(Control::Lag, 0.0)
            + values.or(Control::Offset, 0.0) * values.or(Control::Speed, 1.0).abs();
        let at = match at {
            Some(t) if late.is_finite() && late != 0.0 => {
                Some(t.saturating_add_signed((late * 1e6).round() as i64))
            }
            at => at,
        };
        let target = if self.midi_targets.iter().any(|t| t == name) {
            Some(crate::event::MIDI_TARGET)
        } else {
            (name == "superpanic").then_some(crate::event::PANIC)
        };
        if let Some(sample) = target {
            self.counts.events += 1;
            events.push(DirtEvent {
                at,
                sample,
                orbit,
                values,
            });
            return;
        }
        // Strudel may send `bd:3` in `s`.
        let (name, n) = match name.split_once(':') {
            Some((base, k)) if k.parse::<f64>().is_ok() => (
                base,
                values.or(Control::N, 0.0) + k.parse::<f64>().unwrap_or(0.0),
            ),
            _ => (name, values.or(Control::N, 0.0)),
        };
        let Some(sample) = self.sounds.resolve(name, n) else {
            self.counts.unknown_sounds += 1;
            self.last_unknown_sound = Some(name.to_string());
            return;
        };
        self.counts.events += 1;
        events.push(DirtEvent {
            at,
            sample,
            orbit,
            values,
        });
    }
}

/// A number sent as `i`, `f`, `d`, `h`, a bool, or a numeric string.
fn number(v: &OscType) -> Option<f64> {
    let x = match v {
        OscType::Int(i) => f64::from(*i),
        OscType::Float(f) => f64::from(*f),
        OscType::Double(d) => *d,
        OscType::Long(l) => *l as f64,
        OscType::Bool(b) => f64::from(u8::from(*b)),
        OscType::String(s) => s.parse().ok()?,
        _ => return None,
    };
    x.is_finite().then_some(x)
}

/// A note sent as a string: a name (`c3`, `a#4`, `Eb`) in semitones from c5, Tidal's note 0,
/// or a number.
fn note_name(name: &str) -> Option<f32> {
    pattern::note_number(&name.to_ascii_lowercase())
        .or_else(|| name.parse().ok())
        .map(|n| n as f32)
}

/// An OSC time tag as Unix microseconds; `None` for "immediately" (0.000…1).
fn unix_micros(t: OscTime) -> Option<u64> {
    if t.seconds == 0 && t.fractional <= 1 {
        return None;
    }
    let seconds = u64::from(t.seconds).checked_sub(NTP_TO_UNIX)?;
    let micros = (u64::from(t.fractional) * 1_000_000) >> 32;
    Some(seconds * 1_000_000 + micros)
}

fn encode(m: OscMessage) -> Reply {
    Reply(rosc::encoder::encode(&OscPacket::Message(m)).unwrap_or_default())
}

/// SuperDirt's handshake reply: Tidal keeps asking every 2 s until it has control bus indices.
fn handshake_reply() -> Reply {
    let mut args = vec![
        OscType::String("&serverHostname".into()),
        OscType::String("127.0.0.1".into()),
        OscType::String("&serverPort".into()),
        OscType::Int(57110),
        OscType::String("&controlBusIndices".into()),
    ];
    args.extend((0..16).map(OscType::Int));
    encode(OscMessage {
        addr: "/dirt/handshake/reply".into(),
        args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsp::samples::bank::SampleBank;

    fn decoder() -> Decoder {
        Decoder::new(
            Arc::new(SoundTable::from_bank(&SampleBank::builtin(48_000))),
            4,
        )
    }

    fn tidal_bundle(at_unix: f64, args: Vec<OscType>) -> Vec<u8> {
        let seconds = at_unix.floor();
        let timetag = OscTime {
            seconds: (seconds as u64 + NTP_TO_UNIX) as u32,
            fractional: ((at_unix - seconds) * 4_294_967_296.0) as u32,
        };
        rosc::encoder::encode(&OscPacket::Bundle(OscBundle {
            timetag,
            content: vec![OscPacket::Message(OscMessage {
                addr: "/dirt/play".into(),
                args,
            })],
        }))
        .unwrap()
    }

    fn s(x: &str) -> OscType {
        OscType::String(x.into())
    }

    #[test]
    fn superpanic_is_an_event_for_every_orbit_and_cycle_is_read() {
        let mut d = decoder();
        let clock = WallClock::fixed(0);
        let mut events = Vec::new();
        let packet = tidal_bundle(
            1_700_000_000.25,
            vec![s("s"), s("superpanic"), s("cycle"), OscType::Float(3.5)],
        );
        d.decode(&packet, &clock, &mut events);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].sample, crate::event::PANIC);
        assert_eq!(events[0].values.get(Control::Cycle), Some(3.5));
        assert_eq!(d.counts.unknown_sounds, 0);
        assert_eq!(d.counts.unknown_params, 0);
    }

    #[test]
    fn tidal_layout_becomes_an_event_at_its_timetag() {
        let mut d = decoder();
        let clock = WallClock::fixed(1_000_000);
        let mut events = Vec::new();
        let packet = tidal_bundle(
            1_700_000_000.25,
            vec![
                s("_id_"),
                s("1"),
                s("cps"),
                OscType::Float(0.5625),
                s("cut"),
                OscType::Int(1),
                s("cycle"),
                OscType::Float(12.5),
                s("delta"),
                OscType::Float(0.44),
                s("gain"),
                OscType::Float(1.1),
                s("n"),
                OscType::Float(3.0),
                s("orbit"),
                OscType::Int(5),
                s("s"),
                s("bd"),
                s("pitch2"),
                OscType::Float(2.0),
            ],
        );
        assert_eq!(d.decode(&packet, &clock, &mut events), None);
        assert_eq!(events.len(), 1);
        let e = events[0];
        // Unix µs + the fixed offset; orbit 5 wraps to 1 of 4.
        assert_eq!(e.at, Some(1_700_000_000_250_000 + 1_000_000));
        assert_eq!(e.orbit, 1);
        assert_eq!(e.values.get(Control::Cut), Some(1.0));
        assert_eq!(e.values.get(Control::Gain), Some(f64::from(1.1f32)));
        assert_eq!(e.values.get(Control::Delta), Some(f64::from(0.44f32)));
        assert_eq!(d.counts.unknown_params, 1, "pitch2 is counted");
        assert_eq!(d.counts.events, 1);
    }

    #[test]
    fn lag_and_offset_times_speed_make_an_event_later_and_nudge_is_tidals() {
        let mut d = decoder();
        let clock = WallClock::fixed(0);
        let mut events = Vec::new();
        let bundle = |params: Vec<OscType>| {
            let mut args = vec![s("s"), s("bd")];
            args.extend(params);
            tidal_bundle(1_700_000_000.0, args)
        };
        for params in [
            vec![],
            vec![s("lag"), OscType::Float(0.1)],
            vec![
                s("offset"),
                OscType::Float(0.05),
                s("speed"),
                OscType::Float(-2.0),
            ],
            vec![s("nudge"), OscType::Float(0.3)],
        ] {
            d.decode(&bundle(params), &clock, &mut events);
        }
        let at: Vec<u64> = events
            .iter()
            .map(|e| e.at.unwrap() - events[0].at.unwrap())
            .collect();
        assert_eq!(at, [0, 100_000, 100_000, 0]);
        assert_eq!(d.counts.unknown_params, 0);
    }

    #[test]
    fn strudel_numbers_are_floats_and_notes_may_be_names() {
        let mut d = decoder();
        let mut events = Vec::new();
        let bare = rosc::encoder::encode(&OscPacket::Message(OscMessage {
            addr: "/dirt/play".into(),
            args: vec![
                s("s"),
                s("hh:2"),
                s("note"),
                s("c3"),
                s("orbit"),
                OscType::Float(2.0),
                s("vowel"),
                s("o"),
            ],
        }))
        .unwrap();
        d.decode(&bare, &WallClock::fixed(0), &mut events);
        let e = events[0];
        assert_eq!(e.at, None, "a bare message plays now");
        assert_eq!(e.orbit, 2);
        assert_eq!(e.values.get(Control::Note), Some(-24.0));
        assert_eq!(e.values.get(Control::Vowel), Some(4.0));
        assert_eq!(note_name("a5"), Some(9.0));
        assert_eq!(note_name("eb4"), Some(-9.0));
        assert_eq!(note_name("c#"), Some(1.0));
        assert_eq!(note_name("Eb4"), Some(-9.0));
        assert_eq!(note_name("7"), Some(7.0));
    }

    #[test]
    fn tidals_short_names_mean_their_controls() {
        let mut d = decoder();
        let mut events = Vec::new();
        let short = rosc::encoder::encode(&OscPacket::Message(OscMessage {
            addr: "/dirt/play".into(),
            args: vec![
                s("s"),
                s("hh"),
                s("lpf"),
                OscType::Float(800.0),
                s("hpq"),
                OscType::Float(0.2),
                s("sz"),
                OscType::Float(0.9),
                s("tremr"),
                OscType::Float(4.0),
            ],
        }))
        .unwrap();
        d.decode(&short, &WallClock::fixed(0), &mut events);
        let e = events[0];
        assert_eq!(e.values.get(Control::Cutoff), Some(800.0));
        assert_eq!(e.values.get(Control::Hresonance), Some(0.2f32 as f64));
        assert_eq!(e.values.get(Control::Size), Some(0.9f32 as f64));
        assert_eq!(e.values.get(Control::Tremolorate), Some(4.0));
        assert_eq!(d.counts.unknown_params, 0);
    }

    #[test]
    fn rms_requests_are_kept_per_orbit_and_flagged_when_they_change() {
        let mut d = decoder();
        let mut events = Vec::new();
        let ask = |rate: f32| {
            rosc::encoder::encode(&OscPacket::Message(OscMessage {
                addr: "/dirt/play".into(),
                args: vec![
                    s("s"),
                    s("hh"),
                    s("orbit"),
                    OscType::Int(1),
                    s("rmsReplyRate"),
                    OscType::Float(rate),
                    s("rmsPeakLag"),
                    OscType::Float(3.0),
                ],
            }))
            .unwrap()
        };
        d.decode(&ask(8.0), &WallClock::fixed(0), &mut events);
        assert!(d.rms_changed);
        assert_eq!(
            d.rms[1],
            RmsRequest {
                rate: 8.0,
                lag: 3.0
            }
        );
        assert_eq!(d.rms[0], RmsRequest::default());
        assert_eq!(d.counts.unknown_params, 0);
        d.rms_changed = false;
        d.decode(&ask(8.0), &WallClock::fixed(0), &mut events);
        assert!(!d.rms_changed, "the same request again changes nothing");
        d.decode(&ask(0.0), &WallClock::fixed(0), &mut events);
        assert!(d.rms_changed);
        assert_eq!(d.rms[1].rate, 0.0);
    }

    #[test]
    fn handshake_and_hello_are_answered() {
        let mut d = decoder();
        let ask = |addr: &str| {
            rosc::encoder::encode(&OscPacket::Message(OscMessage {
                addr: addr.into(),
                args: vec![],
            }))
            .unwrap()
        };
        let mut events = Vec::new();
        let Reply(reply) = d
            .decode(&ask("/dirt/handshake"), &WallClock::fixed(0), &mut events)
            .expect("a reply");
        let (_, OscPacket::Message(m)) = rosc::decoder::decode_udp(&reply).unwrap() else {
            panic!("a message");
        };
        assert_eq!(m.addr, "/dirt/handshake/reply");
        assert_eq!(m.args[0], s("&serverHostname"));
        assert_eq!(m.args[4], s("&controlBusIndices"));
        assert!(matches!(m.args[5], OscType::Int(0)));
        assert!(d
            .decode(&ask("/dirt/hello"), &WallClock::fixed(0), &mut events)
            .is_some());
        assert!(d
            .decode(&ask("/nope"), &WallClock::fixed(0), &mut events)
            .is_none());
        assert_eq!(d.counts.unknown_addresses, 1);
    }

    #[test]
    fn an_event_keeps_its_first_sixteen_controls_and_counts_the_rest() {
        let mut d = decoder();
        let clock = WallClock::fixed(0);
        let mut events = Vec::new();
        let mut args = vec![s("s"), s("bd")];
        for c in Control::ALL
            .iter()
            .skip(Control::Accelerate.index())
            .take(20)
        {
            args.push(s(c.name()));
            args.push(OscType::Float(0.5));
        }
        let packet = rosc::encoder::encode(&OscPacket::Message(OscMessage {
            addr: "/dirt/play".into(),
            args,
        }))
        .unwrap();
        d.decode(&packet, &clock, &mut events);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].values.iter().count(), Controls::CAPACITY);
        assert_eq!(d.counts.crowded, 4);
    }

    #[test]
    fn bad_input_is_counted_never_a_panic() {
        let mut d = decoder();
        let clock = WallClock::fixed(0);
        let mut events = Vec::new();
        let good = tidal_bundle(1.0e9, vec![s("s"), s("sn"), s("gain"), OscType::Float(1.0)]);
        for cut in 0..good.len() {
            d.decode(&good[..cut], &clock, &mut events);
        }
        d.decode(&[0xff; 7], &clock, &mut events);
        // Wrong types, an odd count, no sound, an unknown sound.
        let message = |args| {
            rosc::encoder::encode(&OscPacket::Message(OscMessage {
                addr: "/dirt/play".into(),
                args,
            }))
            .unwrap()
        };
        d.decode(
            &message(vec![OscType::Int(3), s("bd")]),
            &clock,
            &mut events,
        );
        d.decode(&message(vec![s("s"), OscType::Int(3)]), &clock, &mut events);
        d.decode(
            &message(vec![s("s"), s("bd"), s("gain")]),
            &clock,
            &mut events,
        );
        d.decode(
            &message(vec![s("gain"), OscType::Float(1.0)]),
            &clock,
            &mut events,
        );
        d.decode(&message(vec![s("s"), s("nosuch")]), &clock, &mut events);
        assert_eq!(d.counts.unknown_sounds, 1);
        assert_eq!(d.last_unknown_sound.as_deref(), Some("nosuch"));
        assert!(d.counts.malformed >= 5, "{:?}", d.counts);
        assert_eq!(
            events.len(),
            1,
            "the odd-count message still plays its sound"
        );
    }

    /// `packet` wrapped in `levels` bundles, as a hostile sender builds it by hand.
    fn nested(packet: Vec<u8>, levels: usize) -> Vec<u8> {
        let mut bytes = packet;
        for _ in 0..levels {
            let mut outer = b"#bundle\0".to_vec();
            outer.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
            outer.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
            outer.extend_from_slice(&bytes);
            bytes = outer;
        }
        bytes
    }

    #[test]
    fn thousands_of_nested_bundles_are_counted_not_decoded() {
        let play = rosc::encoder::encode(&OscPacket::Message(OscMessage {
            addr: "/dirt/play".into(),
            args: vec![s("s"), s("bd")],
        }))
        .unwrap();
        assert_eq!(bundle_nesting(&play), 0);
        assert_eq!(bundle_nesting(&nested(play.clone(), 1)), 1);
        assert_eq!(
            bundle_nesting(&nested(play.clone(), MAX_NESTING)),
            MAX_NESTING
        );
        // The receive thread's stack overflowed past about 2,100 levels: this is refused before
        // any recursion.
        let hostile = nested(play.clone(), 3_000);
        assert_eq!(bundle_nesting(&hostile), MAX_NESTING + 1);
        let mut d = decoder();
        let mut events = Vec::new();
        d.decode(&hostile, &WallClock::fixed(0), &mut events);
        d.decode(
            &nested(play.clone(), MAX_NESTING + 1),
            &WallClock::fixed(0),
            &mut events,
        );
        assert_eq!(d.counts.too_deep, 2);
        assert!(events.is_empty());
        d.decode(
            &nested(play, MAX_NESTING),
            &WallClock::fixed(0),
            &mut events,
        );
        assert_eq!(events.len(), 1, "nesting up to the limit still plays");
        // Sibling bundles and a bundle after a message do not add up as depth.
        let two = {
            let one = nested(b"/x\0\0,\0\0\0".to_vec(), 3);
            let mut outer = b"#bundle\0".to_vec();
            outer.extend_from_slice(&[0; 8]);
            for _ in 0..40 {
                outer.extend_from_slice(&(one.len() as i32).to_be_bytes());
                outer.extend_from_slice(&one);
            }
            outer
        };
        assert_eq!(bundle_nesting(&two), 4);
        // Sizes that lie end the walk without a panic.
        let mut lying = nested(b"/x\0\0,\0\0\0".to_vec(), 2);
        lying[16..20].copy_from_slice(&i32::MAX.to_be_bytes());
        assert_eq!(bundle_nesting(&lying), 1);
        lying[16..20].copy_from_slice(&(-5i32).to_be_bytes());
        assert_eq!(bundle_nesting(&lying), 1);
    }
}
