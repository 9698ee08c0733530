//! MIDI on a real JACK server. `phonon live --midi-clock`, heard by jackd2's own
//! `jack_midi_dump`: Start when the transport rolls from the top, 24 pulses a beat on their
//! frames, Stop when it stops, Song Position and Continue when it rolls again, and the pulses
//! following a tempo change of the patch. `--midi-in`: a controller client's Control Changes
//! heard in a level and a filter.
//!
//! Built only with optimisations, like `live.rs`.
#![cfg(not(debug_assertions))]

mod harness;

use harness::*;
use std::io::Read;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many times a scenario with xruns about is run. Five: beside a second real-time server
/// and a busy core, the monitor lost periods (and a note-on in them) in three attempts in a
/// row, 34 and 53 xruns each.
const ATTEMPTS: usize = 5;

/// `jack_midi_dump -a`'s lines: the frame (from its start) and the message's bytes.
fn messages(dump: &str) -> Vec<(u64, Vec<u8>)> {
    dump.lines()
        .filter_map(|line| {
            let (frame, bytes) = line.split_once(':')?;
            // The bytes, then (for channel messages) what they mean in words.
            let bytes: Vec<u8> = bytes
                .split_whitespace()
                .map_while(|b| u8::from_str_radix(b, 16).ok())
                .collect();
            Some((frame.trim().parse().ok()?, bytes)).filter(|m| !m.1.is_empty())
        })
        .collect()
}

/// The spacings of the clock pulses in `messages`.
fn spacings(messages: &[(u64, Vec<u8>)]) -> Vec<u64> {
    let pulses: Vec<u64> = messages
        .iter()
        .filter(|m| m.1 == [0xf8])
        .map(|m| m.0)
        .collect();
    pulses.windows(2).map(|w| w[1] - w[0]).collect()
}

/// The share of `spacings` that are one of `expected`.
fn share(spacings: &[u64], expected: &[u64]) -> f64 {
    spacings.iter().filter(|s| expected.contains(s)).count() as f64 / spacings.len().max(1) as f64
}

fn stop_dump(mut dump: Child) -> String {
    // SAFETY: signals our own child.
    unsafe { libc::kill(dump.id() as i32, libc::SIGINT) };
    let _ = dump.wait();
    let mut text = String::new();
    if let Some(mut out) = dump.stdout.take() {
        let _ = out.read_to_string(&mut text);
    }
    text
}

#[test]
fn midi_clock_pulses_on_its_frames_and_follows_the_transport_and_tempo() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    unless_xruns_spoil(ATTEMPTS, |xruns| {
        let server = Server::start(128, true);
        let _xruns = watch_xruns(&server, xruns);
        // Half a cycle a second, four beats a cycle: 120 BPM, a pulse every 1,000 frames.
        let patch = temp_patch("tempo: 0.5\nout: s \"bd*4\"\n");
        let phonon = Phonon::start(&server, &patch, &["--quiet", "--midi-clock"]);
        let dump = dump_of(&server, &format!("{}:midi_clock", phonon.name));
        let control = server.client(&unique("control"));
        let seconds = |s: f64| std::thread::sleep(Duration::from_secs_f64(s));
        // The monitor hears nothing until it is active, which a loaded machine can delay well
        // past its port's registration; the Start must come after (`dump_of` waited 1 s).
        seconds(0.5);
        control.transport().start().unwrap();
        seconds(1.5);
        control.transport().stop().unwrap();
        seconds(0.3);
        control.transport().start().unwrap();
        seconds(0.5);
        std::fs::write(&patch, "tempo: 0.75\nout: s \"bd*4\"\n").unwrap();
        phonon.wait_for("generation 2", Duration::from_secs(20));
        seconds(1.5);
        let out = messages(&stop_dump(dump));
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");

        // Nothing while the transport stood; Start first when it rolled from the top.
        assert_eq!(
            out.first().map(|m| m.1.clone()),
            Some(vec![0xfa]),
            "{out:?}"
        );
        let stop = out.iter().position(|m| m.1 == [0xfc]).expect("a Stop");
        let rolling = &out[1..stop];
        assert!(rolling.len() > 24, "{rolling:?}");
        // Exactly 1,000 frames apart, bar a period JACK skipped on a busy machine.
        let first = spacings(rolling);
        assert!(share(&first, &[1000]) > 0.8, "{first:?}");
        // After the Stop, no pulse until the Song Position and Continue.
        let position = out
            .iter()
            .position(|m| m.1[0] == 0xf2)
            .expect("a Song Position");
        assert!(position > stop && out[stop..position].iter().all(|m| m.1 != [0xf8]));
        assert_eq!(out[position + 1].1, [0xfb], "Continue after the position");
        // The position, in sixteenths (six pulses each), is where the pulses stopped.
        let sixteenths = u64::from(out[position].1[1]) + (u64::from(out[position].1[2]) << 7);
        let pulses = rolling.iter().filter(|m| m.1 == [0xf8]).count() as u64;
        assert!(
            sixteenths.abs_diff(pulses / 6) <= 1,
            "{sixteenths} against {pulses} pulses"
        );
        // At 0.75 cycles a second: 666⅔ frames apart.
        let last = spacings(&out[out.len() - 40..]);
        assert!(share(&last, &[666, 667]) > 0.8, "{last:?}");
    });
}

/// Three-byte MIDI messages waiting to be sent.
type Outbox = Arc<Mutex<Vec<[u8; 3]>>>;

/// A JACK client with a MIDI output port that sends what is queued, at the start of a period.
struct Controller {
    port: jack::Port<jack::MidiOut>,
    queue: Outbox,
}

impl jack::ProcessHandler for Controller {
    fn process(&mut self, _: &jack::Client, ps: &jack::ProcessScope) -> jack::Control {
        let mut writer = self.port.writer(ps);
        if let Ok(mut queue) = self.queue.try_lock() {
            for message in queue.drain(..) {
                let _ = writer.write(&jack::RawMidi {
                    time: 0,
                    bytes: &message,
                });
            }
        }
        jack::Control::Continue
    }
}

impl Controller {
    /// A controller client called `name`, connected to `phonon`'s `midi_in`: the queue it
    /// sends from, and the client (dropping it disconnects).
    fn plugged_into(
        server: &Server,
        name: &str,
        phonon: &Phonon,
    ) -> (Outbox, jack::AsyncClient<(), Controller>) {
        let queue = Arc::new(Mutex::new(Vec::new()));
        let client = server.client(&unique(name));
        let port = client
            .register_port(name, jack::MidiOut::default())
            .unwrap();
        let from = port.name().unwrap();
        let client = client
            .activate_async(
                (),
                Controller {
                    port,
                    queue: queue.clone(),
                },
            )
            .unwrap();
        client
            .as_client()
            .connect_ports_by_name(&from, &format!("{}:midi_in", phonon.name))
            .unwrap();
        (queue, client)
    }
}

/// `--midi-in`: a controller's Control Changes are what `cc` reads, on its channel or any,
/// gliding: a level follows CC 7 and a low-pass's cutoff CC 74.
#[test]
fn midi_in_controllers_move_what_cc_reads() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    unless_xruns_spoil(ATTEMPTS, |xruns| {
        let server = Server::start(128, true);
        let _xruns = watch_xruns(&server, xruns);
        let patch = temp_patch(
        "out1: sine 440 * cc 7 :channel 2\nout2: saw 110 # lpf (cc 74 * 4000 + 200) 0.7 * 0.3\n",
    );
        let phonon = Phonon::start(
            &server,
            &patch,
            &["--quiet", "--free-run", "--midi-in", "--multi-out"],
        );
        let (queue, _client) = Controller::plugged_into(&server, "knobs", &phonon);
        let level = Capture::start(
            &server,
            &format!("{}:out1_L", phonon.name),
            &format!("{}:out1_R", phonon.name),
            4.0,
        );
        let filter = Capture::start(
            &server,
            &format!("{}:out2_L", phonon.name),
            &format!("{}:out2_R", phonon.name),
            4.0,
        );
        let send = |message: [u8; 3]| queue.lock().unwrap().push(message);
        // Each setting held a third of a second; the last 0.2 s of each is measured.
        let mut marks = Vec::new();
        for messages in [
            vec![],
            vec![[0xb1, 7, 127], [0xb0, 74, 0]],
            vec![[0xb1, 7, 64], [0xb0, 74, 127]],
            // CC 7 on another channel: `cc 7 :channel 2` keeps its value.
            vec![[0xb4, 7, 0]],
        ] {
            messages.into_iter().for_each(send);
            let at = level.frames();
            level.wait_frames(at + 16_000);
            marks.push((level.frames() - 9_600, filter.frames() - 9_600));
        }
        let (level, filter) = (level.finish(), filter.finish());
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");
        let loud = |k: usize| rms(&level.left[marks[k].0..marks[k].0 + 9_600]);
        // Before any change, `cc` is 0; then 1 (a mono sine on both sides: RMS 0.707), then
        // 64/127.
        assert!(loud(0) < 1e-4, "{}", loud(0));
        let full = loud(1);
        assert!((full - 0.707).abs() < 0.03, "{full}");
        assert!(
            (loud(2) / full - 64.0 / 127.0).abs() < 0.02,
            "{}",
            loud(2) / full
        );
        assert!(
            (loud(3) / loud(2) - 1.0).abs() < 0.02,
            "{}",
            loud(3) / loud(2)
        );
        // The saw's 20th harmonic, 2,200 Hz: cut at 200 Hz, passed at 4,200 Hz.
        let high = |k: usize| tone(&filter.left[marks[k].1..marks[k].1 + 9_600], 2200.0);
        assert!(high(2) > 20.0 * high(1), "{} against {}", high(2), high(1));
    });
}

/// `--midi-in` and `keys`: a keyboard's notes played on a sine, each at its pitch and as loud
/// as it was struck; a note let go falls silent, the sustain pedal holds it until it comes up.
#[test]
fn midi_in_notes_play_keys_at_their_pitch_and_velocity() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    unless_xruns_spoil(ATTEMPTS, |xruns| {
        let server = Server::start(128, true);
        let _xruns = watch_xruns(&server, xruns);
        let patch = temp_patch("out: keys \"sine\" * 2\n");
        let phonon = Phonon::start(&server, &patch, &["--quiet", "--free-run", "--midi-in"]);
        let (queue, _client) = Controller::plugged_into(&server, "keyboard", &phonon);
        let capture = Capture::main_pair(&server, &phonon, 6.0);
        let send = |message: [u8; 3]| queue.lock().unwrap().push(message);
        // Each step held a third of a second (past the 0.1 s release); its last 0.2 s measured.
        let mut marks = Vec::new();
        for messages in [
            vec![[0x90, 69, 127]],
            vec![[0x91, 76, 64]],
            vec![[0x80, 69, 0]],
            // The pedal down, then the last key let go: it still sounds.
            vec![[0xb1, 64, 127], [0x81, 76, 0]],
            vec![[0xb1, 64, 0]],
        ] {
            messages.into_iter().for_each(send);
            let at = capture.frames();
            capture.wait_frames(at + 16_000);
            marks.push(capture.frames() - 9_600);
        }
        let recording = capture.finish();
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");
        let step = |k: usize| &recording.left[marks[k]..marks[k] + 9_600];
        let (a, e) = (440.0, 659.255);
        // A full-velocity note is a quarter (here × 2): power (0.5/2)² at its pitch.
        let first = tone(step(0), a);
        assert!((first - 0.0625).abs() < 0.01, "{first}");
        assert!(tone(step(0), e) < 1e-5);
        // The second note, struck at half velocity: a quarter the power.
        let ratio = tone(step(1), e) / tone(step(1), a);
        assert!((ratio - 0.254).abs() < 0.03, "{ratio}");
        assert!(
            tone(step(2), a) < 1e-5 && tone(step(2), e) > 0.01,
            "the first let go"
        );
        assert!(tone(step(3), e) > 0.01, "held by the pedal");
        assert!(rms(step(4)) < 1e-4, "silent once the pedal is up");
    });
}

/// A drum machine's clock: once armed, Start and a pulse, then pulses every `1000` frames
/// (120 BPM) for six beats, then at 137 BPM, up to `PULSES`; pulse `k` is due on frame
/// `origin + pulse_frame(k)`. It takes no lock, so no period of it is ever skipped.
struct Drummer {
    port: jack::Port<jack::MidiOut>,
    armed: Arc<std::sync::atomic::AtomicBool>,
    /// The frame of the first pulse, once started (`u64::MAX` before).
    origin: Arc<std::sync::atomic::AtomicU64>,
    /// Pulses sent so far.
    sent: Arc<std::sync::atomic::AtomicU64>,
}

/// The pulses the drummer sends: fourteen beats.
const PULSES: u64 = 24 * 14;

/// Frames between pulses at `bpm` (24 a beat, 48 kHz).
fn spacing(bpm: f64) -> f64 {
    48_000.0 * 60.0 / (bpm * 24.0)
}

/// The frame of pulse `k` counted from the first.
fn pulse_frame(k: u64) -> f64 {
    let change = 6 * 24;
    if k <= change {
        k as f64 * spacing(120.0)
    } else {
        change as f64 * spacing(120.0) + (k - change) as f64 * spacing(137.0)
    }
}

impl jack::ProcessHandler for Drummer {
    fn process(&mut self, _: &jack::Client, ps: &jack::ProcessScope) -> jack::Control {
        use std::sync::atomic::Ordering::Relaxed;
        let start = u64::from(ps.last_frame_time());
        let end = start + u64::from(ps.n_frames());
        let mut writer = self.port.writer(ps);
        if self.origin.load(Relaxed) == u64::MAX && self.armed.load(Relaxed) {
            self.origin.store(start, Relaxed);
            let _ = writer.write(&jack::RawMidi {
                time: 0,
                bytes: &[0xfa],
            });
        }
        let origin = self.origin.load(Relaxed);
        if origin == u64::MAX {
            return jack::Control::Continue;
        }
        loop {
            let k = self.sent.load(Relaxed);
            let frame = origin + pulse_frame(k).round() as u64;
            if frame >= end || k == PULSES {
                break;
            }
            // A pulse due in a period the server skipped goes out late, at the start.
            let _ = writer.write(&jack::RawMidi {
                time: frame.saturating_sub(start) as u32,
                bytes: &[0xf8],
            });
            self.sent.store(k + 1, Relaxed);
        }
        jack::Control::Continue
    }
}

/// `--sync midi`: phonon follows a drum machine's clock. Its kicks (`s "bd*4"`, one a beat)
/// land on the clock's beats to within two frames, at 120 BPM and, a beat after the change,
/// at 137 BPM, though the patch says another tempo.
#[test]
fn sync_midi_lands_the_beats_on_an_incoming_clock() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    unless_xruns_spoil(ATTEMPTS, |xruns| {
        let server = Server::start(128, true);
        let _xruns = watch_xruns(&server, xruns);
        let patch = temp_patch("tempo: 0.3\nout: s \"bd*4\"\n");
        let samples = click_folder();
        let phonon = Phonon::start(
            &server,
            &patch,
            &[
                "--quiet",
                "--sync",
                "midi",
                "--samples",
                samples.to_str().unwrap(),
            ],
        );
        phonon.wait_for("samples: 1 sound loaded", Duration::from_secs(10));
        let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let origin = Arc::new(std::sync::atomic::AtomicU64::new(u64::MAX));
        let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let client = server.client(&unique("drummer"));
        let port = client
            .register_port("clock", jack::MidiOut::default())
            .unwrap();
        let from = port.name().unwrap();
        let drummer = client
            .activate_async(
                (),
                Drummer {
                    port,
                    armed: armed.clone(),
                    origin: origin.clone(),
                    sent: sent.clone(),
                },
            )
            .unwrap();
        drummer
            .as_client()
            .connect_ports_by_name(&from, &format!("{}:midi_in", phonon.name))
            .unwrap();
        let capture = Capture::main_pair(&server, &phonon, 8.0);
        armed.store(true, std::sync::atomic::Ordering::Relaxed);
        phonon.wait_for("following a MIDI clock at 120 BPM", Duration::from_secs(10));
        phonon.wait_for("following a MIDI clock at 137 BPM", Duration::from_secs(20));
        while sent.load(std::sync::atomic::Ordering::Relaxed) < PULSES {
            std::thread::sleep(Duration::from_millis(20));
        }
        capture.wait_frames(capture.frames() + 9_600);
        let recording = capture.finish();
        let origin = origin.load(std::sync::atomic::Ordering::Relaxed);
        let pulses: Vec<u64> = (0..PULSES)
            .map(|k| origin + pulse_frame(k).round() as u64)
            .collect();
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");
        // Each sample's JACK frame from the periods recorded (one the recorder missed leaves a gap).
        let mut onsets = Vec::new();
        let mut silent = 0usize;
        let mut at = 0;
        for &(frame, len) in &recording.periods {
            for (k, &x) in recording.left[at..at + len].iter().enumerate() {
                if x.abs() > 0.01 {
                    if silent >= 1_000 {
                        onsets.push(frame + k as u64);
                    }
                    silent = 0;
                } else {
                    silent += 1;
                }
            }
            at += len;
        }
        // Beats 2–5 at 120 BPM and 8–12 at 137: each a kick within two frames of its pulse.
        for beat in (2..6).chain(8..13) {
            let due = pulses[beat * 24];
            let nearest = onsets.iter().map(|&o| o.abs_diff(due)).min();
            assert!(
                nearest.is_some_and(|d| d <= 2),
                "beat {beat} at frame {due}: nearest onset {nearest:?} off ({onsets:?})"
            );
        }
    });
}

/// Starts `jack_midi_dump` on `server` and connects `port` to it.
fn dump_of(server: &Server, port: &str) -> Child {
    let monitor = unique("monitor");
    let dump = server
        .command("jack_midi_dump")
        .args(["-a", &monitor])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("jack_midi_dump (jackd2's tools)");
    let control = server.client(&unique("control"));
    let input = format!("{monitor}:input");
    let connected = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(50));
        control.connect_ports_by_name(port, &input).is_ok()
    });
    assert!(connected, "{}", server.connections());
    // It hears nothing until it is active, which a loaded machine can delay.
    std::thread::sleep(Duration::from_secs(1));
    dump
}

/// Every note-on of `out` has its note-off: per channel and note, as many offs as ons, each
/// after its on (bar offs of notes begun before the monitor listened).
fn assert_paired(out: &[(u64, Vec<u8>)]) {
    let mut sounding = std::collections::BTreeMap::<(u8, u8), i32>::new();
    for (frame, m) in out {
        let key = (m[0] & 0x0f, m[1]);
        match m[0] & 0xf0 {
            0x90 => *sounding.entry(key).or_default() += 1,
            0x80 if !sounding.contains_key(&key) => {}
            0x80 => {
                let n = sounding.entry(key).or_default();
                *n -= 1;
                assert!(
                    *n >= 0,
                    "a note-off without its note-on at {frame}: {out:?}"
                );
            }
            _ => {}
        }
    }
    let hanging: Vec<_> = sounding.iter().filter(|(_, n)| **n != 0).collect();
    assert!(hanging.is_empty(), "hanging notes {hanging:?} in {out:?}");
}

/// `midi:` statements on `--midi-out`: each note-on on its onset frame with SuperDirt's note
/// number, channel and velocity, its note-off `legato` × its length later; an edit and SIGTERM
/// leave no note hanging.
#[test]
fn midi_out_sends_a_patchs_notes_on_their_frames_and_leaves_none_hanging() {
    let _turn = serial();
    if !jack_available() {
        return;
    }
    unless_xruns_spoil(ATTEMPTS, |xruns| {
        let server = Server::start(128, true);
        let _xruns = watch_xruns(&server, xruns);
        // Half a cycle a second: a note every 24,000 frames, each held for 12,000.
        let patch = temp_patch(
        "tempo: 0.5\nmidi: n \"0 4 7 12\" # midichan 1 # legato 0.5\nmidi2: ccv \"0 127 64 32\" # ccn 74\n",
    );
        let phonon = Phonon::start(&server, &patch, &["--quiet", "--free-run", "--midi-out"]);
        let dump = dump_of(&server, &format!("{}:midi_out", phonon.name));
        std::thread::sleep(Duration::from_secs_f64(2.6));
        // The new patch strikes one note again and again, each held far longer than it plays on.
        std::fs::write(&patch, "tempo: 0.5\nmidi: n \"24*8\" # sustain 30\n").unwrap();
        phonon.wait_for("generation 2", Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(600));
        let (code, log) = phonon.stop();
        assert_eq!(code, Some(0), "{log}");
        std::thread::sleep(Duration::from_millis(200));
        let out = messages(&stop_dump(dump));

        let ons: Vec<_> = out
            .iter()
            .filter(|m| m.1[0] == 0x91)
            .map(|m| (m.0, m.1[1], m.1[2]))
            .collect();
        assert!(ons.len() >= 4, "{out:?}");
        // Tidal's n 0 is middle C, at SuperDirt's velocity for amp 0.4.
        let first = [60, 64, 67, 72]
            .iter()
            .position(|&n| n == ons[0].1)
            .expect("a note of the pattern");
        for (k, on) in ons.iter().enumerate() {
            assert_eq!(on.1, [60, 64, 67, 72][(first + k) % 4], "{ons:?}");
            assert_eq!(on.2, 50, "{ons:?}");
        }
        // On their frames, bar a period JACK skipped on a busy machine.
        let apart: Vec<u64> = ons.windows(2).map(|w| w[1].0 - w[0].0).collect();
        assert!(share(&apart, &[24_000]) > 0.6, "{apart:?}");
        let held: Vec<u64> = ons
            .iter()
            .filter_map(|on| {
                out.iter()
                    .find(|m| m.0 >= on.0 && m.1 == [0x81, on.1, 0])
                    .map(|off| off.0 - on.0)
            })
            .collect();
        assert!(share(&held, &[12_000]) > 0.6, "{held:?}");
        // The second statement's Control Changes, on the first channel, four a cycle.
        let changes: Vec<_> = out.iter().filter(|m| m.1[0] == 0xb0).collect();
        assert!(changes.len() >= 3, "{out:?}");
        assert!(changes
            .iter()
            .all(|m| m.1[1] == 74 && [0, 127, 64, 32].contains(&m.1[2])));
        // The edit's note, struck again and again, each time ended just before; SIGTERM ended the
        // last; nothing hangs.
        let struck = out.iter().filter(|m| m.1 == [0x90, 84, 50]).count();
        assert!(struck >= 2, "{out:?}");
        assert_eq!(out.last().map(|m| m.1.clone()), Some(vec![0x80, 84, 0]));
        assert_paired(&out);
    });
}

/// `phonon dirt --midi-out`: Tidal's events of `s "midi"` go to the MIDI port as SuperDirt's
/// MIDI target sends them (note from `n` and `octave`, channel, velocity from `amp` and
/// `gain`, the note-off `sustain` less SuperDirt's fade time later, Control Changes, Program
/// Changes); a hush ends the sounding notes and sends no new one.
#[test]
fn dirt_midi_target_events_go_to_the_midi_port_and_hush_ends_them() {
    use rosc::OscType::{Float, String as S};
    let _turn = serial();
    if !jack_available() {
        return;
    }
    unless_xruns_spoil(ATTEMPTS, |xruns| {
        let server = Server::start(128, true);
        let _xruns = watch_xruns(&server, xruns);
        let port = free_udp_port();
        let control_port = free_udp_port();
        let control = control_port.to_string();
        let dirt = Phonon::dirt(
            &server,
            &unique("dirt"),
            port,
            &["--midi-out", "--control", &control],
        );
        let dump = dump_of(&server, &format!("{}:midi_out", dirt.name));
        let tidal = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let send = |at: u64, args: Vec<rosc::OscType>| {
            tidal
                .send_to(&dirt_play_at(at, args), ("127.0.0.1", port))
                .unwrap();
        };
        let now = unix_micros_now();
        let (a, b) = (now + 300_000, now + 400_000);
        // `/dirt/play`'s arguments for `s "midi"` with these parameters.
        let midi = |params: &[(&str, f32)]| {
            let mut args = vec![S("s".into()), S("midi".into())];
            for &(name, value) in params {
                args.extend([S(name.into()), Float(value)]);
            }
            args
        };
        // A note 0.1 s apart from the next: n 2 in octave 4 on channel 3, sustain 0.05 s.
        send(
            a,
            midi(&[
                ("n", 2.0),
                ("octave", 4.0),
                ("midichan", 3.0),
                ("sustain", 0.05),
                ("gain", 1.2),
            ]),
        );
        send(b, midi(&[("ccn", 7.0), ("ccv", 100.0), ("progNum", 5.0)]));
        // A long note, then a hush while it sounds.
        send(b, midi(&[("note", 0.0), ("sustain", 20.0)]));
        std::thread::sleep(Duration::from_millis(700));
        let hush = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let message = rosc::encoder::encode(&rosc::OscPacket::Message(rosc::OscMessage {
            addr: "/hush".into(),
            args: Vec::new(),
        }))
        .unwrap();
        hush.send_to(&message, ("127.0.0.1", control_port)).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        // Hushed: a note sent now is not played.
        send(unix_micros_now() + 100_000, midi(&[("n", 9.0)]));
        std::thread::sleep(Duration::from_millis(400));
        let out = messages(&stop_dump(dump));
        let (code, log) = dirt.stop();
        assert_eq!(code, Some(0), "{log}");

        let at = |bytes: &[u8]| out.iter().find(|m| m.1 == bytes).map(|m| m.0);
        // 2 + 4 × 12 = 50; 0.4 × 1.2⁴ × 127 = 105.
        let on = at(&[0x93, 50, 105]).unwrap_or_else(|| panic!("{out:?}"));
        let off = at(&[0x83, 50, 0]).expect("its note-off");
        // 0.05 s less SuperDirt's 1 ms fade: 2,352 frames.
        assert_eq!(off - on, 2_352, "{out:?}");
        let change = at(&[0xb0, 7, 100]).expect("the Control Change");
        assert_eq!(at(&[0xc0, 5]), Some(change), "the Program Change beside it");
        // 0.1 s after the first note, on JACK's clock within a period.
        assert!((change - on).abs_diff(4_800) <= 256, "{out:?}");
        // The long note (note 0 is 60) sounded until the hush, then no note started.
        let long = at(&[0x90, 60, 50]).expect("the long note");
        let ended = at(&[0x80, 60, 0]).expect("ended by the hush");
        assert!(ended - long > 9_600 && ended - long < 48_000, "{out:?}");
        assert!(
            at(&[0x90, 69, 50]).is_none(),
            "a note while hushed: {out:?}"
        );
        assert_paired(&out);
    });
}
