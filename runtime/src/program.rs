//! A `Program`: a compiled graph made runnable. Every node owns its processor and its output
//! buffers; job `i` of the plan runs node `i`, reading the buffers of nodes in earlier stages.
//! Everything is allocated here, on the control thread; running a block allocates nothing.

use crate::meter::NodeMeters;
use crate::mix::Stereo;
use bumpalo::Bump;
use dsp::samples::bank::SampleBank;
use dsp::{Carry, Context, In, KindKey, Node, Setup, VoiceCount};
use graph::ir::Identity;
use graph::{Graph, GraphNodeKind, Input, Plan};
use pattern::Span;
use scheduler::Stages;
use std::cell::UnsafeCell;
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

struct NodeState {
    processor: Processor,
    buffers: [Box<[f32]>; 2],
    /// While this (older) program fades out: the node of the newer program that took over this
    /// node's state, whose output this node copies instead of processing.
    mirror: Option<u32>,
}

struct NodeSlot {
    inputs: Box<[Source]>,
    channels: usize,
    state: UnsafeCell<NodeState>,
}

/// What every job of one block shares.
pub(crate) struct BlockInfo<'a> {
    pub span: Span,
    pub frames: usize,
    pub inputs: &'a [&'a [f32]],
    /// The newer program, while this one fades out.
    pub successor: Option<&'a Body>,
}

/// A runnable graph: its stages and its nodes.
pub struct Program {
    pub(crate) stages: Stages,
    pub(crate) body: Body,
}

/// A program's nodes and wiring; what jobs read while the stages are run.
pub(crate) struct Body {
    generation: u64,
    predecessor: Option<u64>,
    nodes: Box<[NodeSlot]>,
    /// The old node each node takes its state from, when swapped in after `predecessor`.
    carry: Box<[(u32, u32)]>,
    /// The node of each output of the patch.
    outputs: Box<[u32]>,
    /// The patch output (index into `outputs`) for each multi-out pair.
    pairs: Box<[Option<usize>]>,
    cps: f64,
    sample_rate: u32,
    max_block: usize,
    meters: Arc<NodeMeters>,
}

// SAFETY: a node's state is reached through `UnsafeCell` only by the job that runs that node,
// and the buffers of other nodes only by jobs of later stages; the scheduler runs every job once
// per block and starts stage k+1 after stage k's writes are visible (AcqRel stage counters). The
// engine touches states directly only between blocks, from the thread that calls `Pool::run`.
unsafe impl Sync for Body {}

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
        let mut nodes = Vec::with_capacity(graph.nodes.len());
        let mut keys = Vec::with_capacity(graph.nodes.len());
        for (i, node) in graph.nodes.iter().enumerate() {
            nodes.push(node_slot(i, node, &level, bank, config)?);
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
        let body = Body {
            generation,
            predecessor: previous.map(|p| p.generation),
            nodes: nodes.into_boxed_slice(),
            carry: carry.into_boxed_slice(),
            outputs: outputs.into_boxed_slice(),
            pairs,
            cps: graph.cps,
            sample_rate: config.sample_rate,
            max_block: config.max_block,
            meters: Arc::new(NodeMeters::new(graph.nodes.len(), config.meter_nodes)),
        };
        let program = Program {
            stages: plan.stages,
            body,
        };
        Ok((program, Signature { generation, keys }))
    }

    /// Its generation number, counted by the controller.
    pub fn generation(&self) -> u64 {
        self.body.generation
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
        self.body.nodes.len()
    }

    /// True if it has no nodes.
    pub fn is_empty(&self) -> bool {
        self.body.nodes.is_empty()
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
            let mine = self.nodes[new as usize].state.get_mut();
            let theirs = old.nodes[previous as usize].state.get_mut();
            mine.processor.carry_from(&mut theirs.processor);
            if self.nodes[new as usize].channels == old.nodes[previous as usize].channels {
                std::mem::swap(&mut mine.buffers, &mut theirs.buffers);
            }
            theirs.mirror = Some(new);
        }
    }

    /// Runs node `i` for one block.
    ///
    /// # Safety
    /// Only as job `i` of this program's stages inside `Pool::run`: node `i`'s state must not be
    /// reached by anyone else meanwhile, and its inputs must have finished this block.
    pub(crate) unsafe fn run_node(&self, i: usize, block: &BlockInfo<'_>, arena: &Bump) {
        let started = self.meters.start();
        // SAFETY: as this function's own contract.
        unsafe { self.process_node(i, block, arena) };
        self.meters.stop(i, started);
    }

    /// Runs node `i` for one block; see `run_node`.
    ///
    /// # Safety
    /// As `run_node`.
    unsafe fn process_node(&self, i: usize, block: &BlockInfo<'_>, arena: &Bump) {
        let slot = &self.nodes[i];
        // SAFETY: the caller guarantees this job alone touches node `i`.
        let state = unsafe { &mut *slot.state.get() };
        let frames = block.frames.min(self.max_block);
        let [left, right] = &mut state.buffers;
        if let (Some(j), Some(successor)) = (state.mirror, block.successor) {
            // SAFETY: the successor finished its whole block before this program started.
            let source = unsafe { successor.buffers(j as usize) };
            copy_channels(source, left, right, frames);
            return;
        }
        let right_len = frames.min(right.len());
        let (left, right) = (&mut left[..frames], &mut right[..right_len]);
        match &mut state.processor {
            Processor::Node(node) => {
                let mut inputs = [In::Const(0.0); MAX_INPUTS];
                for (k, source) in slot.inputs.iter().enumerate() {
                    inputs[k] = match *source {
                        Source::Const(x) => In::Const(x),
                        // SAFETY: inputs run in earlier stages and have finished this block.
                        Source::Node(n) => unsafe { self.input(n as usize, frames) },
                        Source::Live(channel) => match block.inputs.get(channel) {
                            Some(buffer) if buffer.len() >= frames => In::Mono(&buffer[..frames]),
                            _ => In::Const(0.0),
                        },
                    };
                }
                let ctx = Context::new(self.sample_rate as f32, frames, block.span, arena);
                let inputs = &inputs[..slot.inputs.len()];
                if slot.channels == 2 {
                    node.process(&ctx, inputs, &mut [left, right]);
                } else {
                    node.process(&ctx, inputs, &mut [left]);
                }
            }
            Processor::Feedback(source) => {
                // SAFETY: the source runs in a later stage, so its buffers still hold the
                // previous block and nobody writes them until this stage has finished.
                let previous = unsafe { self.buffers(*source as usize) };
                copy_channels(previous, left, right, frames);
            }
        }
    }

    /// Node `n`'s output buffers.
    ///
    /// # Safety
    /// Nobody may be writing node `n` meanwhile.
    unsafe fn buffers(&self, n: usize) -> Stereo<'_> {
        // SAFETY: the caller guarantees no job is writing node `n`.
        let state = unsafe { &*self.nodes[n].state.get() };
        let left = &state.buffers[0][..];
        let right = if self.nodes[n].channels == 2 {
            &state.buffers[1][..]
        } else {
            left
        };
        Stereo { left, right }
    }

    /// Node `n`'s output as an input.
    ///
    /// # Safety
    /// As for [`Program::buffers`].
    unsafe fn input(&self, n: usize, frames: usize) -> In<'_> {
        // SAFETY: forwarded from the caller.
        let out = unsafe { self.buffers(n) };
        if self.nodes[n].channels == 2 {
            In::Stereo(&out.left[..frames], &out.right[..frames])
        } else {
            In::Mono(&out.left[..frames])
        }
    }

    /// Output `k` of the patch after a finished block.
    pub(crate) fn output(&mut self, k: usize) -> Stereo<'_> {
        let n = self.outputs[k] as usize;
        // SAFETY: between blocks, with `&mut self`, no job runs.
        unsafe { self.buffers(n) }
    }

    /// Outputs of the patch.
    pub(crate) fn output_count(&self) -> usize {
        self.outputs.len()
    }

    /// The patch output for multi-out pair `k`, if the patch has it.
    pub(crate) fn pair_output(&self, k: usize) -> Option<usize> {
        self.pairs.get(k).copied().flatten()
    }

    /// Voices sounding and voices stolen so far over every sampler and synth, and pattern events
    /// dropped so far past the query budget.
    pub(crate) fn voices(&mut self) -> (VoiceCount, u64) {
        let mut total = VoiceCount::default();
        let mut dropped = 0;
        for slot in self.nodes.iter_mut() {
            if let Processor::Node(node) = &slot.state.get_mut().processor {
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
) -> Result<NodeSlot, BuildError> {
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
            if let dsp::Kind::Input = kind {
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
    Ok(NodeSlot {
        inputs: inputs.into_boxed_slice(),
        channels,
        state: UnsafeCell::new(NodeState {
            processor,
            buffers: [
                buffer(),
                if channels == 2 {
                    buffer()
                } else {
                    Box::new([])
                },
            ],
            mirror: None,
        }),
    })
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
