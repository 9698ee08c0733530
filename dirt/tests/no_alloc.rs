//! The audio path allocates nothing: a stream of events decoded from Tidal-layout packets, sent
//! through the queue, started, filtered, pitch-shifted, squizzed, shifted, combed, delayed and
//! reverberated,
//! on two workers.

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

mod common;
use common::*;
use dirt::clock::WallClock;
use dirt::wire::Decoder;
use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};
use std::sync::Mutex;

/// The counter sees every thread, so the tests must not overlap.
static SERIAL: Mutex<()> = Mutex::new(());

/// A Tidal-layout `/dirt/play` bundle for frame `frame` (Unix time = monotonic time here).
fn packet(frame: u64, sound: &str, orbit: i32, cut: i32) -> Vec<u8> {
    let at = START + frame * 1_000_000 / u64::from(RATE);
    let s = |x: &str| OscType::String(x.into());
    let args = vec![
        s("cps"),
        OscType::Float(0.5625),
        s("cut"),
        OscType::Int(cut),
        s("cutoff"),
        OscType::Float(900.0),
        s("delay"),
        OscType::Float(0.5),
        s("orbit"),
        OscType::Int(orbit),
        s("room"),
        OscType::Float(0.3),
        s("s"),
        s(sound),
        s("speed"),
        OscType::Float(1.5),
        s("vowel"),
        s("e"),
    ];
    rosc::encoder::encode(&OscPacket::Bundle(OscBundle {
        timetag: OscTime {
            seconds: (at / 1_000_000 + 2_208_988_800) as u32,
            fractional: (((at % 1_000_000) << 32) / 1_000_000) as u32,
        },
        content: vec![OscPacket::Message(OscMessage {
            addr: "/dirt/play".into(),
            args,
        })],
    }))
    .unwrap()
}

#[test]
fn playing_a_stream_of_events_allocates_nothing() {
    alloc_counter::settle();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (mut engine, mut sender, stats, table) = engine(2, 4);
    let frames = 128;
    let mut buffers = [[0.0f32; 128]; 10];
    // Decoded as the receive thread does (it may allocate; the audio path may not).
    let mut decoder = Decoder::new(table.clone(), 4);
    let mut events = Vec::new();
    for k in 0..2_000u64 {
        // Samples, and synths of SuperDirt's library (their voices hold their delay lines, or
        // borrow a hall for the reverbs inside them).
        let sound = [
            "bd",
            "sn",
            "tone",
            "ramp",
            "superpiano",
            "supermandolin",
            "superhex",
            "supergrind",
            "superprimes",
            "superwavemechanics",
        ][k as usize % 10];
        decoder.decode(
            &packet(k * 37, sound, (k % 4) as i32, (k % 2) as i32),
            &WallClock::fixed(0),
            &mut events,
        );
    }
    assert_eq!(events.len(), 2_000);
    // Some with the effects whose memory the orbit lends: squiz, a frequency shift and the
    // spectral ones.
    for (k, e) in events.iter_mut().enumerate() {
        let (control, value) = match k % 5 {
            0 => (pattern::Control::Squiz, 2.0),
            1 => (pattern::Control::Comb, 0.4),
            2 => (pattern::Control::Fshift, 100.0),
            3 => (pattern::Control::Psrate, 1.5),
            4 if k % 10 == 4 => (pattern::Control::Xsdelay, 5.0),
            _ => continue,
        };
        e.values.set(control, value);
    }
    let mut next = 0;
    let mut block = |engine: &mut dirt::DirtEngine, sender: &mut dirt::EventSender, b: usize| {
        // Each block brings the events of the next few blocks, as packets would.
        while next < events.len()
            && events[next].at.unwrap() < START + ((b + 8) * frames) as u64 * 20
        {
            sender.send(events[next]);
            next += 1;
        }
        let mut slices: [&mut [f32]; 10] = buffers.each_mut().map(|b| &mut b[..]);
        engine.process(
            START as f64 + (b * frames) as f64 * MICROS,
            MICROS,
            frames,
            &mut slices,
        );
    };
    // Warm up: every voice slot and both effects of every orbit in use once.
    for b in 0..200 {
        block(&mut engine, &mut sender, b);
    }
    let calls = alloc_counter::count(|| {
        for b in 200..600 {
            block(&mut engine, &mut sender, b);
        }
    });
    assert_eq!(calls, 0, "allocator calls while playing");
    assert!(stats.played.load(std::sync::atomic::Ordering::Relaxed) > 1_000);
}

#[test]
fn midi_target_events_and_their_note_offs_allocate_nothing() {
    alloc_counter::settle();
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (_, _, _, table) = engine(1, 1);
    let stats = std::sync::Arc::new(dirt::router::DirtStats::default());
    let (mut sender, mut router, _inboxes) = dirt::router::channel(1, stats.clone());
    let mut decoder = Decoder::new(table, 1);
    decoder.set_midi_targets(vec!["midi".into()]);
    let mut events = Vec::new();
    for k in 0..3_000u64 {
        decoder.decode(
            &packet(k * 41, "midi", 0, 0),
            &WallClock::fixed(0),
            &mut events,
        );
    }
    // Notes too: the packets' `n` is unset, so give every other one a note.
    for (k, e) in events.iter_mut().enumerate() {
        if k % 2 == 0 {
            e.values.set(pattern::Control::N, (k % 24) as f64);
            e.values.set(pattern::Control::Sustain, 0.05);
        }
    }
    assert!(events.iter().all(|e| e.sample == dirt::event::MIDI_TARGET));
    let mut midi = dsp::midi_out::MidiOut::new(f64::from(RATE));
    let frames = 128;
    let (mut next, mut ons, mut offs) = (0, 0, 0);
    let mut block = |b: usize| {
        while next < events.len()
            && events[next].at.unwrap() < START + ((b + 8) * frames) as u64 * 20
        {
            sender.send(events[next]);
            next += 1;
        }
        let start = START as f64 + (b * frames) as f64 * MICROS;
        router.route(start, MICROS, frames, Some(&mut midi));
        for m in midi.take(frames as u32) {
            match m.bytes()[0] & 0xf0 {
                0x90 => ons += 1,
                0x80 => offs += 1,
                _ => {}
            }
        }
    };
    for b in 0..100 {
        block(b);
    }
    let calls = alloc_counter::count(|| {
        for b in 100..1_000 {
            block(b);
        }
    });
    assert_eq!(calls, 0, "allocator calls while sending MIDI");
    midi.all_off(0);
    let ended = midi
        .take(frames as u32)
        .iter()
        .filter(|m| m.bytes()[0] & 0xf0 == 0x80)
        .count();
    assert!(ons > 1_000, "{ons} notes");
    assert_eq!(ons, offs + ended, "every note ended");
}
