//! `phonon dirt` against a real JACK server (dummy backend) and a client that sends exactly
//! Tidal's wire layout from its own socket: the handshake, events on their frames (given their
//! time tags), levels, panning, orbits on their own ports, cut groups, and bad input counted
//! without stopping the music.
//!
//! Built only with optimisations, like `live.rs`.
#![cfg(not(debug_assertions))]

mod harness;

use harness::*;
use jack::{AudioIn, Client, Control, ProcessHandler, ProcessScope};
use rosc::{OscMessage, OscPacket, OscType};
use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const NTP_TO_UNIX: u64 = 2_208_988_800;

/// An event to send: Unix time (µs), sound, parameters.
type Planned = (u64, &'static str, Vec<(&'static str, f32)>);

/// JACK's clock minus the real-time clock (what time tags are on), in µs: each measured
/// against the monotonic clock from the tightest of several paired reads, as phonon does.
fn wall_to_jack(client: &Client) -> i64 {
    use dirt::clock::{ahead_of_monotonic, unix_micros};
    ahead_of_monotonic(|| client.time() as i64) - ahead_of_monotonic(|| unix_micros() as i64)
}

fn s(x: &str) -> OscType {
    OscType::String(x.into())
}

/// A `/dirt/play` bundle at Unix time `at` (µs) with Tidal's layout: keys sorted, `orbit` and
/// `cut` as integers, other numbers as floats, `cps`, `cycle`, `delta` and `_id_` added.
fn tidal_event(at: u64, sound: &str, params: &[(&str, f32)]) -> Vec<u8> {
    let mut pairs: Vec<(String, OscType)> = vec![
        ("_id_".into(), s("1")),
        ("cps".into(), OscType::Float(0.5625)),
        ("cycle".into(), OscType::Float(12.25)),
        ("delta".into(), OscType::Float(0.4444)),
        ("s".into(), s(sound)),
    ];
    for &(k, v) in params {
        let value = if ["orbit", "cut", "channel", "octave"].contains(&k) {
            OscType::Int(v as i32)
        } else {
            OscType::Float(v)
        };
        pairs.retain(|(name, _)| name != k);
        pairs.push((k.into(), value));
    }
    pairs.sort_by(|a, b| a.0.cmp(&b.0));
    dirt_play_at(
        at,
        pairs.into_iter().flat_map(|(k, v)| [s(&k), v]).collect(),
    )
}

/// A folder whose `click` is 1.0 for 16 frames, whose `long` is 0.5 for a second, and whose
/// `wide` is a stereo tenth of a second, 0.5 on the left and 0.25 on the right.
fn samples() -> PathBuf {
    let dir = std::env::temp_dir().join(unique("phonon-dirt-samples"));
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    for (name, len, level) in [("click", 16usize, 1.0f32), ("long", 48_000, 0.5)] {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        let mut w = hound::WavWriter::create(dir.join(name).join("a.wav"), spec).unwrap();
        for _ in 0..len {
            w.write_sample(level).unwrap();
        }
        for _ in 0..64 {
            w.write_sample(0.0f32).unwrap();
        }
        w.finalize().unwrap();
    }
    std::fs::create_dir_all(dir.join("wide")).unwrap();
    let stereo = hound::WavSpec {
        channels: 2,
        ..spec
    };
    let mut w = hound::WavWriter::create(dir.join("wide").join("a.wav"), stereo).unwrap();
    for _ in 0..4_800 {
        w.write_sample(0.5f32).unwrap();
        w.write_sample(0.25f32).unwrap();
    }
    w.finalize().unwrap();
    dir
}

/// One recorded period: its first frame's monotonic time (JACK's estimate), its length in µs,
/// and where its samples start.
struct Period {
    /// JACK's frame count at the period's first frame.
    frame: u32,
    usecs: u64,
    period_usecs: f32,
    at: usize,
    frames: usize,
}

#[derive(Default)]
struct Tape {
    channels: Vec<Vec<f32>>,
    periods: Vec<Period>,
}

impl Tape {
    /// The JACK frame of recorded sample `index`.
    fn frame_at(&self, index: usize) -> Option<u32> {
        let p = self
            .periods
            .iter()
            .find(|p| (p.at..p.at + p.frames).contains(&index))?;
        Some(p.frame + (index - p.at) as u32)
    }

    /// Where JACK frame `frame` is in the recording, if its period was recorded (an xrun on a
    /// loaded machine skips periods).
    fn index_of_frame(&self, frame: u32) -> Option<usize> {
        let p = self
            .periods
            .iter()
            .find(|p| frame.wrapping_sub(p.frame) < p.frames as u32)?;
        Some(p.at + frame.wrapping_sub(p.frame) as usize)
    }

    /// Where in the recording monotonic time `t` (µs) falls, to the frame.
    fn index_at(&self, t: u64) -> Option<f64> {
        let p = self
            .periods
            .iter()
            .find(|p| t >= p.usecs && (t - p.usecs) as f32 <= p.period_usecs)?;
        Some(p.at as f64 + (t - p.usecs) as f64 / f64::from(p.period_usecs) * p.frames as f64)
    }
}

/// A client recording `ports` of phonon's client `name`, period by period with JACK's times.
fn record(
    server: &Server,
    name: &str,
    ports: &[&str],
) -> (jack::AsyncClient<(), Recorder>, Arc<Mutex<Tape>>) {
    let client = server.client(&unique("rec"));
    let inputs: Vec<jack::Port<AudioIn>> = (0..ports.len())
        .map(|k| {
            client
                .register_port(&format!("in{k}"), AudioIn::default())
                .unwrap()
        })
        .collect();
    let names: Vec<String> = inputs.iter().map(|p| p.name().unwrap()).collect();
    let tape = Arc::new(Mutex::new(Tape {
        channels: vec![Vec::new(); ports.len()],
        periods: Vec::new(),
    }));
    let client = client
        .activate_async(
            (),
            Recorder {
                ports: inputs,
                tape: tape.clone(),
            },
        )
        .unwrap();
    for (from, to) in ports.iter().zip(&names) {
        client
            .as_client()
            .connect_ports_by_name(&format!("{name}:{from}"), to)
            .unwrap();
    }
    (client, tape)
}

struct Recorder {
    ports: Vec<jack::Port<AudioIn>>,
    tape: Arc<Mutex<Tape>>,
}

impl ProcessHandler for Recorder {
    fn process(&mut self, _: &Client, ps: &ProcessScope) -> Control {
        let Ok(times) = ps.cycle_times() else {
            return Control::Continue;
        };
        if let Ok(mut tape) = self.tape.try_lock() {
            if tape.channels.len() != self.ports.len() {
                return Control::Continue;
            }
            let at = tape.channels[0].len();
            for (c, port) in self.ports.iter().enumerate() {
                tape.channels[c].extend_from_slice(port.as_slice(ps));
            }
            tape.periods.push(Period {
                frame: times.current_frames,
                usecs: times.current_usecs,
                period_usecs: times.period_usecs,
                at,
                frames: ps.n_frames() as usize,
            });
        }
        Control::Continue
    }
}

/// `phonon dirt` on `server` as client `name`, listening on `port`, playing `samples` on four
/// orbits with two workers.
/// A second of client `name`'s pair `stem_L`, `stem_R`.
fn capture_pair(server: &Server, name: &str, stem: &str) -> Capture {
    Capture::start(
        server,
        &format!("{name}:{stem}_L"),
        &format!("{name}:{stem}_R"),
        1.0,
    )
}

/// Tidal sends the long sound on orbit 1, due in 200 ms.
fn long_on_orbit_1(tidal: &UdpSocket, target: &str) {
    tidal
        .send_to(
            &tidal_event(unix_micros_now() + 200_000, "long", &[("orbit", 1.0)]),
            target,
        )
        .unwrap();
}

fn start_dirt(server: &Server, name: &str, port: u16, samples: &std::path::Path) -> Phonon {
    let samples = samples.to_str().expect("a UTF-8 path");
    let args = ["--orbits", "4", "--threads", "2", "--samples", samples];
    Phonon::dirt(server, name, port, &args)
}

#[test]
fn tidal_events_play_on_their_frames_orbits_and_levels_and_bad_input_is_counted() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    // An onset off its time tag with no xrun is phonon's fault. With xruns about, JACK's
    // estimate of when each period plays (which both phonon and the recorder time by) was
    // moved by the machine, and the attempt is run again.
    unless_xruns_spoil(3, |xruns| {
        let _watch = watch_xruns(&server, xruns);
        let name = unique("dirt");
        let port = free_udp_port();
        let dirt = start_dirt(&server, &name, port, &samples());

        // The handshake, from the client's own socket, as Tidal does it.
        let tidal = UdpSocket::bind("127.0.0.1:0").unwrap();
        tidal
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let target = format!("127.0.0.1:{port}");
        let handshake = rosc::encoder::encode(&OscPacket::Message(OscMessage {
            addr: "/dirt/handshake".into(),
            args: vec![],
        }))
        .unwrap();
        tidal.send_to(&handshake, &target).unwrap();
        let mut buffer = [0u8; 1024];
        let (n, _) = tidal.recv_from(&mut buffer).expect("a handshake reply");
        let (_, OscPacket::Message(reply)) = rosc::decoder::decode_udp(&buffer[..n]).unwrap()
        else {
            panic!("a message");
        };
        assert_eq!(reply.addr, "/dirt/handshake/reply");
        let indices = reply
            .args
            .iter()
            .skip_while(|a| **a != s("&controlBusIndices"))
            .skip(1)
            .filter(|a| matches!(a, OscType::Int(_)))
            .count();
        assert!(indices >= 1, "control bus indices: {:?}", reply.args);

        // Record orbits 0 and 1 and the main pair.
        let (recorder, tape) = record(
            &server,
            &name,
            &[
                "orbit0_L", "orbit0_R", "orbit1_L", "orbit1_R", "out_L", "out_R",
            ],
        );

        // Events 0.3 s ahead, as Tidal's latency: a click hard left on orbit 0, one hard right at
        // gain 1.2 on orbit 1, then a long sound cut by a click of its cut group.
        let base = unix_micros_now() + 300_000;
        let plan: Vec<Planned> = vec![
            (base, "click", vec![("orbit", 0.0), ("pan", 0.0)]),
            (
                base + 100_000,
                "click",
                vec![("orbit", 1.0), ("pan", 1.0), ("gain", 1.2)],
            ),
            (
                base + 200_000,
                "long",
                vec![("orbit", 0.0), ("pan", 0.0), ("cut", 1.0)],
            ),
            (
                base + 300_000,
                "click",
                vec![("orbit", 0.0), ("pan", 0.0), ("cut", 1.0)],
            ),
        ];
        for (at, sound, params) in &plan {
            tidal
                .send_to(&tidal_event(*at, sound, params), &target)
                .unwrap();
        }
        // Bad input meanwhile: junk, a truncated bundle, an unknown address, wrong types, a sound
        // nobody has, a time tag an hour ago.
        let good = tidal_event(base, "click", &[]);
        let mut junk: Vec<Vec<u8>> = vec![vec![0xff; 13], good[..good.len() / 2].to_vec()];
        junk.push(
            rosc::encoder::encode(&OscPacket::Message(OscMessage {
                addr: "/nope".into(),
                args: vec![OscType::Int(1)],
            }))
            .unwrap(),
        );
        junk.push(
            rosc::encoder::encode(&OscPacket::Message(OscMessage {
                addr: "/dirt/play".into(),
                args: vec![s("s"), OscType::Int(3), s("gain")],
            }))
            .unwrap(),
        );
        junk.push(tidal_event(base, "nosuchsound", &[]));
        junk.push(tidal_event(unix_micros_now() - 3_600_000_000, "click", &[]));
        for packet in &junk {
            tidal.send_to(packet, &target).unwrap();
        }
        // Time tags are wall-clock; JACK's cycle times are on its own clock.
        let offset = wall_to_jack(recorder.as_client());
        std::thread::sleep(Duration::from_millis(1_000));
        drop(recorder);
        let tape = std::mem::take(&mut *tape.lock().unwrap());

        let frame_of = |unix: u64| {
            tape.index_at((unix as i64 + offset) as u64)
                .expect("the event's time was recorded")
        };
        let first = |channel: usize, from: usize| {
            from + tape.channels[channel][from..]
                .iter()
                .position(|x| x.abs() > 1e-4)
                .expect("an onset")
        };
        let check_onset = |channel: usize, unix: u64| {
            let expected = frame_of(unix);
            let from = (expected as usize).saturating_sub(2_000);
            let got = first(channel, from);
            assert!(
                (got as f64 - expected).abs() <= 2.0,
                "channel {channel}: onset at {got}, time tag says {expected:.1}"
            );
            got
        };
        // Orbit 0, hard left: 0.4 on the left, nothing on the right.
        let a = check_onset(0, plan[0].0);
        assert!(
            (tape.channels[0][a] - 0.4).abs() < 1e-3,
            "{}",
            tape.channels[0][a]
        );
        assert!(tape.channels[1][a..a + 16].iter().all(|x| x.abs() < 1e-6));
        // Orbit 1, hard right at gain 1.2: 0.4 × 1.2⁴ on the right only.
        let b = check_onset(3, plan[1].0);
        assert!((tape.channels[3][b] - 0.4 * 1.2f32.powi(4)).abs() < 1e-3);
        assert!(tape.channels[2][b..b + 16].iter().all(|x| x.abs() < 1e-6));
        // The main pair has both.
        assert!((tape.channels[4][a] - 0.4).abs() < 1e-3);
        assert!((tape.channels[5][b] - 0.4 * 1.2f32.powi(4)).abs() < 1e-3);
        // The long sound (0.5 × 0.4) is cut where the click of its group starts.
        let long = check_onset(0, plan[2].0);
        assert!((tape.channels[0][long + 100] - 0.2).abs() < 1e-3);
        let cut = frame_of(plan[3].0) as usize;
        let after = &tape.channels[0][cut + 400..cut + 2_000];
        assert!(
            after.iter().all(|x| x.abs() < 1e-6),
            "the long sound is cut: {:?}",
            &after[..8]
        );

        let (code, log) = dirt.stop();
        assert_eq!(code, Some(0), "{log}");
        let summary = summary_line(&log);
        let count = |what: &str| summary_field(summary, what);
        assert_eq!(count("played "), 4, "{summary}");
        assert_eq!(count("unknown sounds "), 1, "{summary}");
        assert!(count("malformed ") >= 2, "junk and wrong types: {summary}");
        assert_eq!(count("other addresses "), 1, "{summary}");
        assert_eq!(count("dropped "), 1, "the hour-old event: {summary}");
        assert!(log.contains("nosuchsound"), "{log}");
        // Each orbit is a node of the engine, timed like a patch's: the summary names the
        // heaviest.
        assert!(
            summary.contains(" · heaviest orbit"),
            "per-orbit load: {summary}"
        );
    });
}

/// A Tidal session in Tidal's own layout using SuperDirt's synths (library ones with their
/// parameters too), `dry`, the delay, a stereo
/// sample, the later effect modules (`squiz`, `fshift` and the spectral ones among them) and a
/// short name (`lpf`): every event plays and no parameter is unknown.
#[test]
fn a_tidal_session_of_synths_effects_and_stereo_samples_has_no_unknown_parameters() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let name = unique("dirt");
    let port = free_udp_port();
    let dirt = start_dirt(&server, &name, port, &samples());
    let tidal = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{port}");
    let (delayed, synth) = (
        capture_pair(&server, &name, "orbit2"),
        capture_pair(&server, &name, "orbit3"),
    );
    let at = unix_micros_now() + 200_000;
    let session: Vec<Planned> = vec![
        (
            at,
            "superkick",
            vec![("orbit", 3.0), ("note", -12.0), ("sustain", 0.3)],
        ),
        (
            at + 20_000,
            "superpiano",
            vec![
                ("orbit", 3.0),
                ("n", 7.0),
                ("velocity", 0.8),
                ("sustain", 0.2),
            ],
        ),
        (
            at + 30_000,
            "supergong",
            vec![
                ("orbit", 3.0),
                ("voice", 0.5),
                ("decay", 0.2),
                ("sustain", 0.2),
            ],
        ),
        (
            at,
            "long",
            vec![
                ("orbit", 2.0),
                ("pan", 0.0),
                ("delay", 0.5),
                ("delaytime", 0.25),
                ("delayfeedback", 0.3),
            ],
        ),
        (
            at,
            "wide",
            vec![("orbit", 0.0), ("room", 0.4), ("size", 0.8), ("dry", 0.5)],
        ),
        (
            at + 50_000,
            "click",
            vec![
                ("orbit", 1.0),
                ("tremolorate", 8.0),
                ("tremolodepth", 0.5),
                ("phaserrate", 1.0),
                ("phaserdepth", 0.3),
            ],
        ),
        (
            at + 100_000,
            "long",
            vec![
                ("orbit", 1.0),
                ("ring", 0.5),
                ("ringf", 300.0),
                ("ringdf", 100.0),
                ("triode", 0.5),
                ("krush", 0.5),
                ("kcutoff", 2_000.0),
                ("octer", 0.5),
                ("octersub", 0.3),
                ("octersubsub", 0.2),
                ("djf", 0.3),
                ("lpf", 3_000.0),
                ("hpq", 0.1),
            ],
        ),
        (
            at + 150_000,
            "click",
            vec![
                ("orbit", 1.0),
                ("squiz", 2.0),
                ("fshift", 100.0),
                ("fshiftnote", 0.5),
                ("fshiftphase", 0.3),
                ("comb", 0.3),
                ("smear", 0.2),
                ("scram", 0.1),
            ],
        ),
        (
            at + 200_000,
            "click",
            vec![
                ("orbit", 1.0),
                ("binshift", 0.25),
                ("hbrick", 0.1),
                ("lbrick", 0.1),
                ("real", 0.4),
                ("imag", 0.6),
                ("enhance", 0.3),
                ("freeze", 0.0),
                ("tsdelay", 0.4),
                ("xsdelay", 3.0),
                ("psrate", 1.5),
                ("psdisp", 0.01),
                ("overgain", 0.1),
                ("hold", 0.05),
                ("timescale", 1.5),
            ],
        ),
        // The synths with reverbs inside, the drum skin, and the envelope's bend and grain.
        (
            at + 60_000,
            "superprimes",
            vec![
                ("orbit", 3.0),
                ("voice", 0.5),
                ("detune", 0.1),
                ("sustain", 0.3),
            ],
        ),
        (
            at + 70_000,
            "superhex",
            vec![("orbit", 3.0), ("rate", 2.0), ("sustain", 0.2)],
        ),
        (
            at + 80_000,
            "click",
            vec![
                ("orbit", 1.0),
                ("curve", -3.0),
                ("release", 0.1),
                ("tilt", 0.3),
                ("plat", 0.2),
            ],
        ),
    ];
    for (when, sound, params) in &session {
        tidal
            .send_to(&tidal_event(*when, sound, params), &target)
            .unwrap();
    }
    delayed.wait_frames(36_000);
    let (delayed, synth) = (delayed.finish(), synth.finish());
    // `long` (0.5 × 0.4, hard left) at delay 0.5: the sound itself 1.5 times as loud before
    // its first echo, 0.25 s later.
    let onset = delayed
        .left
        .iter()
        .position(|x| x.abs() > 1e-3)
        .expect("the delayed sound");
    let level = delayed.left[onset + 2_000];
    assert!((level - 0.3).abs() < 2e-3, "{level}");
    assert!(rms(&synth.left) > 0.01, "the superkick sounds");
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    let summary = summary_line(&log);
    let count = |what: &str| summary_field(summary, what);
    assert_eq!(count("played "), 12, "{summary}");
    assert_eq!(count("unknown parameters "), 0, "{summary}");
    assert_eq!(count("unknown sounds "), 0, "{summary}");
}

#[test]
fn a_flood_of_events_is_played_or_counted_and_never_stops_the_engine() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let name = unique("dirt");
    let port = free_udp_port();
    let dirt = start_dirt(&server, &name, port, &samples());
    let tidal = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{port}");
    // 10,000 events in one second, spread over the next second and four orbits.
    let base = unix_micros_now() + 200_000;
    let started = Instant::now();
    for k in 0..10_000u64 {
        let packet = tidal_event(
            base + k * 100,
            "click",
            &[("orbit", (k % 4) as f32), ("gain", 0.5)],
        );
        tidal.send_to(&packet, &target).unwrap();
        if k % 100 == 99 {
            let due = Duration::from_millis(k / 10);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
    }
    std::thread::sleep(Duration::from_millis(1_500));
    let capture = Capture::start(
        &server,
        &format!("{name}:out_L"),
        &format!("{name}:out_R"),
        0.2,
    );
    capture.wait_frames(4_800);
    drop(capture);
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    let summary = summary_line(&log);
    let field = |what: &str| summary_field(summary, what);
    let received = field("events ");
    assert!(received > 9_000, "UDP on loopback delivers most: {summary}");
    assert_eq!(
        field("played ") + field("dropped "),
        received,
        "every event played or counted: {summary}"
    );
}

/// Strudel's packages (`@strudel/core` and `@strudel/mini` 1.2.5, `@strudel/osc` 1.3.2), as
/// `scripts/install-deps --test` installs them, and Node.
fn strudel_client() -> Option<PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/strudel-client");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if node && dir.join("node_modules/@strudel/osc/server.js").exists() {
        return Some(dir);
    }
    skip_for_want_of(
        &format!("Strudel's packages are not in {}", dir.display()),
        "scripts/install-deps --test installs them",
    );
    None
}

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Forwards every UDP packet it receives to `to`, unchanged, keeping a copy: the test reads
/// the time tags Strudel's bridge actually sent.
fn relay(to: u16) -> (u16, Arc<Mutex<Vec<Vec<u8>>>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = socket.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    std::thread::spawn(move || {
        let mut buffer = [0u8; 65_536];
        while let Ok(n) = socket.recv(&mut buffer) {
            keep.lock().unwrap().push(buffer[..n].to_vec());
            let _ = socket.send_to(&buffer[..n], ("127.0.0.1", to));
        }
    });
    (port, seen)
}

/// A relayed `/dirt/play` bundle: its time tag (Unix µs) and its arguments by name.
fn unpack(packet: &[u8]) -> (u64, std::collections::HashMap<String, OscType>) {
    let (_, OscPacket::Bundle(bundle)) = rosc::decoder::decode_udp(packet).unwrap() else {
        panic!("Strudel's bridge sends bundles");
    };
    let t = bundle.timetag;
    let unix = (u64::from(t.seconds) - NTP_TO_UNIX) * 1_000_000
        + ((u64::from(t.fractional) * 1_000_000) >> 32);
    let OscPacket::Message(m) = &bundle.content[0] else {
        panic!("a message");
    };
    let args = m
        .args
        .chunks(2)
        .map(|pair| match &pair[0] {
            OscType::String(k) => (k.clone(), pair[1].clone()),
            other => panic!("a name, not {other:?}"),
        })
        .collect();
    (unix, args)
}

#[test]
fn strudel_through_its_own_osc_bridge_plays_on_time_on_its_orbits() {
    if !jack_available() {
        return;
    }
    let Some(client_dir) = strudel_client() else {
        return;
    };
    let _turn = serial();
    let server = Server::start(128, true);
    let name = unique("dirt");
    let port = free_udp_port();
    let dirt = start_dirt(&server, &name, port, &samples());
    let (relay_port, relayed) = relay(port);
    let (recorder, tape) = record(
        &server,
        &name,
        &[
            "orbit0_L", "orbit0_R", "orbit1_L", "orbit1_R", "orbit2_L", "orbit2_R", "orbit3_L",
            "orbit3_R",
        ],
    );
    // Strudel's bridge: WebSocket :8080 in, UDP out.
    let mut bridge = Command::new("node")
        .arg("node_modules/@strudel/osc/server.js")
        .current_dir(&client_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start Strudel's OSC bridge");
    let stdout = bridge.stdout.take().unwrap();
    let bridge = Running(bridge);
    let mut lines = BufReader::new(stdout).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .any(|l| l.contains("[Listening WS]"));
    assert!(listening, "the bridge did not start (is port 8080 taken?)");
    std::thread::spawn(move || lines.for_each(drop));
    // The pattern, queried and sent hap by hap with oscTrigger.
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/strudel/send.mjs"),
        client_dir.join("phonon-send.mjs"),
    )
    .unwrap();
    let sent = Command::new("node")
        .arg("phonon-send.mjs")
        .arg(relay_port.to_string())
        .current_dir(&client_dir)
        .output()
        .expect("run the Strudel script");
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    let offset = wall_to_jack(recorder.as_client());
    std::thread::sleep(Duration::from_millis(3_000));
    drop(recorder);
    let tape = std::mem::take(&mut *tape.lock().unwrap());
    drop(bridge);
    let packets = relayed.lock().unwrap().clone();
    assert_eq!(packets.len(), 5, "one bundle per hap");

    // What phonon counted: an event that reached it after its time (the bridge or the script
    // held up on a loaded machine) plays at once, and is said to be late.
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("played 5"), "{log}");
    let late = summary_field(summary_line(&log), "late ");
    let frame_of = |unix: u64| {
        tape.index_at((unix as i64 + offset) as u64)
            .expect("the event's time was recorded")
    };
    let period = tape.periods[0].frames as f64;
    let onset_near = |channel: usize, expected: f64| {
        let from = (expected as usize).saturating_sub(2_000);
        let got = from
            + tape.channels[channel][from..]
                .iter()
                .position(|x| x.abs() > 1e-4)
                .expect("an onset");
        let off = got as f64 - expected;
        // On its frame; or whole periods later when the engine missed periods the recorder
        // saw; or, if phonon counted late events, played at once on arrival.
        let on_time = (0..=2).any(|k| (off - k as f64 * period).abs() <= 2.0);
        let arrived_late = late > 0 && off > 0.0 && off < 0.1 * 48_000.0;
        assert!(
            on_time || arrived_late,
            "channel {channel}: onset at {got}, time tag says {expected:.1} (late events: {late})"
        );
        got
    };
    let events: Vec<_> = packets.iter().map(|p| unpack(p)).collect();
    let find = |orbit: f32, sound: &str| {
        events
            .iter()
            .find(|(_, a)| {
                a.get("orbit") == Some(&OscType::Float(orbit))
                    && a.get("s") == Some(&OscType::String(sound.into()))
            })
            .unwrap_or_else(|| panic!("orbit {orbit} {sound} in {events:?}"))
    };
    // Strudel sends every number as a float, and the note by name with its MIDI number.
    let (_, long3) = find(3.0, "long");
    assert_eq!(long3.get("note"), Some(&OscType::String("c6".into())));
    assert_eq!(long3.get("midinote"), Some(&OscType::Float(84.0)));

    // Orbit 0: hard left at gain 1.
    let a = onset_near(0, frame_of(find(0.0, "click").0));
    assert!((tape.channels[0][a] - 0.4).abs() < 1e-3);
    assert!(tape.channels[1][a..a + 16].iter().all(|x| x.abs() < 1e-6));
    // Orbit 1: hard right at gain 1.2.
    let b = onset_near(3, frame_of(find(1.0, "click").0));
    assert!((tape.channels[3][b] - 0.4 * 1.2f32.powi(4)).abs() < 1e-3);
    assert!(tape.channels[2][b..b + 16].iter().all(|x| x.abs() < 1e-6));
    // Orbit 2: the long sound, cut by the click of its group.
    let long = onset_near(4, frame_of(find(2.0, "long").0));
    assert!((tape.channels[4][long + 100] - 0.2).abs() < 1e-3);
    // Silent after it: the long sound cut, and no reverb on this orbit.
    let cut = frame_of(find(2.0, "click").0) as usize;
    assert!(tape.channels[4][cut + 400..cut + 20_000]
        .iter()
        .all(|x| x.abs() < 1e-6));
    // Orbit 3: c6 is two octaves up (midinote 84), so the one-second sound lasts a quarter;
    // its room send leaves a reverb tail after it.
    let c = onset_near(6, frame_of(long3_time(&events)));
    // The dry 0.2, and the reverb's answer on top from the first frame (SuperDirt's
    // diffusing allpasses pass part of the sound straight through).
    let level = tape.channels[6][c + 100];
    assert!((0.2..0.3).contains(&level), "{level}");
    // The dry sound's end is the largest one-frame drop (the reverb moves slowly), counted in
    // JACK frames from the onset (a skipped period shifts recorded samples, not frames).
    let x = &tape.channels[6];
    let start = tape.frame_at(c).expect("the onset was recorded");
    let around = tape
        .index_of_frame(start + 12_000)
        .expect("the sound's end was recorded");
    let (end, drop) = (around - 200..around + 200)
        .filter_map(|i| Some((tape.frame_at(i)? - start, x[i] - x[i + 1])))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    // A period the engine itself missed under load (JACK ran the recorder but not phonon)
    // lengthens the sound by that period in JACK frames: the end may be a whole period or two
    // late, never anywhere else.
    let period = period as u32;
    let on_a_period = (0..=2).any(|k| (11_998..=12_001).contains(&(end - k * period)));
    assert!(
        on_a_period && drop > 0.15,
        "the sound ends after 12,000 frames (or whole periods later): a drop of {drop} after frame {end}"
    );
    let tail: f32 = tape.channels[6][c + 12_100..c + 30_000]
        .iter()
        .map(|x| x * x)
        .sum();
    assert!(tail > 1e-3, "a reverb tail: energy {tail}");
}

/// The time tag of the orbit-3 event.
fn long3_time(events: &[(u64, std::collections::HashMap<String, OscType>)]) -> u64 {
    events
        .iter()
        .find(|(_, a)| a.get("orbit") == Some(&OscType::Float(3.0)))
        .map(|(t, _)| *t)
        .unwrap()
}

#[test]
fn dirt_survives_a_killed_server_and_plays_again_when_it_is_back() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let mut server = Server::start(128, true);
    let name = unique("dirt");
    let port = free_udp_port();
    let dirt = start_dirt(&server, &name, port, &samples());
    let tidal = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{port}");
    let heard = |server: &Server| {
        let capture = capture_pair(server, &name, "orbit1");
        long_on_orbit_1(&tidal, &target);
        capture.wait_frames(36_000);
        rms(&capture.finish().left)
    };
    assert!(heard(&server) > 0.05, "before the crash");
    server.kill();
    dirt.wait_for("went away", Duration::from_secs(5));
    // Events sent meanwhile are not a problem.
    tidal
        .send_to(&tidal_event(unix_micros_now(), "click", &[]), &target)
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.restart();
    dirt.wait_for("server is back", Duration::from_secs(30));
    let ports = server.connections();
    for k in 0..4 {
        assert!(ports.contains(&format!("{name}:orbit{k}_L")), "{ports}");
    }
    assert!(heard(&server) > 0.05, "after the restart");
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    let summary = summary_line(&log);
    assert_eq!(summary_field(summary, "played "), 2, "{summary}");
    assert!(
        log.contains("reusing the samples loaded before"),
        "the samples were loaded again: {log}"
    );
}

/// `phonon live PATCH --dirt`: the patch and Tidal's orbits in one engine and one JACK client,
/// the orbits on ports of their own; an edit of the patch leaves the orbits playing.
#[test]
fn live_with_dirt_plays_the_patch_and_tidal_in_one_client() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let name = unique("live-dirt");
    let port = free_udp_port();
    let patch = temp_patch("out: sine 440 * 0.2\n");
    let samples = samples();
    let live = Phonon::spawn(
        &server,
        &name,
        &[
            "live",
            patch.to_str().unwrap(),
            "--name",
            &name,
            "--dirt",
            "--port",
            &port.to_string(),
            "--orbits",
            "2",
            "--samples",
            samples.to_str().unwrap(),
            "--threads",
            "2",
            "--free-run",
            "--quiet",
        ],
        &[],
    );
    live.wait_for("listening for Tidal and Strudel", Duration::from_secs(20));
    live.wait_for("cycle 0 of generation 1", Duration::from_secs(20));
    let ports = server.connections();
    for port in ["out_L", "orbit0_L", "orbit1_R"] {
        assert!(ports.contains(&format!("{name}:{port}")), "{ports}");
    }
    let tidal = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{port}");
    // An event on orbit 1 while the patch plays: the orbit's pair has it alone, the main pair
    // has both.
    let hear = |freq: f32| {
        let orbit = capture_pair(&server, &name, "orbit1");
        let main = capture_pair(&server, &name, "out");
        long_on_orbit_1(&tidal, &target);
        orbit.wait_frames(36_000);
        main.wait_frames(36_000);
        let (orbit, main) = (orbit.finish().left, main.finish().left);
        assert!(rms(&orbit) > 0.05, "the event on orbit 1: {}", rms(&orbit));
        assert!(
            tone(&orbit, freq) < 1e-6,
            "the patch stays out of the orbit's pair"
        );
        assert!(tone(&main, freq) > 1e-4, "the patch in the main pair");
        assert!(rms(&main) > rms(&orbit), "both in the main pair");
    };
    hear(440.0);
    std::fs::write(&patch, "out: sine 660 * 0.2\n").unwrap();
    live.wait_for("reloaded", Duration::from_secs(10));
    hear(660.0);
    let (code, log) = live.stop();
    assert_eq!(code, Some(0), "{log}");
    let summary = summary_line(&log);
    assert_eq!(summary_field(summary, "played "), 2, "{summary}");
}

/// The `/rms` messages that came to `socket` within `wait`, as (orbit, peak left, rms left).
fn rms_replies(socket: &UdpSocket, wait: Duration) -> Vec<(i32, f32, f32)> {
    let mut replies = Vec::new();
    let mut buffer = [0u8; 1024];
    let until = Instant::now() + wait;
    while Instant::now() < until {
        socket
            .set_read_timeout(Some(
                until
                    .saturating_duration_since(Instant::now())
                    .max(Duration::from_millis(1)),
            ))
            .unwrap();
        let Ok((n, _)) = socket.recv_from(&mut buffer) else {
            continue;
        };
        if let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buffer[..n]) {
            if let (
                "/rms",
                [_, OscType::Int(orbit), OscType::Float(peak), OscType::Float(rms), _, _],
            ) = (m.addr.as_str(), &m.args[..])
            {
                replies.push((*orbit, *peak, *rms));
            }
        }
    }
    replies
}

/// An event asking for `rmsReplyRate` gets its orbit's peak and RMS sent back to its sender,
/// as SuperDirt's `SendPeakRMS` lays them out; a rate of 0 stops them.
#[test]
fn rms_replies_report_an_orbits_level_to_the_client_that_asks() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let name = unique("dirt");
    let port = free_udp_port();
    let dirt = start_dirt(&server, &name, port, &samples());
    let tidal = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{port}");
    let ask = |rate: f32, sound: &str| {
        let params = [("orbit", 1.0), ("rmsReplyRate", rate), ("rmsPeakLag", 0.0)];
        tidal
            .send_to(
                &tidal_event(unix_micros_now() + 200_000, sound, &params),
                &target,
            )
            .unwrap();
    };
    ask(20.0, "long");
    let replies = rms_replies(&tidal, Duration::from_millis(1_500));
    assert!(replies.len() >= 5, "{replies:?}");
    assert!(replies.iter().all(|r| r.0 == 1), "{replies:?}");
    // `long` is 0.5 at amp 0.4, centred: 0.2 × 0.707 a side while it plays.
    let playing = replies
        .iter()
        .filter(|r| (r.1 - 0.1414).abs() < 0.01 && (r.2 - 0.1414).abs() < 0.01)
        .count();
    assert!(playing >= 2, "{replies:?}");
    assert!(
        replies.iter().any(|r| r.1 < 1e-4),
        "silence before it: {replies:?}"
    );
    ask(0.0, "click");
    rms_replies(&tidal, Duration::from_millis(500));
    let after = rms_replies(&tidal, Duration::from_millis(500));
    assert!(after.is_empty(), "{after:?}");
    let (code, log) = dirt.stop();
    assert_eq!(code, Some(0), "{log}");
    let summary = summary_line(&log);
    assert_eq!(
        summary_field(summary, "unknown parameters "),
        0,
        "{summary}"
    );
}
