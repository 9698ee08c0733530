//! The engine: the audio thread's `Engine` and the control thread's `Controller`, joined by
//! single-producer single-consumer mailboxes.
//!
//! The control thread compiles and builds `Program`s and sends them; the audio thread swaps them
//! in at a block boundary, crossfades, and sends the replaced one back to be dropped on the
//! control thread, with a report of every block. The audio thread never allocates or frees.

use crate::clock::BlockClock;
use crate::meter::NodeMeters;
use crate::mix::{Crossfade, Master, MixBus, CROSSFADE_SECONDS};
use crate::program::{BlockInfo, BuildError, Program, ProgramConfig, Signature};
use dsp::samples::bank::SampleBank;
use graph::Graph;
use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use scheduler::{HelperThread, Pool, PoolConfig, ThreadStart};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How to build an engine.
#[derive(Clone)]
pub struct EngineConfig {
    /// Samples per second.
    pub sample_rate: u32,
    /// The longest block processed in one piece; longer calls are split.
    pub max_block: usize,
    /// Workers including the audio thread.
    pub workers: usize,
    /// Pin each helper to a CPU of its own, keeping [`Engine::caller_cpu`] for the audio
    /// thread.
    pub pin_cores: bool,
    /// With `pin_cores`: the CPUs to place the workers on, the audio thread's first (`--cpus`).
    pub cpus: Option<Vec<usize>>,
    /// Master gain.
    pub gain: f32,
    /// Named outputs that also get a stereo pair of their own (multi-out), in order.
    pub output_names: Vec<String>,
    /// Pairs the engine can write, at least `output_names.len()`: room for outputs a later
    /// program names (see [`Controller::set_output_names`]).
    pub output_pairs: usize,
    /// Voices per sampler.
    pub sampler_voices: usize,
    /// Time each node's blocks, for [`Controller::meters`] (two clock reads per node in one
    /// block of [`crate::meter::SAMPLE_EVERY`]).
    pub meter_nodes: bool,
    /// Runs on each helper thread as it starts, after the engine sets flush-to-zero there
    /// (real-time priority, for instance).
    pub on_thread_start: Option<ThreadStart>,
    /// Play the programs' `midi:` statements as MIDI messages (see [`Engine::midi_out`]).
    pub midi_out: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            sample_rate: 44_100,
            max_block: 4096,
            workers: 1,
            pin_cores: false,
            cpus: None,
            gain: 1.0,
            output_names: Vec::new(),
            output_pairs: 0,
            sampler_voices: dsp::voice::sampler::DEFAULT_VOICES,
            meter_nodes: true,
            on_thread_start: None,
            midi_out: false,
        }
    }
}

/// A message from the control thread to the audio thread.
enum Command {
    Load(Box<Program>),
    Gain(f32),
    Cps(f64),
    FadeOut(usize),
    FadeIn,
    /// Mutes the outputs of program `generation` whose bits are set.
    Mute {
        generation: u64,
        mask: u64,
    },
}

/// What the audio thread reports of each block.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BlockReport {
    /// The program that played (its generation), 0 before the first.
    pub generation: u64,
    /// The first frame of the block.
    pub frame: u64,
    /// The cycle position after the block.
    pub cycle: f64,
    /// The tempo the block played at, in cycles per second.
    pub cps: f64,
    /// Frames in the block.
    pub frames: u32,
    /// Time spent in `Engine::process`.
    pub elapsed: Duration,
    /// Voices sounding at the end of the block.
    pub voices: u32,
    /// Voices stolen so far by the current program.
    pub steals: u64,
    /// Output samples clamped so far (NaN, infinite or runaway).
    pub clamps: u64,
    /// Times a worker's arena grew during a block, so far.
    pub arena_growths: u64,
    /// Node jobs that panicked, so far.
    pub panics: u64,
    /// Reports lost so far because the control thread did not collect them in time.
    pub lost_reports: u64,
    /// How long after the block opened the first helper joined it (none: no helper did).
    pub helper_join: Option<Duration>,
    /// Times so far the audio thread had to wake a parked helper.
    pub helper_wakes: u64,
    /// Jobs so far the audio thread took back from a stalled helper past half the block.
    pub taken_back: u64,
    /// Helpers that took part in the block (the others were parked: they would not have made
    /// it shorter).
    pub helpers: u32,
    /// Blocks so far in which the audio thread, past the block's length, had to give its CPU
    /// to a helper finishing a job (the block was late; the engine did not freeze).
    pub stalled_blocks: u64,
    /// Node blocks so far in which the current program's patterns (or its `midi:` statements')
    /// were cut at the per-block query budget (`dsp::QUERY_BUDGET`): a runaway pattern.
    pub cut_queries: u64,
}

const COMMANDS: usize = 64;
const RETIRED: usize = 16;
const REPORTS: usize = 4096;

/// The audio side: call [`Engine::process`] once per block from the audio thread.
pub struct Engine {
    pool: Pool,
    clock: BlockClock,
    /// The values controllers set by name; the engine publishes its tempo there.
    named: Arc<dsp::named::NamedValues>,
    /// Where the tempo goes (`_cps`), when the table had room for it.
    cps_slot: Option<usize>,
    /// Where the cycle playing goes (`_cycle`).
    cycle_slot: Option<usize>,
    current: Option<Box<Program>>,
    fading: Option<(Box<Program>, Crossfade)>,
    /// A program received while a crossfade was still running.
    next: Option<Box<Program>>,
    /// A replaced program the retire mailbox had no room for yet.
    retiring: Option<Box<Program>>,
    commands: HeapCons<Command>,
    retired: HeapProd<Box<Program>>,
    reports: HeapProd<BlockReport>,
    master: Master,
    /// Main left/right, then a pair per named output.
    mix: MixBus,
    /// The same for the program fading out.
    old_mix: MixBus,
    /// Channels of `mix` the last block wrote: the main pair and the pairs programs use.
    mixed: usize,
    max_block: usize,
    sample_rate: u32,
    crossfade_frames: usize,
    clamps: u64,
    lost_reports: u64,
    /// The tempo and position follow an outside clock (see [`Engine::follow`]).
    followed: bool,
    /// With `midi_out`: the MIDI the `midi:` statements play, with the arena their queries use.
    midi: Option<(dsp::midi_out::MidiOut, bumpalo::Bump)>,
    /// Queries of `midi:` statements cut at the budget.
    midi_cut: u64,
}

/// The control side: builds programs from graphs and sends them, collects what the audio side
/// hands back. Drop retired programs by calling [`Controller::collect`] regularly.
pub struct Controller {
    commands: HeapProd<Command>,
    retired: HeapCons<Box<Program>>,
    reports: HeapCons<BlockReport>,
    bank: Arc<SampleBank>,
    config: ProgramConfig,
    /// Pairs the engine writes besides the main one.
    pairs: usize,
    /// The node meters of the program sent last.
    meters: Option<Arc<NodeMeters>>,
    generation: u64,
    last: Option<Signature>,
    /// The outputs muted by name, and the output names of the program sent last.
    muted: Vec<String>,
    last_outputs: Vec<String>,
}

/// Why a graph was not sent to the audio thread.
#[derive(Debug)]
pub enum LoadError {
    /// The graph cannot be run.
    Build(BuildError),
    /// The audio thread has not taken the previous programs yet (is it running?).
    Busy,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Build(e) => write!(f, "cannot run the patch: {e}"),
            LoadError::Busy => f.write_str("the audio thread is not taking new programs"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Makes an engine and its controller. Starts the worker pool; allocates everything the audio
/// path will need.
pub fn engine(
    config: EngineConfig,
    bank: Arc<SampleBank>,
) -> std::io::Result<(Engine, Controller)> {
    let hook = config.on_thread_start.clone();
    let pool = Pool::new(PoolConfig {
        workers: config.workers.max(1),
        pin_cores: config.pin_cores,
        cpus: config.cpus.clone(),
        arena_bytes: 4 << 20,
        thread_name: "phonon-dsp".into(),
        on_thread_start: Some(Arc::new(move |worker| {
            dsp::flush_denormals();
            if let Some(hook) = &hook {
                hook(worker);
            }
        })),
        ..PoolConfig::default()
    })?;
    let max_block = config.max_block.clamp(1, 1 << 16);
    let (command_tx, command_rx) = HeapRb::new(COMMANDS).split();
    let (retired_tx, retired_rx) = HeapRb::new(RETIRED).split();
    let (report_tx, report_rx) = HeapRb::new(REPORTS).split();
    let pairs = config.output_pairs.max(config.output_names.len());
    let channels = 2 + 2 * pairs;
    let named = dsp::named::NamedValues::shared();
    let cps_slot = named.slot(dsp::named::CPS);
    let cycle_slot = named.slot(dsp::named::CYCLE);
    let engine = Engine {
        pool,
        named: named.clone(),
        cps_slot,
        cycle_slot,
        clock: BlockClock::new(config.sample_rate, 0.5),
        current: None,
        fading: None,
        next: None,
        retiring: None,
        commands: command_rx,
        retired: retired_tx,
        reports: report_tx,
        master: Master::new(config.gain, config.sample_rate),
        mix: MixBus::new(channels, max_block),
        mixed: 2,
        old_mix: MixBus::new(channels, max_block),
        max_block,
        sample_rate: config.sample_rate,
        crossfade_frames: (CROSSFADE_SECONDS * config.sample_rate as f32).round() as usize,
        clamps: 0,
        lost_reports: 0,
        followed: false,
        midi: config.midi_out.then(|| {
            (
                dsp::midi_out::MidiOut::new(f64::from(config.sample_rate)),
                bumpalo::Bump::with_capacity(1 << 16),
            )
        }),
        midi_cut: 0,
    };
    let controller = Controller {
        commands: command_tx,
        retired: retired_rx,
        reports: report_rx,
        bank,
        config: ProgramConfig {
            sample_rate: config.sample_rate,
            max_block,
            sampler_voices: config.sampler_voices,
            output_names: config.output_names,
            meter_nodes: config.meter_nodes,
            named: named.clone(),
        },
        meters: None,
        pairs,
        generation: 0,
        last: None,
        muted: Vec::new(),
        last_outputs: Vec::new(),
    };
    Ok((engine, controller))
}

impl Controller {
    /// Sets the bank later programs play their samples from (samples loaded since the last).
    /// Programs already sent keep the bank they were built with.
    pub fn set_bank(&mut self, bank: Arc<SampleBank>) {
        self.bank = bank;
    }

    /// The node meters of the program sent last, indexed like its graph's nodes.
    pub fn meters(&self) -> Option<Arc<NodeMeters>> {
        self.meters.clone()
    }

    /// Which named output later programs write to each pair after the main one (an empty name
    /// leaves its pair silent); past the engine's `output_pairs` names are ignored.
    pub fn set_output_names(&mut self, names: Vec<String>) {
        self.config.output_names = names;
        self.config.output_names.truncate(self.pairs);
    }

    /// Builds a program from `graph` and sends it to the audio thread, which swaps it in at its
    /// next block boundary (after any crossfade in progress). Returns its generation.
    pub fn load(&mut self, graph: &Graph) -> Result<u64, LoadError> {
        self.collect();
        if self.commands.is_full() {
            return Err(LoadError::Busy);
        }
        let generation = self.generation + 1;
        let (mut program, signature) = Program::build(
            graph,
            graph::plan(graph),
            &self.bank,
            &self.config,
            generation,
            self.last.as_ref(),
        )
        .map_err(LoadError::Build)?;
        let meters = program.meters();
        let outputs: Vec<String> = graph.outputs.iter().map(|o| o.name.clone()).collect();
        program.start_muted(mask_of(&outputs, &self.muted));
        self.send(Command::Load(Box::new(program)))
            .map_err(|_| LoadError::Busy)?;
        self.generation = generation;
        self.last = Some(signature);
        self.meters = Some(meters);
        self.last_outputs = outputs;
        Ok(generation)
    }

    /// Mutes the outputs called `names` (of this program and later ones) and unmutes the
    /// others; each glides over 10 ms. False if the audio thread is not taking commands.
    pub fn set_muted(&mut self, names: &[String]) -> bool {
        self.muted = names.to_vec();
        let mask = mask_of(&self.last_outputs, &self.muted);
        self.send(Command::Mute {
            generation: self.generation,
            mask,
        })
        .is_ok()
    }

    /// The output names of the program sent last.
    pub fn output_names(&self) -> &[String] {
        &self.last_outputs
    }

    /// The values controllers set by name (`/set cutoff 800`), which the patches' `ctrl`
    /// nodes read.
    pub fn named(&self) -> &dsp::named::NamedValues {
        &self.config.named
    }

    /// Moves the master gain to `gain`.
    pub fn set_gain(&mut self, gain: f32) -> bool {
        self.send(Command::Gain(gain)).is_ok()
    }

    /// Changes the tempo; the cycle position continues.
    pub fn set_cps(&mut self, cps: f64) -> bool {
        self.send(Command::Cps(cps)).is_ok()
    }

    /// Fades the output to silence over `duration`.
    pub fn fade_out(&mut self, duration: Duration) -> bool {
        let frames = (duration.as_secs_f64() * f64::from(self.config.sample_rate)) as usize;
        self.send(Command::FadeOut(frames)).is_ok()
    }

    /// Undoes a fade-out at once.
    pub fn fade_in(&mut self) -> bool {
        self.send(Command::FadeIn).is_ok()
    }

    fn send(&mut self, command: Command) -> Result<(), Command> {
        self.commands.try_push(command)
    }

    /// Drops the programs the audio thread has retired; returns how many.
    pub fn collect(&mut self) -> usize {
        let mut n = 0;
        while let Some(program) = self.retired.try_pop() {
            drop(program);
            n += 1;
        }
        n
    }

    /// The block reports received since the last call, oldest first.
    pub fn reports(&mut self) -> impl Iterator<Item = BlockReport> + '_ {
        std::iter::from_fn(move || self.reports.try_pop())
    }

    /// The generation of the last program sent, 0 if none.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How programs are built.
    pub fn program_config(&self) -> &ProgramConfig {
        &self.config
    }

    /// The sample bank programs play from.
    pub fn bank(&self) -> &Arc<SampleBank> {
        &self.bank
    }
}

impl Engine {
    /// Renders one block of `frames` frames: drains the mailbox, swaps in a new program at this
    /// boundary if one is waiting, runs the plan on the pool with the calling thread as worker
    /// 0, and writes the main stereo mix to `outputs[0]` and `outputs[1]` and, in multi-out
    /// mode, each named output's pair after them. `inputs` are the engine's input channels, read
    /// by `in N`. Allocates nothing, takes no lock and makes no blocking call.
    pub fn process(&mut self, frames: usize, inputs: &[&[f32]], outputs: &mut [&mut [f32]]) {
        let started = Instant::now();
        dsp::flush_denormals();
        let first_frame = self.clock.frame();
        self.drain();
        if self.master.going_silent() {
            if let Some((midi, _)) = self.midi.as_mut() {
                midi.all_off(0);
            }
        }
        let mut done = 0;
        while done < frames {
            let n = (frames - done).min(self.max_block);
            self.swap_if_ready();
            self.render(n, done, inputs);
            for (k, out) in outputs.iter_mut().enumerate() {
                let end = (done + n).min(out.len());
                if done >= end {
                    continue;
                }
                if k < self.mixed && !self.mix.is_silent(k, end - done) {
                    out[done..end].copy_from_slice(&self.mix.channel(k)[..end - done]);
                } else {
                    out[done..end].fill(0.0);
                }
            }
            self.clock.advance(n);
            done += n;
        }
        self.report(first_frame, frames, started.elapsed());
    }

    /// A block while the transport is stopped: takes in new programs, writes silence and holds
    /// the cycle position.
    pub fn process_stopped(&mut self, frames: usize, outputs: &mut [&mut [f32]]) {
        let started = Instant::now();
        self.drain();
        self.swap_if_ready();
        if let Some((midi, _)) = self.midi.as_mut() {
            midi.all_off(0);
        }
        for out in outputs.iter_mut() {
            let n = frames.min(out.len());
            out[..n].fill(0.0);
        }
        self.report(self.clock.frame(), frames, started.elapsed());
    }

    fn drain(&mut self) {
        if let Some(program) = self.retiring.take() {
            if let Err(program) = self.retired.try_push(program) {
                self.retiring = Some(program);
            }
        }
        while self.next.is_none() {
            match self.commands.try_pop() {
                Some(Command::Load(program)) => self.next = Some(program),
                Some(Command::Gain(g)) => self.master.set_gain(g),
                Some(Command::Cps(cps)) if !self.followed => self.clock.set_cps(cps),
                Some(Command::Cps(_)) => {}
                Some(Command::FadeOut(frames)) => self.master.fade_out(frames),
                Some(Command::FadeIn) => self.master.fade_in(),
                Some(Command::Mute { generation, mask }) => {
                    if let Some(current) = self
                        .current
                        .as_deref_mut()
                        .filter(|p| p.generation() == generation)
                    {
                        current.set_muted(mask);
                    }
                }
                None => break,
            }
        }
    }

    /// Follows an outside clock (a JACK timebase master): the next block starts at cycle
    /// `cycle`, at `cps` cycles per second, whatever the patch's tempo says. The tempo is
    /// taken at once; the position only when it is half a frame or more from where the
    /// engine's own clock is, so that consecutive blocks stay contiguous (no event doubled or
    /// lost) while the two agree. Call before `process`; allocates nothing.
    pub fn follow(&mut self, cycle: f64, cps: f64) {
        if !(cycle.is_finite() && cps.is_finite() && cps > 0.0) {
            return;
        }
        self.followed = true;
        self.clock.set_cps(cps);
        let apart = (cycle - self.clock.cycle().to_f64()) * f64::from(self.sample_rate)
            / self.clock.cps().to_f64();
        if apart.abs() >= 0.5 {
            self.clock.locate(cycle);
        }
    }

    /// Back to the patch's own tempo after [`Engine::follow`] (the outside clock went away);
    /// the position carries on from where it is.
    pub fn unfollow(&mut self) {
        if std::mem::take(&mut self.followed) {
            if let Some(program) = &self.current {
                self.clock.set_cps(program.cps());
            }
        }
    }

    /// Swaps in the waiting program, unless a crossfade is still running or the previous
    /// program has not been handed back yet.
    fn swap_if_ready(&mut self) {
        if self.fading.is_some() || self.retiring.is_some() {
            return;
        }
        let Some(mut program) = self.next.take() else {
            return;
        };
        if program.sample_rate() != self.sample_rate || program.max_block() < self.max_block {
            // Built for another configuration: refuse it rather than run it wrongly.
            self.retiring = Some(program);
            return;
        }
        if !self.followed {
            self.clock.set_cps(program.cps());
        }
        if let Some(mut old) = self.current.take() {
            program.take_over(&mut old);
            self.fading = Some((old, Crossfade::new(self.crossfade_frames)));
        }
        self.current = Some(program);
        // Another graph: which helpers shorten its blocks is measured again.
        self.pool.restaff();
    }

    /// Renders `n` frames into the mix buffers.
    fn render(&mut self, n: usize, offset: usize, inputs: &[&[f32]]) {
        // Only the pairs the programs write are mixed and mastered: the rest of the engine's
        // pairs (room for outputs later edits add) are silent and cost nothing.
        let pairs = [
            self.current.as_deref(),
            self.fading.as_ref().map(|(old, _)| &**old),
        ]
        .into_iter()
        .flatten()
        .map(|p| p.body.pairs_used())
        .max()
        .unwrap_or(0);
        self.mixed = (2 + 2 * pairs).min(self.mix.len());
        let mixed = self.mixed;
        self.mix.clear(mixed, n);
        let span = self.clock.span(n);
        if let Some(slot) = self.cps_slot {
            self.named.store(slot, self.clock.cps().to_f64() as f32);
        }
        if let Some(slot) = self.cycle_slot {
            self.named.store(slot, span.begin.to_f64() as f32);
        }
        let sub_inputs = |k: usize| inputs.get(k).map_or(&[][..], |b| sub(b, offset, n));
        let mut live: [&[f32]; 16] = [&[]; 16];
        for (k, slot) in live.iter_mut().enumerate() {
            *slot = sub_inputs(k);
        }
        let live = &live[..inputs.len().min(16)];
        let Some(current) = self.current.as_deref_mut() else {
            self.clamps += self.mix.master(&mut self.master, mixed, n) as u64;
            return;
        };
        // Half a block: past it the caller stops waiting for helpers' unstarted jobs, live or
        // offline, so a helper starved of its CPU (by another process's real-time thread, say)
        // delays a block by the job it started at most, never by its whole range.
        let take_back = Duration::from_secs_f64(n as f64 * 0.5 / f64::from(self.sample_rate));
        self.pool.set_take_back(Some(take_back));
        self.pool
            .set_block_length(Some(take_back.saturating_mul(2)));
        if let Some((midi, arena)) = self.midi.as_mut().filter(|_| !self.master.going_silent()) {
            arena.reset();
            for pattern in current.midi() {
                midi.play_pattern(pattern, span, offset as u32, n, arena, &mut self.midi_cut);
            }
        }
        current.begin_block();
        run(&mut self.pool, current, span, n, live, None);
        mix_outputs(current, &mut self.mix, mixed, n);
        if let Some((old, fade)) = self.fading.as_mut() {
            run(&mut self.pool, old, span, n, live, Some(current));
            self.old_mix.clear(mixed, n);
            mix_outputs(old, &mut self.old_mix, mixed, n);
            let (old_mix, mix) = (&self.old_mix, &self.mix);
            fade.measure(
                [&old_mix.channel(0)[..n], &old_mix.channel(1)[..n]],
                [&mix.channel(0)[..n], &mix.channel(1)[..n]],
            );
            let old_mix = &self.old_mix;
            for (c, new) in self.mix.write_all(mixed).iter_mut().enumerate() {
                fade.blend(&old_mix.channel(c)[..n], &mut new[..n]);
            }
            fade.advance(n);
            if fade.done() {
                let (old, _) = self.fading.take().expect("fading");
                if let Err(old) = self.retired.try_push(old) {
                    self.retiring = Some(old);
                }
            }
        }
        self.clamps += self.mix.master(&mut self.master, mixed, n) as u64;
    }

    fn report(&mut self, frame: u64, frames: usize, elapsed: Duration) {
        let stats = self.pool.stats();
        let (generation, (dsp::VoiceCount { sounding, stolen }, cut_queries)) =
            match self.current.as_deref_mut() {
                Some(p) => (p.generation(), p.body.voices()),
                None => (0, (dsp::VoiceCount::default(), 0)),
            };
        let report = BlockReport {
            generation,
            frame,
            cycle: self.clock.cycle().to_f64(),
            cps: self.clock.cps().to_f64(),
            frames: frames as u32,
            elapsed,
            voices: sounding as u32,
            steals: stolen,
            clamps: self.clamps,
            arena_growths: stats.arena_growths,
            panics: stats.job_panics,
            lost_reports: self.lost_reports,
            helper_join: self.pool.last_join(),
            helper_wakes: stats.helper_wakes,
            taken_back: stats.taken_back,
            stalled_blocks: stats.stalled_blocks,
            helpers: stats.active_helpers as u32,
            cut_queries: cut_queries + self.midi_cut,
        };
        if self.reports.try_push(report).is_err() {
            self.lost_reports += 1;
        }
    }

    /// The cycle position of the next block.
    pub fn cycle(&self) -> pattern::Time {
        self.clock.cycle()
    }

    /// The tempo of the next block, in cycles per second.
    pub fn cps(&self) -> f64 {
        self.clock.cps().to_f64()
    }

    /// Frames rendered so far.
    pub fn frame(&self) -> u64 {
        self.clock.frame()
    }

    /// With [`EngineConfig::midi_out`]: the MIDI port's messages. Play other events into it
    /// (`phonon dirt`'s MIDI target) before [`Engine::process`] unless
    /// [`Engine::midi_silenced`], and [`take`](dsp::midi_out::MidiOut::take) the period's
    /// messages after it; a stopped transport, a hush or a fade-out ends every note.
    pub fn midi_out(&mut self) -> Option<&mut dsp::midi_out::MidiOut> {
        self.midi.as_mut().map(|(midi, _)| midi)
    }

    /// Hushed or fading out: no new MIDI notes.
    pub fn midi_silenced(&self) -> bool {
        self.master.going_silent()
    }

    /// The generation of the program playing, 0 if none.
    pub fn generation(&self) -> u64 {
        self.current.as_ref().map_or(0, |p| p.generation())
    }

    /// True while a swap's crossfade is running or a program waits to be swapped in.
    pub fn swapping(&self) -> bool {
        self.fading.is_some() || self.next.is_some()
    }

    /// True once a fade-out has reached silence.
    pub fn faded_out(&self) -> bool {
        self.master.silent()
    }

    /// Output samples clamped so far.
    pub fn clamps(&self) -> u64 {
        self.clamps
    }

    /// Workers including the audio thread.
    pub fn workers(&self) -> usize {
        self.pool.workers()
    }

    /// The CPU kept for the audio thread when helpers are pinned: the audio thread should run
    /// there, so that no helper shares its CPU while there are CPUs to spare.
    pub fn caller_cpu(&self) -> Option<usize> {
        self.pool.caller_cpu()
    }

    /// The helper threads: their kernel ids and CPUs, for a log line.
    pub fn helpers(&self) -> Vec<HelperThread> {
        self.pool.helpers()
    }

    /// Tells the helpers when the next block is due. A caller that runs once per audio period
    /// (a JACK callback) calls this at the end of each block, so helpers sleep until just
    /// before the next one instead of being woken at its start; offline rendering never does.
    /// Either way each block is bounded: past half of its length the caller takes back the jobs
    /// helpers have not started (see [`scheduler::Pool::set_take_back`]).
    pub fn expect_next_block(&mut self, at: Option<Instant>) {
        self.pool.expect_next_block(at);
    }

    /// The sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }
}

fn sub(buffer: &[f32], offset: usize, n: usize) -> &[f32] {
    let end = (offset + n).min(buffer.len());
    &buffer[offset.min(end)..end]
}

/// Runs one block of `program` on the pool.
fn run(
    pool: &mut Pool,
    program: &mut Program,
    span: pattern::Span,
    frames: usize,
    inputs: &[&[f32]],
    successor: Option<&Program>,
) {
    let block = BlockInfo {
        span,
        frames,
        inputs,
        successor: successor.map(|p| p.body.outputs()),
    };
    let Program { stages, body } = program;
    // A panicking node is counted by the pool; the block still completes.
    let _ = body.run(pool, stages, &block);
}

/// The bits of the outputs among `outputs` that `muted` names.
fn mask_of(outputs: &[String], muted: &[String]) -> u64 {
    outputs
        .iter()
        .enumerate()
        .take(64)
        .filter(|(_, name)| muted.contains(name))
        .fold(0, |mask, (k, _)| mask | 1 << k)
}

/// An output's gain at frame `i` of a block that starts at `from` and glides to `to` by
/// `step` a frame.
#[inline]
fn glide(from: f32, to: f32, step: f32, i: usize) -> f32 {
    let moved = step * (i + 1) as f32;
    if to > from {
        (from + moved).min(to)
    } else {
        (from - moved).max(to)
    }
}

/// Adds `x`, at the gains gliding from `from` to `to`, to `y` (or copies it, with `copy`).
fn add_at_level(y: &mut [f32], x: &[f32], (from, to): (f32, f32), step: f32, copy: bool) {
    match (from == to, to, copy) {
        (true, 1.0, false) => y.iter_mut().zip(x).for_each(|(y, x)| *y += x),
        (true, 1.0, true) => y.copy_from_slice(x),
        (true, 0.0, false) => {}
        (true, 0.0, true) => y.fill(0.0),
        (_, _, copy) => {
            for (i, (y, x)) in y.iter_mut().zip(x).enumerate() {
                let v = x * glide(from, to, step, i);
                *y = if copy { v } else { *y + v };
            }
        }
    }
}

/// Sums a program's outputs into the main pair and copies each named output to its pair, each
/// at its level (muted outputs glide to silence), over the first `count` channels of `mix`,
/// cleared for the block. A silent output leaves its channels as they are.
fn mix_outputs(program: &mut Program, mix: &mut MixBus, count: usize, n: usize) {
    let step = 1.0 / program.body.mute_frames().max(1.0);
    for pair in 0..(count - 2) / 2 {
        let (left, right) = (2 + 2 * pair, 3 + 2 * pair);
        if let Some(k) = program.body.pair_output(pair) {
            if !program.body.output_is_silent(k) {
                let out = program.body.output(k);
                let levels = program.body.output_level(k);
                for (c, x) in [(left, out.left), (right, out.right)] {
                    add_at_level(&mut mix.write(c)[..n], &x[..n], levels, step, true);
                }
            }
        }
    }
    for k in 0..program.body.output_count() {
        let levels = program.body.output_level(k);
        if !program.body.output_is_silent(k) {
            let out = program.body.output(k);
            add_at_level(&mut mix.write(0)[..n], &out.left[..n], levels, step, false);
            add_at_level(&mut mix.write(1)[..n], &out.right[..n], levels, step, false);
        }
        let end = glide(levels.0, levels.1, step, n.saturating_sub(1));
        program
            .body
            .set_output_level(k, if n == 0 { levels.0 } else { end });
    }
}
