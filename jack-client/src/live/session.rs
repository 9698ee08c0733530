//! One JACK session: the client, its ports, the engine running in JACK's process callback, and
//! the notifications the control thread watches. When the server goes away the session is
//! dropped and a new one, with the same port names, replaces it.

use super::clock_in::ClockFollower;
use super::levels::OutputLevels;
use super::midi_clock::MidiClock;
use super::sync::{Bbt, BbtFollower};
use crate::host::{
    client_priority, process_thread, real_time, shared_cpu_warnings, CallbackGuard, StartError,
};
use dsp::midi_in::MidiControls;
use dsp::midi_keys::MidiNotes;
use dsp::samples::bank::SampleBank;
use graph::Graph;
use jack::{
    AudioIn, AudioOut, Client, ClientStatus, Control, Frames, MidiIn, MidiOut, NotificationHandler,
    Port, PortFlags, ProcessHandler, ProcessScope, RawMidi, TransportState,
};
use runtime::{Controller, Engine, EngineConfig};
use scheduler::placement::{self, placement_of};
use scheduler::HelperThread;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most named outputs that get a pair of ports of their own in multi-out mode.
pub const MAX_OUTPUT_PAIRS: usize = 64;
/// The most ports the engine reads or writes in one callback: the main pair and the named ones.
const MAX_PORTS: usize = 2 + 2 * MAX_OUTPUT_PAIRS;

/// Flags and counters JACK's threads set for the control thread.
#[derive(Default)]
pub struct Shared {
    /// The server shut the client down (or went away).
    pub server_gone: AtomicBool,
    /// Xruns reported by the server.
    pub xruns: AtomicU64,
    /// The server's sample rate changed to this (0: no change).
    pub new_sample_rate: AtomicU32,
    /// Ports appeared or went, so automatic connections may be due.
    pub ports_changed: AtomicBool,
    /// The transport is rolling (or followed freely).
    pub rolling: AtomicBool,
    /// The generation swapped in most recently, and the JACK frame it started on.
    pub swapped_generation: AtomicU64,
    /// See `swapped_generation`.
    pub swapped_frame: AtomicU64,
    /// The buffer size in frames.
    pub buffer_size: AtomicU32,
    /// The process callback has run (by then JACK has made its thread real-time).
    pub processed: AtomicBool,
    /// The process callback's progress, and its guard against the client's closing.
    pub guard: CallbackGuard,
    /// With `--sync`: the tempo being followed, in beats a minute (f64 bits; 0: none).
    pub followed_bpm: AtomicU64,
}

/// The output ports the process callback writes, by channel (main pair first, then a pair
/// per named output). The control thread registers and unregisters ports while the client is
/// active and publishes them here; the callback reads each slot once per period.
struct OutputSlots {
    ports: [AtomicPtr<jack::jack_sys::jack_port_t>; MAX_PORTS],
    /// Slots in use, counting empty ones below the highest.
    used: AtomicUsize,
    /// Pair slots named, ports or not, counting free ones below the highest.
    named_pairs: AtomicUsize,
}

impl OutputSlots {
    fn new() -> OutputSlots {
        OutputSlots {
            ports: std::array::from_fn(|_| AtomicPtr::new(std::ptr::null_mut())),
            used: AtomicUsize::new(0),
            named_pairs: AtomicUsize::new(0),
        }
    }

    fn set(&self, channel: usize, port: Option<&Port<AudioOut>>) {
        let raw = port.map_or(std::ptr::null_mut(), |p| p.raw());
        self.ports[channel].store(raw, Ordering::Release);
        if port.is_some() {
            self.used.fetch_max(channel + 1, Ordering::AcqRel);
        }
    }

    /// This period's buffers, one per channel in use (empty where a slot is free).
    ///
    /// # Safety
    /// Called from the process callback with its frame count; every published port is
    /// registered until a callback that began after it was unpublished has returned.
    unsafe fn buffers(&self, frames: u32, out: &mut [&mut [f32]; MAX_PORTS]) -> usize {
        let used = self.used.load(Ordering::Acquire).min(MAX_PORTS);
        for (slot, port) in out.iter_mut().zip(&self.ports).take(used) {
            let raw = port.load(Ordering::Acquire);
            *slot = if raw.is_null() {
                <&mut [f32]>::default()
            } else {
                // SAFETY: the port is registered (see above); JACK gives each port its own
                // buffer of `frames` samples for this period.
                unsafe {
                    let buffer = jack::jack_sys::jack_port_get_buffer(raw, frames) as *mut f32;
                    std::slice::from_raw_parts_mut(buffer, frames as usize)
                }
            };
        }
        used
    }

    /// The most frames between the main pair's buffer and the ear, as JACK reports it.
    ///
    /// # Safety
    /// As [`OutputSlots::buffers`]: called from the process callback.
    unsafe fn playback_latency(&self) -> u32 {
        let raw = self.ports[0].load(Ordering::Acquire);
        if raw.is_null() {
            return 0;
        }
        let mut range = jack::jack_sys::jack_latency_range_t { min: 0, max: 0 };
        // SAFETY: the port is registered (see `buffers`); JACK reads its own record, no lock.
        unsafe {
            jack::jack_sys::jack_port_get_latency_range(
                raw,
                jack::jack_sys::JackPlaybackLatency,
                &mut range,
            )
        };
        range.max
    }
}

/// The stem of the port pair of output `name` in multi-out mode (`drums` → `drums_L`,
/// `drums_R`). The output called `out` would take the main mix's `out_L`/`out_R`: its own pair
/// is `out_only_L`/`out_only_R`, a name no output can have.
pub fn pair_stem(name: &str) -> std::borrow::Cow<'_, str> {
    if name == "out" {
        "out_only".into()
    } else {
        name.into()
    }
}

/// A named output's pair slot: the engine writes the output there, to its ports if it has
/// them (else to the recording's scratch buffers).
struct OutputPair {
    name: String,
    ports: Option<[Port<AudioOut>; 2]>,
}

/// How the session is set up.
#[derive(Clone)]
pub struct SessionConfig {
    /// Give each of the patch's named outputs a pair of ports of its own (`NAME_L`, `NAME_R`).
    pub multi_out: bool,
    /// Outputs the session hosts (`--dirt`'s orbits), which always have ports of their own.
    pub hosted_outputs: Vec<String>,
    /// Record the main mix and each named output (`--record`).
    pub record: bool,
    /// Measure each output's levels for the view (`--view`).
    pub view: bool,
    /// Named outputs that get a pair of their own (ports, a stem, or both), in slot order.
    pub output_names: Vec<String>,
    /// Input ports.
    pub inputs: usize,
    /// Workers including JACK's process thread.
    pub threads: usize,
    /// The CPUs to place the workers on, JACK's process thread first (`--cpus`).
    pub cpus: Option<Vec<usize>>,
    /// Ignore the JACK transport.
    pub free_run: bool,
    /// Time each node, for the status line's heaviest nodes.
    pub meter_nodes: bool,
    /// Follow a JACK timebase master's bar, beat and tempo: `Some(beats per cycle)`, where
    /// `None` inside means a bar is a cycle.
    pub sync: Option<Option<f64>>,
    /// Send MIDI clock (`--midi-clock`) of this many beats a cycle.
    pub midi_clock: Option<f64>,
    /// Read MIDI controllers from a MIDI input port (`--midi-in`).
    pub midi_in: bool,
    /// Follow a MIDI clock on the MIDI input port (`--sync midi`) of this many beats a cycle.
    pub midi_sync: Option<f64>,
    /// Send the patch's `midi:` statements (and Tidal's MIDI targets) on a MIDI output port
    /// (`--midi-out`).
    pub midi_out: bool,
    /// Follow an Ableton Link session (`--sync link`).
    pub link: Option<super::link::SharedLink>,
}

impl SessionConfig {
    /// The engine writes each named output to a pair of its own.
    pub fn pairs(&self) -> bool {
        self.multi_out || self.record || self.view || !self.hosted_outputs.is_empty()
    }

    /// The named output `name` has ports of its own.
    fn has_ports(&self, name: &str) -> bool {
        self.multi_out || self.hosted_outputs.iter().any(|h| h == name)
    }
}

/// The most frames of a period recorded for an output without ports (the rest of a longer
/// period is recorded as silence): JACK's largest usual period.
const SCRATCH_FRAMES: usize = 8192;

/// Nodes a session adds to every program beside the patch's (`--dirt`'s orbits), and the
/// router that feeds them before each block.
pub struct Hosting {
    /// Hands each event due in a period to its orbit.
    pub router: dirt::EventRouter,
    /// The orbits, added to every program as outputs of their own.
    pub nodes: Vec<dsp::Hosted>,
}

/// Makes a session's [`Hosting`] for its sample bank.
pub type MakeHosting<'a> = dyn Fn(&Arc<SampleBank>) -> Hosting + 'a;

/// What a session starts with beside its client, configuration and patch.
pub struct Provisions<'a> {
    /// The sample bank for the server's sample rate.
    pub bank: &'a dyn Fn(u32) -> Arc<SampleBank>,
    /// With `--dirt`: makes the orbits and their router for that bank.
    pub hosting: Option<&'a MakeHosting<'a>>,
    /// With `--record`: the recording the session's periods go to.
    pub recorder: Option<&'a mut recorder::Recorder>,
}

struct Audio {
    engine: Engine,
    /// With `--dirt`: routes Tidal's events to the orbits before each block.
    router: Option<dirt::EventRouter>,
    outs: Arc<OutputSlots>,
    ins: Vec<Port<AudioIn>>,
    follow_transport: bool,
    shared: Arc<Shared>,
    sample_rate: u32,
    /// With `--sync jack`: the timebase master's position, refined period by period.
    follower: Option<BbtFollower>,
    /// With `--record`: hands each period to the disk thread.
    tap: Option<recorder::Tap>,
    /// With `--record` or `--view`: where the engine writes the pairs that have no ports.
    scratch: Box<[Box<[f32]>]>,
    /// With `--view`: each channel's levels.
    levels: Option<Arc<OutputLevels>>,
    /// With `--midi-clock`: the clock and its port.
    clock: Option<(MidiClock, Port<MidiOut>)>,
    /// With `--midi-in` (or `--sync midi`): the port, the controllers' table `cc` nodes read
    /// and the notes `keys` nodes play.
    midi_in: Option<(Port<MidiIn>, Arc<MidiControls>, Arc<MidiNotes>)>,
    /// With `--midi-out`: the port the engine's MIDI goes out on.
    midi_out: Option<Port<MidiOut>>,
    /// With `--sync midi`: the incoming clock, and the beats it counts in a cycle.
    clock_in: Option<ClockFollower>,
    /// With `--sync link`: the session's tempo and phase.
    link: Option<super::link::LinkFollower>,
    beats_per_cycle: f64,
    /// Testing the watchdog: the callback wedges after this many blocks.
    #[cfg(feature = "fault-injection")]
    hang_after: Option<u64>,
}

/// With `--record` or `--view`, buffers for the pairs the engine writes that have no ports.
fn scratch_buffers(needed: bool) -> Box<[Box<[f32]>]> {
    match needed {
        true => (0..MAX_PORTS)
            .map(|_| vec![0.0; SCRATCH_FRAMES].into_boxed_slice())
            .collect(),
        false => Box::default(),
    }
}

/// JACK's process thread, pinned to the engine's caller CPU when it has one, and whether that
/// worked.
fn pin_process_thread(
    client: &Client,
    caller_cpu: Option<usize>,
) -> Option<(libc::pthread_t, std::io::Result<()>)> {
    process_thread(client).map(|thread| {
        // SAFETY: JACK's process thread lives while the client is active.
        let pinned = caller_cpu.map_or(Ok(()), |cpu| unsafe { placement::pin_thread(thread, cpu) });
        (thread, pinned)
    })
}

/// The MIDI ports a session's configuration asks for, registered.
struct MidiPorts {
    /// With `--midi-clock`: the clock and its port.
    clock: Option<(MidiClock, Port<MidiOut>)>,
    /// With `--midi-out`: the port the engine's MIDI goes out on.
    out: Option<Port<MidiOut>>,
    /// With `--midi-in` (or `--sync midi`): the port, the controllers' table and the notes.
    input: Option<(Port<MidiIn>, Arc<MidiControls>, Arc<MidiNotes>)>,
}

impl MidiPorts {
    fn register(client: &Client, config: &SessionConfig) -> Result<MidiPorts, StartError> {
        let other = |what: &str, e: jack::Error| StartError::Other(format!("{what}: {e:?}"));
        let clock = match config.midi_clock {
            Some(beats) => Some((
                MidiClock::new(beats),
                client
                    .register_port("midi_clock", MidiOut::default())
                    .map_err(|e| other("cannot register the MIDI clock port", e))?,
            )),
            None => None,
        };
        let out = match config.midi_out {
            true => Some(
                client
                    .register_port("midi_out", MidiOut::default())
                    .map_err(|e| other("cannot register the MIDI output port", e))?,
            ),
            false => None,
        };
        let input = match config.midi_in || config.midi_sync.is_some() {
            true => Some((
                client
                    .register_port("midi_in", MidiIn::default())
                    .map_err(|e| other("cannot register the MIDI input port", e))?,
                MidiControls::shared(),
                MidiNotes::shared(),
            )),
            false => None,
        };
        Ok(MidiPorts { clock, out, input })
    }
}

impl Audio {
    /// Reads this period's MIDI input: the controllers' table, the notes, the clock.
    fn take_midi_in(&mut self, ps: &ProcessScope, start: u64) {
        if let Some((port, table, notes)) = self.midi_in.as_ref() {
            notes.begin();
            for message in port.iter(ps) {
                table.take(message.bytes);
                notes.take(message.time, message.bytes);
                if let Some(clock) = self.clock_in.as_mut() {
                    clock.take(start + u64::from(message.time), message.bytes);
                }
            }
        }
    }

    /// Whether the music moves this period: the MIDI clock's run state, or JACK's transport
    /// when following it.
    fn rolling(&self, client: &Client) -> bool {
        match &self.clock_in {
            Some(clock) => clock.running(),
            None => {
                !self.follow_transport
                    || matches!(
                        client.transport().query_state(),
                        Ok(TransportState::Rolling)
                    )
            }
        }
    }

    /// Takes this period's position and tempo from what the engine follows: a timebase
    /// master, a MIDI clock or a Link session.
    fn follow_clocks(&mut self, client: &Client, ps: &ProcessScope, start: u64, frames: usize) {
        if let Some(follower) = self.follower.as_mut() {
            follow_master(client, follower, &mut self.engine, &self.shared);
        }
        if let Some(clock) = self.clock_in.as_ref() {
            match clock.position(start, f64::from(self.sample_rate)) {
                Some((cycle, cps)) => {
                    self.engine.follow(cycle, cps);
                    // Whole beats a minute, so the log says a change, not a wobble.
                    let bpm = (cps * 60.0 * self.beats_per_cycle).round();
                    self.shared
                        .followed_bpm
                        .store(bpm.to_bits(), Ordering::Relaxed);
                }
                None => {
                    self.engine.unfollow();
                    self.shared.followed_bpm.store(0, Ordering::Relaxed);
                }
            }
        }
        if let Some(link) = self.link.as_mut() {
            // When this period's first frame is heard, from JACK's filtered cycle times, not
            // the moment this callback happens to run: every client of the server then reads
            // the session at the same instant for the same frame, however late it is woken.
            // SAFETY: the process callback.
            let latency = unsafe { self.outs.playback_latency() };
            let ahead = match ps.cycle_times() {
                Ok(t) if t.period_usecs > 0.0 => {
                    let per_frame = f64::from(t.period_usecs) / frames.max(1) as f64;
                    t.current_usecs as f64 + f64::from(latency) * per_frame - client.time() as f64
                }
                _ => f64::from(latency) * 1e6 / f64::from(self.sample_rate.max(1)),
            };
            let bpm = link.follow(&mut self.engine, ahead, start as u32, frames as u32);
            // Whole beats a minute, so the log says a change, not a wobble.
            self.shared
                .followed_bpm
                .store(bpm.round().to_bits(), Ordering::Relaxed);
        }
    }

    /// Sends this period's MIDI clock.
    fn send_midi_clock(&mut self, ps: &ProcessScope, frames: usize, rolling: bool) {
        if let Some((clock, port)) = self.clock.as_mut() {
            let mut writer = port.writer(ps);
            clock.block(
                self.engine.cycle().to_f64(),
                self.engine.cps(),
                frames as u32,
                f64::from(self.sample_rate),
                rolling,
                |time, bytes| {
                    // A full port buffer drops the message; JACK's are far larger than a
                    // period's clock.
                    let _ = writer.write(&RawMidi { time, bytes });
                },
            );
        }
    }

    /// Hands Tidal's and Strudel's events due this period to the orbits.
    fn route_dirt_events(
        &mut self,
        client: &Client,
        ps: &ProcessScope,
        frames: usize,
        rolling: bool,
    ) {
        if let Some(router) = self.router.as_mut() {
            // JACK's estimate of when this period's first frame plays, and a frame's length.
            let (start, per_frame) = match ps.cycle_times() {
                Ok(t) if t.period_usecs > 0.0 => (
                    t.current_usecs as f64,
                    f64::from(t.period_usecs) / frames.max(1) as f64,
                ),
                _ => (
                    client.time() as f64,
                    1e6 / f64::from(self.sample_rate.max(1)),
                ),
            };
            // Stopped, events wait (and go stale): nothing plays them. Hushed, MIDI notes
            // are not sent.
            let midi = match self.engine.midi_silenced() {
                true => None,
                false => self.engine.midi_out(),
            };
            router.route(start, per_frame, if rolling { frames } else { 0 }, midi);
        }
    }

    /// Sends the MIDI the engine played this period.
    fn send_midi_out(
        port: Option<&mut Port<MidiOut>>,
        engine: &mut Engine,
        ps: &ProcessScope,
        frames: usize,
    ) {
        if let (Some(port), Some(midi)) = (port, engine.midi_out()) {
            let mut writer = port.writer(ps);
            for message in midi.take(frames as u32) {
                // A full port buffer drops the message; JACK's hold thousands.
                let _ = writer.write(&RawMidi {
                    time: message.frame,
                    bytes: message.bytes(),
                });
            }
        }
    }

    /// When the next period is due: JACK's own forecast (its cycle times, on its microsecond
    /// clock) carried over to ours, or else this period's start plus its length.
    fn next_period(&self, client: &Client, ps: &ProcessScope, started: Instant) -> Instant {
        let now = Instant::now();
        match ps.cycle_times() {
            Ok(times) => {
                let ahead = times.next_usecs.saturating_sub(client.time());
                now + Duration::from_micros(ahead.min(1_000_000))
            }
            Err(_) => {
                started
                    + Duration::from_secs_f64(
                        f64::from(ps.n_frames()) / f64::from(self.sample_rate.max(1)),
                    )
            }
        }
    }
}

impl ProcessHandler for Audio {
    fn process(&mut self, client: &Client, ps: &ProcessScope) -> Control {
        let working = self.shared.guard.enter();
        let mut outputs: [&mut [f32]; MAX_PORTS] = std::array::from_fn(|_| <&mut [f32]>::default());
        // SAFETY: the process callback, with this period's frame count.
        let ported = unsafe { self.outs.buffers(ps.n_frames(), &mut outputs) };
        if !working {
            let n = ported;
            for out in outputs[..n].iter_mut() {
                out.fill(0.0);
            }
            self.shared.guard.leave(false);
            return Control::Continue;
        }
        let started = Instant::now();
        #[cfg(feature = "fault-injection")]
        if self
            .hang_after
            .is_some_and(|n| self.shared.guard.blocks() >= n)
        {
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        self.shared.processed.store(true, Ordering::Relaxed);
        let frames = ps.n_frames() as usize;
        let start = u64::from(ps.last_frame_time());
        self.take_midi_in(ps, start);
        let rolling = self.rolling(client);
        self.shared.rolling.store(rolling, Ordering::Relaxed);
        self.follow_clocks(client, ps, start, frames);
        self.send_midi_clock(ps, frames, rolling);
        self.route_dirt_events(client, ps, frames, rolling);
        let before = self.engine.generation();
        let mut inputs: [&[f32]; MAX_PORTS] = [&[]; MAX_PORTS];
        for (slot, port) in inputs.iter_mut().zip(&self.ins) {
            *slot = port.as_slice(ps);
        }
        // The pairs recorded or metered without ports are written to scratch buffers.
        let named = self.outs.named_pairs.load(Ordering::Relaxed);
        let unported = match (&self.tap, &self.levels) {
            (None, None) => 0,
            (tap, _) => {
                (2 + 2 * named.max(tap.as_ref().map_or(0, |t| t.pairs_in_use()))).min(MAX_PORTS)
            }
        };
        let unported = unported.min(self.scratch.len());
        let length = frames.min(SCRATCH_FRAMES);
        for (out, scratch) in outputs[..unported].iter_mut().zip(self.scratch.iter_mut()) {
            if out.is_empty() {
                *out = &mut scratch[..length];
            }
        }
        let n = ported.max(unported);
        if rolling {
            self.engine
                .process(frames, &inputs[..self.ins.len()], &mut outputs[..n]);
        } else {
            self.engine.process_stopped(frames, &mut outputs[..n]);
        }
        Self::send_midi_out(self.midi_out.as_mut(), &mut self.engine, ps, frames);
        let after = self.engine.generation();
        if let Some(tap) = self.tap.as_mut() {
            tap.push(after, frames, &outputs[..n]);
        }
        if let Some(levels) = &self.levels {
            levels.measure(&outputs[..n]);
        }
        let next = rolling.then(|| self.next_period(client, ps, started));
        self.engine.expect_next_block(next);
        if after != before {
            self.shared
                .swapped_frame
                .store(u64::from(ps.last_frame_time()), Ordering::Relaxed);
            self.shared
                .swapped_generation
                .store(after, Ordering::Release);
        }
        self.shared.guard.leave(true);
        Control::Continue
    }

    fn buffer_size(&mut self, _: &Client, size: Frames) -> Control {
        // The engine splits any period into blocks it was built for; nothing to re-plan.
        self.shared.buffer_size.store(size, Ordering::Relaxed);
        Control::Continue
    }
}

/// Sets the engine's position and tempo from the timebase master's BBT for this period, or
/// gives the tempo back to the patch when no master publishes one. Real-time safe.
fn follow_master(
    client: &Client,
    follower: &mut BbtFollower,
    engine: &mut Engine,
    shared: &Shared,
) {
    let Ok(now) = client.transport().query() else {
        return;
    };
    match now.pos.bbt() {
        Some(bbt) => {
            let position = follower.position(&Bbt {
                frame: now.pos.frame(),
                bar: bbt.bar,
                beat: bbt.beat,
                tick: bbt.tick,
                beats_per_bar: f64::from(bbt.sig_num),
                ticks_per_beat: bbt.ticks_per_beat,
                beats_per_minute: bbt.bpm,
            });
            engine.follow(position.cycle, position.cps);
            shared
                .followed_bpm
                .store(bbt.bpm.to_bits(), Ordering::Relaxed);
        }
        None => {
            follower.reset();
            engine.unfollow();
            shared.followed_bpm.store(0, Ordering::Relaxed);
        }
    }
}

struct Notifications {
    shared: Arc<Shared>,
}

impl NotificationHandler for Notifications {
    unsafe fn shutdown(&mut self, _status: ClientStatus, _reason: &str) {
        self.shared.server_gone.store(true, Ordering::SeqCst);
    }

    fn sample_rate(&mut self, _: &Client, rate: Frames) -> Control {
        self.shared.new_sample_rate.store(rate, Ordering::SeqCst);
        Control::Continue
    }

    fn port_registration(&mut self, _: &Client, _: jack::PortId, _: bool) {
        self.shared.ports_changed.store(true, Ordering::SeqCst);
    }

    fn xrun(&mut self, _: &Client) -> Control {
        self.shared.xruns.fetch_add(1, Ordering::Relaxed);
        Control::Continue
    }
}

/// A running JACK client playing the engine.
pub struct Session {
    client: jack::AsyncClient<Notifications, Audio>,
    /// The control side of the engine.
    pub controller: Controller,
    /// What JACK's threads tell us.
    pub shared: Arc<Shared>,
    /// The server's sample rate.
    pub sample_rate: u32,
    /// The main pair's full names.
    pub output_ports: Vec<String>,
    /// Named outputs' pairs by slot (channel `2 + 2 * slot`); `None` where free.
    pairs: Vec<Option<OutputPair>>,
    /// Pairs taken out of the slots, unregistered once the callback that might still use
    /// them has returned (its count passed the number kept).
    retiring: Vec<(u64, OutputPair)>,
    slots: Arc<OutputSlots>,
    /// The helper threads as they started.
    pub helpers: Vec<HelperThread>,
    /// The CPU kept for JACK's process thread.
    pub caller_cpu: Option<usize>,
    /// JACK's process thread and how pinning it went.
    process_thread: Option<(libc::pthread_t, std::io::Result<()>)>,
    /// Nodes added to every program beside the patch's.
    hosted: Vec<dsp::Hosted>,
    /// How the session was set up.
    config: SessionConfig,
    /// With `--view`: each channel's levels, main pair first.
    pub levels: Option<Arc<OutputLevels>>,
}

impl Session {
    /// Registers the ports, builds the engine for the server's sample rate with the sample
    /// bank `bank` gives for that rate, loads `graph` (with the nodes `hosting` adds, made for
    /// that bank) and activates the client.
    pub fn start(
        client: Client,
        config: &SessionConfig,
        graph: &Graph,
        provisions: &mut Provisions<'_>,
    ) -> Result<(Session, Arc<SampleBank>), StartError> {
        let Provisions {
            bank,
            hosting,
            recorder,
        } = provisions;
        let other = |what: &str, e: jack::Error| StartError::Other(format!("{what}: {e:?}"));
        let sample_rate = client.sample_rate();
        let Ports { slots, pairs, ins } = register_ports(&client, config)?;
        slots.named_pairs.store(pairs.len(), Ordering::Relaxed);
        let tap = recorder.as_deref_mut().map(|recorder| {
            let tap = recorder.tap(sample_rate);
            // The first program is generation 1.
            recorder.layout(1, &stem_names(&pairs));
            tap
        });
        let scratch = scratch_buffers(tap.is_some() || config.view);
        let levels = config.view.then(|| Arc::new(OutputLevels::new(MAX_PORTS)));
        let bank = bank(sample_rate);
        let (router, hosted) = match hosting.map(|h| h(&bank)) {
            Some(Hosting { router, nodes }) => (Some(router), nodes),
            None => (None, Vec::new()),
        };
        let priority = client_priority(&client);
        let graph = &with_hosted(graph, &hosted);
        let (engine, controller) = start_engine(config, sample_rate, priority, &bank, graph)?;
        let shared = Arc::new(Shared::default());
        shared
            .buffer_size
            .store(client.buffer_size(), Ordering::Relaxed);
        let output_ports = ["out_L", "out_R"]
            .iter()
            .map(|n| format!("{}:{n}", client.name()))
            .collect();
        let helpers = engine.helpers();
        let caller_cpu = engine.caller_cpu();
        let midi = MidiPorts::register(&client, config)?;
        let audio = Audio {
            engine,
            router,
            outs: slots.clone(),
            ins,
            follow_transport: !config.free_run,
            shared: shared.clone(),
            sample_rate,
            follower: config
                .sync
                .map(|beats_per_cycle| BbtFollower::new(sample_rate, beats_per_cycle)),
            tap,
            scratch,
            levels: levels.clone(),
            clock: midi.clock,
            midi_out: midi.out,
            clock_in: config.midi_sync.map(ClockFollower::new),
            link: config.link.as_ref().map(|link| link.follower()),
            beats_per_cycle: config.midi_sync.unwrap_or(4.0),
            midi_in: midi.input,
            #[cfg(feature = "fault-injection")]
            hang_after: std::env::var("PHONON_FAULT_HANG_AFTER_BLOCKS")
                .ok()
                .and_then(|n| n.parse().ok()),
        };
        let notifications = Notifications {
            shared: shared.clone(),
        };
        let client = client
            .activate_async(notifications, audio)
            .map_err(|e| other("cannot activate the JACK client", e))?;
        let process_thread = pin_process_thread(client.as_client(), caller_cpu);
        Ok((
            Session {
                client,
                controller,
                shared,
                sample_rate,
                output_ports,
                pairs,
                retiring: Vec::new(),
                slots,
                helpers,
                caller_cpu,
                process_thread,
                hosted,
                config: config.clone(),
                levels,
            },
            bank,
        ))
    }

    /// Sends `graph`, with the nodes the session hosts added, to the engine, first telling
    /// `recorder` (with `--record`) which stem each pair will play.
    pub fn load(
        &mut self,
        graph: &Graph,
        recorder: Option<&mut recorder::Recorder>,
    ) -> Result<u64, runtime::LoadError> {
        if let Some(recorder) = recorder {
            recorder.layout(self.controller.generation() + 1, &stem_names(&self.pairs));
        }
        self.controller.load(&with_hosted(graph, &self.hosted))
    }

    /// `graph` as the engine plays it: with the nodes the session hosts added.
    pub fn hosted_graph(&self, graph: &Graph) -> Graph {
        with_hosted(graph, &self.hosted)
    }

    /// Where the workers run, as one line (`worker 0 (JACK) on CPU 0, SCHED_FIFO 65; helper 1
    /// on CPU 1, SCHED_FIFO 64`), and a warning for each placement the system refused. Waits
    /// briefly for JACK's first cycle, by which JACK has made its thread real-time.
    pub fn placement(&self) -> (String, Vec<String>) {
        let deadline = Instant::now() + Duration::from_secs(1);
        while !self.shared.processed.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut warnings = Vec::new();
        let mut jack_real_time = false;
        let jack = match &self.process_thread {
            None => "worker 0 (JACK) on a thread JACK does not name".to_string(),
            Some((thread, pinned)) => {
                if let (Err(e), Some(cpu)) = (pinned, self.caller_cpu) {
                    warnings.push(format!(
                        "JACK's process thread could not be pinned to CPU {cpu}: {e}"
                    ));
                }
                // SAFETY: the client is active, so its process thread is alive.
                match unsafe { placement::placement_of_thread(*thread) } {
                    Ok(p) => {
                        jack_real_time = !matches!(p.policy, placement::Policy::Other);
                        if !jack_real_time {
                            warnings.push(
                                "JACK's process thread is not real-time: start jackd with -R and allow real-time priority (see /etc/security/limits.d/audio.conf)".to_string(),
                            );
                        }
                        format!("worker 0 (JACK) on {p}")
                    }
                    Err(e) => format!("worker 0 (JACK) unknown placement ({e})"),
                }
            }
        };
        let mut parts = vec![jack];
        for helper in &self.helpers {
            if let Some(error) = &helper.pin_error {
                warnings.push(format!(
                    "helper {} could not be pinned to CPU {}: {error}",
                    helper.worker,
                    helper.cpu.unwrap_or(0)
                ));
            }
            match placement_of(helper.tid) {
                Ok(p) => {
                    // Helpers follow JACK: below a real-time JACK thread, else normal.
                    if jack_real_time && matches!(p.policy, placement::Policy::Other) {
                        warnings.push(format!(
                            "helper {} runs at normal priority: real-time priority was refused (see /etc/security/limits.d/audio.conf)",
                            helper.worker
                        ));
                    }
                    if self.caller_cpu.is_some() && helper.cpu == self.caller_cpu {
                        warnings.push(format!(
                            "helper {} shares CPU {} with JACK's process thread: more workers than CPUs",
                            helper.worker,
                            helper.cpu.unwrap_or(0)
                        ));
                    }
                    parts.push(format!("helper {} on {p}", helper.worker));
                }
                Err(e) => parts.push(format!("helper {} unknown placement ({e})", helper.worker)),
            }
        }
        let mut ours = vec![("JACK's process thread".to_string(), self.caller_cpu)];
        ours.extend(
            self.helpers
                .iter()
                .map(|h| (format!("helper {}", h.worker), h.cpu)),
        );
        warnings.extend(shared_cpu_warnings(&ours));
        (parts.join("; "), warnings)
    }

    /// Gives each of `names` a pair of ports (`NAME_L`, `NAME_R`), registering new ones and
    /// unregistering those no longer named, from the control thread while the audio runs.
    /// A name keeps its ports, and so its connections, for as long as it stays. Returns the
    /// name of each pair slot in order (empty where free), for `Controller::set_output_names`.
    pub fn set_outputs(&mut self, names: &[String]) -> Vec<String> {
        let mark = self.shared.guard.blocks();
        for (slot, entry) in self.pairs.iter_mut().enumerate() {
            if entry.as_ref().is_some_and(|p| !names.contains(&p.name)) {
                self.slots.set(2 + 2 * slot, None);
                self.slots.set(3 + 2 * slot, None);
                let pair = entry.take().expect("checked");
                if pair.ports.is_some() {
                    tracing::info!(
                        "unregistered {stem}_L and {stem}_R",
                        stem = pair_stem(&pair.name)
                    );
                    self.retiring.push((mark, pair));
                }
            }
        }
        for name in names {
            if self.pairs.iter().flatten().any(|p| &p.name == name) {
                continue;
            }
            let slot = match self.pairs.iter().position(Option::is_none) {
                Some(free) => free,
                None if self.pairs.len() < MAX_OUTPUT_PAIRS => {
                    self.pairs.push(None);
                    self.pairs.len() - 1
                }
                None => break,
            };
            // Ports still retiring under this name come back (a name dropped and restored
            // by quick edits keeps its connections).
            let pair = match self.retiring.iter().position(|(_, p)| &p.name == name) {
                Some(k) => self.retiring.swap_remove(k).1,
                None if !self.config.has_ports(name) => OutputPair {
                    name: name.clone(),
                    ports: None,
                },
                None => match register_pair(self.client.as_client(), name) {
                    Ok(ports) => {
                        tracing::info!("registered {stem}_L and {stem}_R", stem = pair_stem(name));
                        OutputPair {
                            name: name.clone(),
                            ports: Some(ports),
                        }
                    }
                    Err(_) => {
                        tracing::warn!(
                            "cannot register ports for output `{name}`; it plays in the main pair only"
                        );
                        continue;
                    }
                },
            };
            if let Some(ports) = &pair.ports {
                self.slots.set(2 + 2 * slot, Some(&ports[0]));
                self.slots.set(3 + 2 * slot, Some(&ports[1]));
            }
            self.pairs[slot] = Some(pair);
        }
        self.retire_ports();
        let named = self
            .pairs
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |k| k + 1);
        self.slots.named_pairs.store(named, Ordering::Relaxed);
        self.pairs
            .iter()
            .map(|p| p.as_ref().map_or_else(String::new, |p| p.name.clone()))
            .collect()
    }

    /// Unregisters retired ports the process callback can no longer be using.
    pub fn retire_ports(&mut self) {
        let done = self.shared.guard.blocks();
        let mut k = 0;
        while k < self.retiring.len() {
            if done < self.retiring[k].0 + 2 {
                k += 1;
                continue;
            }
            let (_, pair) = self.retiring.swap_remove(k);
            for port in pair.ports.into_iter().flatten() {
                if let Err(e) = self.client.as_client().unregister_port(port) {
                    tracing::warn!("cannot unregister {}'s ports: {e:?}", pair.name);
                }
            }
        }
    }

    /// The output in each pair slot (empty where free), channel `2 + 2 * slot` on.
    pub fn pair_names(&self) -> Vec<String> {
        self.pairs
            .iter()
            .map(|p| p.as_ref().map_or_else(String::new, |p| p.name.clone()))
            .collect()
    }

    /// The client.
    pub fn client(&self) -> &Client {
        self.client.as_client()
    }

    /// Deactivates and closes the client, once the process callback is out of any block (it
    /// returns at once from then on). If a block does not end within `patience` the engine is
    /// stuck: the client is left for the server to drop when the process exits, and false is
    /// returned.
    pub fn close_within(self, patience: Duration) -> bool {
        if !self.shared.guard.close(patience) {
            std::mem::forget(self);
            return false;
        }
        let _ = self.client.deactivate();
        true
    }

    /// Deactivates and closes the client.
    pub fn close(self) {
        self.close_within(Duration::from_secs(1));
    }

    /// Audio input ports of other clients whose full names match `pattern`, in JACK's order.
    pub fn inputs_matching(&self, pattern: &regex::Regex) -> Vec<String> {
        self.client()
            .ports(None, Some("audio"), PortFlags::IS_INPUT)
            .into_iter()
            .filter(|p| pattern.is_match(p))
            .collect()
    }

    /// The physical playback ports.
    pub fn playback_ports(&self) -> Vec<String> {
        self.client().ports(
            None,
            Some("audio"),
            PortFlags::IS_INPUT | PortFlags::IS_PHYSICAL,
        )
    }

    /// Connects `from` to `to`; true if they are connected afterwards.
    pub fn connect(&self, from: &str, to: &str) -> bool {
        match self.client().connect_ports_by_name(from, to) {
            Ok(()) | Err(jack::Error::PortAlreadyConnected(..)) => true,
            Err(_) => false,
        }
    }
}

/// `graph` with `hosted` added, each as the output of its name (`orbit0`…).
fn with_hosted(graph: &Graph, hosted: &[dsp::Hosted]) -> Graph {
    let mut graph = graph.clone();
    dirt::add_orbits(&mut graph, hosted);
    graph
}

/// A session's ports as registered.
struct Ports {
    /// The output ports, as the callback writes them.
    slots: Arc<OutputSlots>,
    /// The named outputs' pairs, by slot.
    pairs: Vec<Option<OutputPair>>,
    /// `in_1`….
    ins: Vec<Port<AudioIn>>,
}

/// Registers output `name`'s pair of ports (`NAME_L`, `NAME_R`), or neither.
fn register_pair(client: &Client, name: &str) -> Result<[Port<AudioOut>; 2], jack::Error> {
    let stem = pair_stem(name);
    let left = client.register_port(&format!("{stem}_L"), AudioOut::default())?;
    match client.register_port(&format!("{stem}_R"), AudioOut::default()) {
        Ok(right) => Ok([left, right]),
        Err(e) => {
            let _ = client.unregister_port(left);
            Err(e)
        }
    }
}

/// Each pair slot's stem as recordings name it (its ports' stem; empty where free).
fn stem_names(pairs: &[Option<OutputPair>]) -> Vec<String> {
    pairs
        .iter()
        .map(|p| {
            p.as_ref()
                .map_or_else(String::new, |p| pair_stem(&p.name).into_owned())
        })
        .collect()
}

/// Registers the main pair, a pair per named output and the inputs.
fn register_ports(client: &Client, config: &SessionConfig) -> Result<Ports, StartError> {
    let register = |name: &str| {
        client
            .register_port(name, AudioOut::default())
            .map_err(|e| StartError::Other(format!("cannot register port {name}: {e:?}")))
    };
    let main = [register("out_L")?, register("out_R")?];
    let slots = Arc::new(OutputSlots::new());
    slots.set(0, Some(&main[0]));
    slots.set(1, Some(&main[1]));
    let mut pairs = Vec::new();
    for (slot, name) in config.output_names.iter().enumerate() {
        let ports = match config.has_ports(name) {
            true => Some(register_pair(client, name).map_err(|e| {
                StartError::Other(format!("cannot register the ports of `{name}`: {e:?}"))
            })?),
            false => None,
        };
        if let Some(ports) = &ports {
            slots.set(2 + 2 * slot, Some(&ports[0]));
            slots.set(3 + 2 * slot, Some(&ports[1]));
        }
        pairs.push(Some(OutputPair {
            name: name.clone(),
            ports,
        }));
    }
    let mut ins = Vec::new();
    for k in 1..=config.inputs {
        ins.push(
            client
                .register_port(&format!("in_{k}"), AudioIn::default())
                .map_err(|e| StartError::Other(format!("cannot register a port: {e:?}")))?,
        );
    }
    Ok(Ports { slots, pairs, ins })
}

/// The engine for the server's rate, its helpers one step below JACK's `priority`, with
/// `graph` loaded.
fn start_engine(
    config: &SessionConfig,
    sample_rate: u32,
    priority: i32,
    bank: &Arc<SampleBank>,
    graph: &Graph,
) -> Result<(Engine, Controller), StartError> {
    let (engine, mut controller) = runtime::engine(
        EngineConfig {
            sample_rate,
            max_block: 4096,
            workers: config.threads.max(1),
            pin_cores: config.threads > 1 || config.cpus.is_some(),
            cpus: config.cpus.clone(),
            output_names: config.output_names.clone(),
            meter_nodes: config.meter_nodes,
            output_pairs: if config.pairs() { MAX_OUTPUT_PAIRS } else { 0 },
            on_thread_start: Some(Arc::new(move |_| real_time(priority - 1))),
            midi_out: config.midi_out,
            ..EngineConfig::default()
        },
        bank.clone(),
    )
    .map_err(|e| StartError::Other(format!("cannot start the worker threads: {e}")))?;
    controller
        .load(graph)
        .map_err(|e| StartError::Other(e.to_string()))?;
    Ok((engine, controller))
}
