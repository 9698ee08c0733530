//! `phonon live --sync jack` against a real JACK timebase master: a test client publishes
//! bar, beat and tick from a tempo map (120 BPM, then 150), relocates the transport, and
//! records phonon's output; every onset of `s "bd*4"` must land on one of the master's beats,
//! to the frame.
//!
//! Built only with optimisations, like `live.rs`.
#![cfg(not(debug_assertions))]

mod harness;

use harness::*;
use jack::{AudioIn, Client, Control, ProcessHandler, ProcessScope};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const RATE: f64 = 48_000.0;
/// The master's tempo changes from 120 to 150 BPM at this transport frame, half-way through
/// beat 16 (16.5 beats at 120 BPM), so the first beat at the new tempo comes 200 ms later.
const CHANGE_AT: u32 = 396_000;

/// The master's beat position at a transport frame.
fn beats_at(frame: u32) -> (f64, f64) {
    if frame < CHANGE_AT {
        (f64::from(frame) * 2.0 / RATE, 120.0)
    } else {
        (16.5 + f64::from(frame - CHANGE_AT) * 2.5 / RATE, 150.0)
    }
}

/// Fills `pos` with BBT for its transport frame, as a DAW's timebase callback does (ticks
/// truncated, 1,920 a beat, 4 beats a bar).
unsafe extern "C" fn timebase(
    _state: jack::jack_sys::jack_transport_state_t,
    _frames: jack::jack_sys::jack_nframes_t,
    pos: *mut jack::jack_sys::jack_position_t,
    _new_pos: libc::c_int,
    _arg: *mut libc::c_void,
) {
    // SAFETY: JACK passes the position it is building for this period.
    let pos = unsafe { &mut *pos };
    let (beats, bpm) = beats_at(pos.frame);
    let bar = (beats / 4.0).floor();
    let in_bar = beats - bar * 4.0;
    let beat = in_bar.floor();
    pos.valid |= jack::jack_sys::JackPositionBBT;
    pos.bar = bar as i32 + 1;
    pos.beat = beat as i32 + 1;
    pos.tick = ((in_bar - beat) * 1920.0).floor() as i32;
    pos.bar_start_tick = bar * 4.0 * 1920.0;
    pos.beats_per_bar = 4.0;
    pos.beat_type = 4.0;
    pos.ticks_per_beat = 1920.0;
    pos.beats_per_minute = bpm;
}

/// One period as the master saw it: its JACK frame, transport frame, whether rolling, and
/// where its samples start in `left`.
struct Period {
    transport: u32,
    rolling: bool,
    at: usize,
    frames: usize,
}

#[derive(Default)]
struct Taken {
    left: Vec<f32>,
    periods: Vec<Period>,
}

impl Taken {
    /// Room for 40 s of periods of 128 frames: the master's callback must not allocate, or it
    /// runs late, and a late timebase master leaves its last BBT under the next period.
    fn with_room() -> Taken {
        Taken {
            left: Vec::with_capacity(40 * 48_000),
            periods: Vec::with_capacity(40 * 48_000 / 128),
        }
    }
}

struct Master {
    input: jack::Port<AudioIn>,
    taken: Arc<Mutex<Taken>>,
    /// The latest period's transport frame, read while recording without the lock.
    transport: Arc<AtomicU32>,
}

impl ProcessHandler for Master {
    fn process(&mut self, client: &Client, ps: &ProcessScope) -> Control {
        let Ok(now) = client.transport().query() else {
            return Control::Continue;
        };
        self.transport.store(now.pos.frame(), Ordering::Relaxed);
        let frames = ps.n_frames() as usize;
        let Ok(mut taken) = self.taken.try_lock() else {
            return Control::Continue;
        };
        let room = taken.left.len() + frames <= taken.left.capacity()
            && taken.periods.len() < taken.periods.capacity();
        if room {
            let at = taken.left.len();
            taken.left.extend_from_slice(self.input.as_slice(ps));
            taken.periods.push(Period {
                transport: now.pos.frame(),
                rolling: now.state == jack::TransportState::Rolling,
                at,
                frames,
            });
        }
        Control::Continue
    }
}

/// Onsets in the recording: the transport frame of each first non-zero sample after at least
/// 1,000 silent ones.
fn onsets(taken: &Taken) -> Vec<u32> {
    let mut found = Vec::new();
    let mut silent = 0usize;
    for p in &taken.periods {
        for (k, &x) in taken.left[p.at..p.at + p.frames].iter().enumerate() {
            if x.abs() > 0.01 {
                if silent >= 1_000 && p.rolling {
                    found.push(p.transport + k as u32);
                }
                silent = 0;
            } else {
                silent += 1;
            }
        }
    }
    found
}

#[test]
fn onsets_land_on_the_timebase_masters_beats_across_tempo_changes_and_relocations() {
    if !jack_available() {
        return;
    }
    let _turn = serial();
    let server = Server::start(128, true);
    let client = server.client(&unique("master"));
    let input = client
        .register_port("in", AudioIn::default())
        .expect("register");
    let input_name = input.name().unwrap();
    let taken = Arc::new(Mutex::new(Taken::with_room()));
    let latest = Arc::new(AtomicU32::new(0));
    let active = client
        .activate_async(
            (),
            Master {
                input,
                taken: taken.clone(),
                transport: latest.clone(),
            },
        )
        .expect("activate");
    type SetTimebase = unsafe extern "C" fn(
        *mut jack::jack_sys::jack_client_t,
        libc::c_int,
        jack::jack_sys::TimebaseCallback,
        *mut libc::c_void,
    ) -> libc::c_int;
    let library = jack::jack_sys::library().expect("libjack");
    // SAFETY: the symbol has this signature (jack/transport.h); the client is active and
    // outlives the callback, which reads only its arguments.
    let became_master = unsafe {
        let set = library
            .get::<SetTimebase>(b"jack_set_timebase_callback")
            .expect("jack_set_timebase_callback");
        set(
            active.as_client().raw(),
            0,
            Some(timebase),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(became_master, 0, "the test client becomes timebase master");
    let transport = active.as_client().transport();
    transport.locate(0).unwrap();
    transport.start().unwrap();

    let patch = temp_patch("out: s \"bd*4\"\n");
    let samples = click_folder();
    let phonon = Phonon::start_named(
        &server,
        &patch,
        &unique("phonon"),
        &[
            "--sync",
            "jack",
            "--quiet",
            "--samples",
            samples.to_str().unwrap(),
        ],
        &[],
    );
    phonon.wait_for(
        "following JACK's timebase master at 120 BPM",
        Duration::from_secs(5),
    );
    phonon.wait_for("samples: 1 sound loaded", Duration::from_secs(10));
    active
        .as_client()
        .connect_ports_by_name(&format!("{}:out_L", phonon.name), &input_name)
        .unwrap();
    // The kit's bd, played before the click was loaded, lasts half a second: start afresh.
    std::thread::sleep(Duration::from_millis(600));
    *taken.lock().unwrap() = Taken::with_room();
    let transport_now = || latest.load(Ordering::Relaxed);
    // Through the tempo change, then relocated twice (to odd frames, back and forth).
    while transport_now() < CHANGE_AT + 96_000 {
        std::thread::sleep(Duration::from_millis(20));
    }
    phonon.wait_for(
        "the timebase master's tempo is now 150 BPM",
        Duration::from_secs(2),
    );
    let relocations = [700_001u32, 450_007];
    for &to in &relocations {
        transport.locate(to).unwrap();
        // A second and a half at the new place: the follower settles, three beats play.
        while !(to + 72_000..to + 400_000).contains(&transport_now()) {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    // Stopped for a moment and rolling again: it resumes on the beat.
    transport.stop().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let resumed_at = transport_now();
    transport.start().unwrap();
    while transport_now() < resumed_at + 72_000 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let taken = std::mem::take(&mut *taken.lock().unwrap());
    let (code, log) = phonon.stop();
    assert_eq!(code, Some(0), "{log}");
    drop(active);

    let found = onsets(&taken);
    // Allowed to settle after each jump: a tick is 12 frames, and the follower needs a few
    // dozen periods to place the beat within one.
    let settling = 120 * 128;
    let mut checked = Vec::new();
    let jumps: Vec<u32> = std::iter::once(CHANGE_AT).chain(relocations).collect();
    for &onset in &found {
        if jumps.iter().any(|&j| onset >= j && onset < j + settling) {
            continue;
        }
        let (beats, bpm) = beats_at(onset);
        let frames_per_beat = RATE * 60.0 / bpm;
        let off = (beats - beats.round()) * frames_per_beat;
        checked.push((onset, bpm, off));
    }
    let at_120 = checked.iter().filter(|c| c.1 == 120.0).count();
    let at_150 = checked.iter().filter(|c| c.1 == 150.0).count();
    assert!(
        at_120 >= 3 && at_150 >= 6,
        "onsets checked at 120 BPM {at_120}, at 150 BPM {at_150}: {found:?}\n{log}"
    );
    assert!(
        checked.iter().any(|c| c.0 > resumed_at),
        "onsets after the transport rolled again: {found:?}"
    );
    // Within a frame, give or take the rounding of the master's beat arithmetic.
    let wrong: Vec<_> = checked.iter().filter(|c| c.2.abs() > 1.0 + 1e-6).collect();
    assert!(
        wrong.is_empty(),
        "onsets off the master's beats (transport frame, BPM, frames off): {wrong:?}"
    );
    // And none missing: consecutive checked onsets in one tempo are one beat apart unless a
    // jump, or a period the recording lost (an xrun), lies between them.
    let lost: Vec<u32> = taken
        .periods
        .windows(2)
        .filter(|w| w[1].transport != w[0].transport + w[0].frames as u32)
        .map(|w| w[1].transport)
        .collect();
    for pair in checked.windows(2) {
        let ((a, bpm_a, _), (b, bpm_b, _)) = (pair[0], pair[1]);
        let between = jumps
            .iter()
            .chain(&lost)
            .chain([&resumed_at])
            .any(|&j| (a.min(b)..=a.max(b)).contains(&j))
            || b < a
            || bpm_a != bpm_b;
        if !between {
            let beat = RATE * 60.0 / bpm_a;
            assert!(
                (f64::from(b - a) - beat).abs() <= 2.0,
                "a beat missing or doubled between transport frames {a} and {b}"
            );
        }
    }
}
