//! A `Program`: a compiled graph made runnable. Every node owns its processor and its output
//! buffers; job `i` of the plan runs node `i`, reading the buffers of nodes in earlier stages
//! (and, for a feedback read, the last block's of a later one) through the scheduler's
//! [`Pool::run_slots`](scheduler::Pool::run_slots), so nothing here needs `unsafe`. Everything
//! is allocated here, on the control thread; running a block allocates nothing.

use crate::meter::NodeMeters;
use crate::mix::Stereo;
use bumpalo::Bump;
use dsp::samples::bank::SampleBank;
use dsp::{Carry, Context, In, KindKey, Node, Setup, VoiceCount};
use graph::ir::Identity;
use graph::{Graph, GraphNodeKind, Input, Plan};
use pattern::Span;
use scheduler::{Slots, Stages};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// The most inputs a node may have (parameters plus a bound engine input).
pub const MAX_INPUTS: usize = 16;

/// How a program is built.
#[derive(Clone, Debug)]
pub struct ProgramConfig {
    /// Samples per second.
    pub sample_rate: u32,
    /// The longest block it will be asked to run.
    pub max_block: usize,
    /// Voices per sampler.
    pub sampler_voices: usize,
    /// Named outputs that get their own stereo pair (multi-out), in order; empty for the main
    /// mix only.
    pub output_names: Vec<String>,
    /// Time each node's blocks (see [`crate::meter`]).
    pub meter_nodes: bool,
    /// The values controllers set by name, read by the patch's `ctrl` nodes.
    pub named: Arc<dsp::named::NamedValues>,
}

/// Why a graph could not be made runnable.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildError(pub String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// A node's identity, kind and width: nodes of two versions of a patch with equal keys are the
/// same node, and the newer takes over the older's state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeKey {
    identity: Identity,
    /// `None` for a feedback read.
    kind: Option<KindKey>,
    channels: usize,
}

/// What the control thread remembers of a program it sent, to match the next one against.
#[derive(Clone, Debug, Default)]
pub struct Signature {
    generation: u64,
    keys: Vec<NodeKey>,
}

#[derive(Clone, Copy)]
enum Source {
    Const(f32),
    Node(u32),
    /// The engine's input channel, counted from 0.
    Live(usize),
}

enum Processor {
    Node(Box<dyn Node>),
    /// Copies the previous block of a node that runs in a later stage.
    Feedback(u32),
}

impl Processor {
    fn carry_from(&mut self, old: &mut Processor) {
        if let (Processor::Node(new), Processor::Node(old)) = (self, old) {
            // Equal keys make equal types; the check keeps a wrong key from swapping strangers.
            let same_type = (**new).type_id() == (**old).type_id();
            if new.carry_from(&mut **old) == Carry::Whole && same_type {
                std::mem::swap(new, old);
            }
        }
    }
}

/// What a node's job changes: its processor and what it mirrors.
pub(crate) struct NodeState {
    processor: Processor,
    /// While this (older) program fades out: the node of the newer program that took over this
    /// node's state, whose output this node copies instead of processing.
    mirror: Option<u32>,
}

/// A node's output: a buffer per channel (the right one empty for a mono node).
pub(crate) struct Buffers([Box<[f32]>; 2]);

impl Buffers {
    /// Both channels; a mono node's one channel stands for both.
    fn stereo(&self) -> Stereo<'_> {
        let left = &self.0[0][..];
        let right = if self.0[1].is_empty() {
            left
        } else {
            &self.0[1][..]
        };
        Stereo { left, right }
    }

    /// As a node's input, `frames` long.
    fn input(&self, frames: usize) -> In<'_> {
        if self.0[1].is_empty() {
            In::Mono(&self.0[0][..frames])
        } else {
            In::Stereo(&self.0[0][..frames], &self.0[1][..frames])
        }
    }
}

/// How a node is wired: what feeds its inputs. Read by every job, written by none.
struct Wiring {
    inputs: Box<[Source]>,
    channels: usize,
}

/// What every job of one block shares.
pub(crate) struct BlockInfo<'a> {
    pub span: Span,
    pub frames: usize,
    pub inputs: &'a [&'a [f32]],
    /// The outputs of the newer program, while this one fades out.
    pub successor: Option<&'a [Buffers]>,
}

/// A runnable graph: its stages and its nodes.
pub struct Program {
    pub(crate) stages: Stages,
    pub(crate) body: Body,
}

/// How long muting or unmuting an output takes, in seconds.
const MUTE_SECONDS: f32 = 0.01;

/// True if `mask` mutes output `k`.
fn muted(mask: u64, k: usize) -> bool {
    k < 64 && mask & (1 << k) != 0
}

/// A program's nodes: their wiring, their states and their outputs.
pub(crate) struct Body {
    generation: u64,
    predecessor: Option<u64>,
    wiring: Box<[Wiring]>,
    states: Box<[NodeState]>,
    buffers: Box<[Buffers]>,
    /// The old node each node takes its state from, when swapped in after `predecessor`.
    carry: Box<[(u32, u32)]>,
    /// The node of each output of the patch.
    outputs: Box<[u32]>,
    /// The patch output (index into `outputs`) for each multi-out pair.
    pairs: Box<[Option<usize>]>,
    /// Bit `k` set: output `k` is muted (outputs past 64 cannot be).
    muted: u64,
    /// Each output's level now, gliding to 0 when muted and back to 1 (no click).
    levels: Box<[f32]>,
    cps: f64,
    sample_rate: u32,
    max_block: usize,
    meters: Arc<NodeMeters>,
    /// The patterns of its `midi:` statements.
    midi: Box<[pattern::Pattern<pattern::Sound>]>,
}

impl Program {
    /// Tells its meters a block begins (the audio thread, before running the stages).
    pub(crate) fn begin_block(&self) {
        self.body.meters.begin_block();
    }

    /// Its node meters, shared with whoever reads them.
    pub fn meters(&self) -> Arc<NodeMeters> {
        self.body.meters.clone()
    }

    /// Makes `graph` runnable. `previous` is the signature of the program this one will replace,
    /// to carry over the state of nodes that survive the edit. Allocates; call on the control
    /// thread.
    pub fn build(
        graph: &Graph,
        plan: Plan,
        bank: &Arc<SampleBank>,
        config: &ProgramConfig,
        generation: u64,
        previous: Option<&Signature>,
    ) -> Result<(Program, Signature), BuildError> {
        let mut level = vec![0usize; graph.nodes.len()];
        for (k, ids) in plan.levels.iter().enumerate() {
            for id in ids {
                level[id.index()] = k;
            }
        }
        let (mut wiring, mut states, mut buffers) = (Vec::new(), Vec::new(), Vec::new());
        let mut keys = Vec::with_capacity(graph.nodes.len());
        for (i, node) in graph.nodes.iter().enumerate() {
            let (w, state, output) = node_slot(i, node, &level, bank, config)?;
            wiring.push(w);
            states.push(state);
            buffers.push(output);
            keys.push(NodeKey {
                identity: node.identity.clone(),
                kind: match &node.kind {
                    GraphNodeKind::Dsp(kind) => Some(kind.key()),
                    GraphNodeKind::Feedback { .. } => None,
                },
                channels: usize::from(node.channels).clamp(1, 2),
            });
        }
        let carry = previous.map_or_else(Vec::new, |previous| carried(previous, &keys));
        let outputs: Vec<u32> = graph.outputs.iter().map(|o| o.node.0).collect();
        let pairs = config
            .output_names
            .iter()
            .map(|name| graph.outputs.iter().position(|o| &o.name == name))
            .collect();
        let levels = vec![1.0; outputs.len()].into_boxed_slice();
        let body = Body {
            generation,
            predecessor: previous.map(|p| p.generation),
            wiring: wiring.into_boxed_slice(),
            states: states.into_boxed_slice(),
            buffers: buffers.into_boxed_slice(),
            carry: carry.into_boxed_slice(),
            outputs: outputs.into_boxed_slice(),
            pairs,
            muted: 0,
            levels,
            cps: graph.cps,
            sample_rate: config.sample_rate,
            max_block: config.max_block,
            meters: Arc::new(NodeMeters::new(graph.nodes.len(), config.meter_nodes)),
            midi: graph.midi.iter().map(|m| m.pattern.clone()).collect(),
        };
        let program = Program {
            stages: plan.stages,
            body,
        };
        Ok((program, Signature { generation, keys }))
    }

    /// The patterns its `midi:` statements play.
    pub fn midi(&self) -> &[pattern::Pattern<pattern::Sound>] {
        &self.body.midi
    }

    /// Its generation number, counted by the controller.
    pub fn generation(&self) -> u64 {
        self.body.generation
    }

    /// Mutes the outputs whose bits `mask` sets and unmutes the others, gliding over 10 ms.
    /// Real-time safe.
    pub(crate) fn set_muted(&mut self, mask: u64) {
        self.body.muted = mask;
    }

    /// Starts with the outputs `mask` sets already silent (a program built while they are
    /// muted).
    pub(crate) fn start_muted(&mut self, mask: u64) {
        self.body.muted = mask;
        for (k, level) in self.body.levels.iter_mut().enumerate() {
            *level = if muted(mask, k) { 0.0 } else { 1.0 };
        }
    }

    /// The tempo the patch asks for, in cycles per second.
    pub fn cps(&self) -> f64 {
        self.body.cps
    }

    /// The sample rate it was built for.
    pub fn sample_rate(&self) -> u32 {
        self.body.sample_rate
    }

    /// The longest block it can run.
    pub fn max_block(&self) -> usize {
        self.body.max_block
    }

    /// Nodes in the program.
    pub fn len(&self) -> usize {
        self.body.states.len()
    }

    /// True if it has no nodes.
    pub fn is_empty(&self) -> bool {
        self.body.states.is_empty()
    }

    /// Takes over the state of the nodes `old` shares with this program (when `old` is the
    /// program this one was built to replace). `old` keeps running while it fades out: its
    /// nodes that were taken over copy this program's output instead. Allocates nothing.
    pub(crate) fn take_over(&mut self, old: &mut Program) {
        self.body.take_over(&mut old.body);
    }
}

impl Body {
    fn take_over(&mut self, old: &mut Body) {
        if self.predecessor != Some(old.generation) {
            return;
        }
        for &(new, previous) in self.carry.iter() {
            let (new, previous) = (new as usize, previous as usize);
            let (mine, theirs) = (&mut self.states[new], &mut old.states[previous]);
            mine.processor.carry_from(&mut theirs.processor);
            if self.wiring[new].channels == old.wiring[previous].channels {
                std::mem::swap(&mut self.buffers[new], &mut old.buffers[previous]);
            }
            theirs.mirror = Some(new as u32);
        }
    }

    /// Runs every node of one block on `pool`, each as its job.
    pub(crate) fn run(
        &mut self,
        pool: &mut scheduler::Pool,
        stages: &mut Stages,
        block: &BlockInfo<'_>,
    ) -> Result<(), scheduler::JobPanicked> {
        let Body {
            wiring,
            states,
            buffers,
            meters,
            sample_rate,
            max_block,
            ..
        } = self;
        let run = NodeRun {
            wiring,
            sample_rate: *sample_rate as f32,
            max_block: *max_block,
            block,
        };
        pool.run_slots(stages, states, buffers, |i, state, out, others, ctx| {
            let started = meters.start();
            run.node(i, state, out, others, ctx.arena());
            meters.stop(i, started);
        })
    }

    /// Output `k` of the patch after a finished block.
    pub(crate) fn output(&self, k: usize) -> Stereo<'_> {
        self.buffers[self.outputs[k] as usize].stereo()
    }

    /// True when output `k`'s node says its last block was silence. A node a successor took
    /// over copies the successor's output instead, whatever it last said.
    pub(crate) fn output_is_silent(&self, k: usize) -> bool {
        let state = &self.states[self.outputs[k] as usize];
        match &state.processor {
            Processor::Node(node) => state.mirror.is_none() && node.is_silent(),
            Processor::Feedback(_) => false,
        }
    }

    /// Every node's output, for the program fading out beside this one.
    pub(crate) fn outputs(&self) -> &[Buffers] {
        &self.buffers
    }

    /// Outputs of the patch.
    pub(crate) fn output_count(&self) -> usize {
        self.outputs.len()
    }

    /// Pairs up to the last one this program writes an output to.
    pub(crate) fn pairs_used(&self) -> usize {
        self.pairs
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |k| k + 1)
    }

    /// The patch output for multi-out pair `k`, if the patch has it.
    pub(crate) fn pair_output(&self, k: usize) -> Option<usize> {
        self.pairs.get(k).copied().flatten()
    }

    /// Output `k`'s level at the start of the block and the level it glides to.
    pub(crate) fn output_level(&self, k: usize) -> (f32, f32) {
        let target = if muted(self.muted, k) { 0.0 } else { 1.0 };
        (self.levels[k], target)
    }

    /// Sets output `k`'s level at the end of the block.
    pub(crate) fn set_output_level(&mut self, k: usize, level: f32) {
        self.levels[k] = level;
    }

    /// Frames a mute or unmute takes.
    pub(crate) fn mute_frames(&self) -> f32 {
        MUTE_SECONDS * self.sample_rate as f32
    }

    /// Voices sounding and voices stolen so far over every sampler and synth, and pattern events
    /// dropped so far past the query budget.
    pub(crate) fn voices(&mut self) -> (VoiceCount, u64) {
        let mut total = VoiceCount::default();
        let mut dropped = 0;
        for state in self.states.iter() {
            if let Processor::Node(node) = &state.processor {
                if let Some(v) = node.voices() {
                    total.sounding += v.sounding;
                    total.stolen += v.stolen;
                }
                dropped += node.queries_cut();
            }
        }
        (total, dropped)
    }
}

/// What every node's job of one block reads.
struct NodeRun<'a> {
    wiring: &'a [Wiring],
    sample_rate: f32,
    max_block: usize,
    block: &'a BlockInfo<'a>,
}

impl NodeRun<'_> {
    /// Runs node `i` for one block: its processor on its inputs (the outputs of earlier nodes,
    /// reached through `others`), or a copy of what its source or its successor wrote.
    fn node(
        &self,
        i: usize,
        state: &mut NodeState,
        out: &mut Buffers,
        others: &Slots<'_, Buffers>,
        arena: &Bump,
    ) {
        let block = self.block;
        let frames = block.frames.min(self.max_block);
        let [left, right] = &mut out.0;
        if let (Some(j), Some(successor)) = (state.mirror, block.successor) {
            // The successor finished its whole block before this program started.
            match successor.get(j as usize) {
                Some(source) => copy_channels(source.stereo(), left, right, frames),
                None => silence(left, right, frames),
            }
            return;
        }
        let right_len = frames.min(right.len());
        let (left, right) = (&mut left[..frames], &mut right[..right_len]);
        let wiring = &self.wiring[i];
        match &mut state.processor {
            Processor::Node(node) => {
                let mut inputs = [In::Const(0.0); MAX_INPUTS];
                for (k, source) in wiring.inputs.iter().enumerate() {
                    inputs[k] = match *source {
                        Source::Const(x) => In::Const(x),
                        // Inputs run in earlier stages: finished this block.
                        Source::Node(n) => others
                            .get(n as usize)
                            .map_or(In::Const(0.0), |b| b.input(frames)),
                        Source::Live(channel) => match block.inputs.get(channel) {
                            Some(buffer) if buffer.len() >= frames => In::Mono(&buffer[..frames]),
                            _ => In::Const(0.0),
                        },
                    };
                }
                let ctx = Context::new(self.sample_rate, frames, block.span, arena);
                let inputs = &inputs[..wiring.inputs.len()];
                if wiring.channels == 2 {
                    node.process(&ctx, inputs, &mut [left, right]);
                } else {
                    node.process(&ctx, inputs, &mut [left]);
                }
            }
            // The source runs in a later stage: its buffers still hold the previous block.
            Processor::Feedback(source) => match others.get(*source as usize) {
                Some(previous) => copy_channels(previous.stereo(), left, right, frames),
                None => silence(left, right, frames),
            },
        }
    }
}

fn silence(left: &mut [f32], right: &mut [f32], frames: usize) {
    for channel in [left, right] {
        let n = frames.min(channel.len());
        channel[..n].fill(0.0);
    }
}

fn copy_channels(source: Stereo<'_>, left: &mut [f32], right: &mut [f32], frames: usize) {
    let n = frames.min(source.left.len()).min(left.len());
    left[..n].copy_from_slice(&source.left[..n]);
    let end = frames.min(left.len());
    left[n..end].fill(0.0);
    if !right.is_empty() {
        let n = frames.min(source.right.len()).min(right.len());
        right[..n].copy_from_slice(&source.right[..n]);
        let end = frames.min(right.len());
        right[n..end].fill(0.0);
    }
}
/// The slot of graph node `i`: its processor made (allocating its state and buffers), its
/// inputs resolved. `level` is each node's stage, to check a feedback read's order.
fn node_slot(
    i: usize,
    node: &graph::GraphNode,
    level: &[usize],
    bank: &Arc<SampleBank>,
    config: &ProgramConfig,
) -> Result<(Wiring, NodeState, Buffers), BuildError> {
    let mut inputs: Vec<Source> = node
        .inputs
        .iter()
        .map(|(_, input)| match input {
            Input::Const(x) => Source::Const(*x as f32),
            Input::Node(id) => Source::Node(id.0),
        })
        .collect();
    let channels = usize::from(node.channels).clamp(1, 2);
    let processor = match &node.kind {
        GraphNodeKind::Dsp(kind) => {
            if kind.is(&dsp::live::LIVE_INPUT) {
                let channel = match inputs.first() {
                    Some(Source::Const(c)) => (c.max(1.0) as usize) - 1,
                    _ => 0,
                };
                inputs.push(Source::Live(channel));
            }
            let setup = Setup {
                sample_rate: config.sample_rate as f32,
                channels,
                bank: bank.clone(),
                sampler_voices: config.sampler_voices,
                named: config.named.clone(),
            };
            Processor::Node(kind.make(&setup))
        }
        GraphNodeKind::Feedback { source, .. } => {
            // The source overwrites its buffer only after this node has read it.
            if level[source.index()] <= level[i] {
                return Err(BuildError(format!(
                    "feedback node #{i} must run before its source #{}",
                    source.0
                )));
            }
            Processor::Feedback(source.0)
        }
    };
    if inputs.len() > MAX_INPUTS {
        return Err(BuildError(format!(
            "node #{i} has {} inputs; at most {MAX_INPUTS} are supported",
            inputs.len()
        )));
    }
    let buffer = || vec![0.0f32; config.max_block].into_boxed_slice();
    let buffers = Buffers([
        buffer(),
        if channels == 2 {
            buffer()
        } else {
            Box::new([])
        },
    ]);
    Ok((
        Wiring {
            inputs: inputs.into_boxed_slice(),
            channels,
        },
        NodeState {
            processor,
            mirror: None,
        },
        buffers,
    ))
}

/// Which new node takes over which node of the `previous` program: those with the same key.
fn carried(previous: &Signature, keys: &[NodeKey]) -> Vec<(u32, u32)> {
    let old: HashMap<&NodeKey, usize> = previous
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect();
    keys.iter()
        .enumerate()
        .filter_map(|(i, k)| old.get(k).map(|&o| (i as u32, o as u32)))
        .collect()
}
