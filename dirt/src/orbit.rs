//! An orbit: its voices, its cut groups, and its global delay and reverb fed by the voices'
//! sends, as SuperDirt's `DirtOrbit`. One orbit is one job of the scheduler per block.

use crate::event::DirtEvent;
use crate::param::Param;
use crate::sounds::SoundTable;
use crate::voice::Voice;
use bumpalo::Bump;
use dsp::effect::{make_delay, make_reverb};
use dsp::{Context, In, Node};
use pattern::{Span, Time};

/// Voices an orbit plays at once; past that the oldest is stolen.
pub const VOICES: usize = 64;
/// Events an orbit can start in one block.
pub const STARTS: usize = 256;
/// How long the delay and reverb keep running after their last send, in seconds.
const TAIL_SECONDS: f32 = 20.0;

/// A stereo bus of one block.
type Pair = [Box<[f32]>; 2];

fn buffers<const N: usize>(frames: usize) -> [Box<[f32]>; N] {
    std::array::from_fn(|_| vec![0.0; frames].into_boxed_slice())
}

/// One orbit.
pub(crate) struct Orbit {
    sample_rate: f32,
    voices: Box<[Voice]>,
    starts: Box<[(usize, DirtEvent)]>,
    starting: usize,
    work: [[Box<[f32]>; 2]; 3],
    dry: [Box<[f32]>; 2],
    to_delay: [Box<[f32]>; 2],
    to_room: [Box<[f32]>; 2],
    wet: [Box<[f32]>; 2],
    /// What the orbit plays this block.
    pub out: [Box<[f32]>; 2],
    delay: Box<dyn Node>,
    reverb: Box<dyn Node>,
    delay_time: f32,
    delay_feedback: f32,
    lock: bool,
    cps: f32,
    size: f32,
    dry_cut: f32,
    /// Frames the delay and reverb still run for.
    delay_tail: u64,
    room_tail: u64,
    started: u64,
    /// Voices stolen so far.
    pub steals: u64,
    /// Voices sounding after the last block.
    pub sounding: u32,
}

impl Orbit {
    /// An orbit for blocks of up to `max_block` frames. Allocates.
    pub fn new(sample_rate: u32, max_block: usize) -> Orbit {
        let sr = sample_rate as f32;
        Orbit {
            sample_rate: sr,
            voices: (0..VOICES).map(|_| Voice::default()).collect(),
            starts: vec![
                (
                    0,
                    DirtEvent {
                        at: None,
                        sample: 0,
                        orbit: 0,
                        values: Default::default()
                    }
                );
                STARTS
            ]
            .into_boxed_slice(),
            starting: 0,
            work: [buffers(max_block), buffers(max_block), buffers(max_block)],
            dry: buffers(max_block),
            to_delay: buffers(max_block),
            to_room: buffers(max_block),
            wet: buffers(max_block),
            out: buffers(max_block),
            delay: make_delay(sr, 2),
            reverb: make_reverb(sr, 2),
            delay_time: 0.25,
            delay_feedback: 0.5,
            lock: false,
            cps: 0.5625,
            size: 0.5,
            dry_cut: 0.0,
            delay_tail: 0,
            room_tail: 0,
            started: 0,
            steals: 0,
            sounding: 0,
        }
    }

    /// Queues `event` to start at frame `offset` of the coming block; false if the block's
    /// queue is full.
    pub fn queue(&mut self, offset: usize, event: DirtEvent) -> bool {
        if self.starting == self.starts.len() {
            return false;
        }
        self.starts[self.starting] = (offset, event);
        self.starting += 1;
        true
    }

    /// Takes an orbit-wide setting an event carries (SuperDirt sets them per event).
    fn settings(&mut self, event: &DirtEvent) {
        let v = &event.values;
        if let Some(t) = v.get(Param::Delaytime) {
            self.delay_time = t.max(0.0);
        }
        if let Some(f) = v.get(Param::Delayfeedback) {
            self.delay_feedback = f.clamp(0.0, 0.99);
        }
        if let Some(l) = v.get(Param::Lock) {
            self.lock = l != 0.0;
        }
        if let Some(c) = v.get(Param::Cps) {
            self.cps = c.max(1e-3);
        }
        if let Some(s) = v.get(Param::Size) {
            self.size = s.clamp(0.0, 1.0);
        }
        if let Some(d) = v.get(Param::Dry) {
            self.dry_cut = d.clamp(0.0, 1.0);
        }
    }

    /// Starts the queued events, renders every voice and the effects for `frames` frames
    /// into `out`.
    pub fn render(&mut self, sounds: &SoundTable, frames: usize, arena: &Bump) {
        for bus in [
            &mut self.dry,
            &mut self.to_delay,
            &mut self.to_room,
            &mut self.out,
        ] {
            for channel in bus.iter_mut() {
                channel[..frames].fill(0.0);
            }
        }
        // In time order, so that a later event cuts an earlier one of the same block: an
        // insertion sort, stable and in place (a block holds few starts).
        let starts = &mut self.starts[..self.starting];
        for k in 1..starts.len() {
            let mut j = k;
            while j > 0 && starts[j - 1].0 > starts[j].0 {
                starts.swap(j - 1, j);
                j -= 1;
            }
        }
        for k in 0..self.starting {
            let (offset, event) = self.starts[k];
            self.start(offset, &event, sounds);
        }
        self.starting = 0;
        let ctx = Context::new(
            self.sample_rate,
            frames,
            Span::new(Time::ZERO, Time::ZERO),
            arena,
        );
        let mut sounding = 0;
        for voice in self.voices.iter_mut().filter(|v| v.active) {
            if let Some(sample) = sounds.sample(voice.sample) {
                voice.render(
                    sample,
                    &ctx,
                    &mut self.work,
                    &mut self.dry,
                    &mut self.to_delay,
                    &mut self.to_room,
                );
            } else {
                voice.active = false;
            }
            sounding += u32::from(voice.active);
        }
        self.sounding = sounding;
        let dry_level = 1.0 - self.dry_cut;
        for c in 0..2 {
            for i in 0..frames {
                self.out[c][i] = self.dry[c][i] * dry_level;
            }
        }
        let tail = (TAIL_SECONDS * self.sample_rate) as u64;
        let delay_time = if self.lock {
            self.delay_time / self.cps
        } else {
            self.delay_time
        };
        let ctx = &ctx;
        run_effect(
            &mut *self.delay,
            &self.to_delay,
            &mut self.delay_tail,
            [delay_time, self.delay_feedback],
            (&mut self.wet, &mut self.out),
            ctx,
            tail,
        );
        run_effect(
            &mut *self.reverb,
            &self.to_room,
            &mut self.room_tail,
            [self.size, 0.5],
            (&mut self.wet, &mut self.out),
            ctx,
            tail,
        );
    }

    fn start(&mut self, offset: usize, event: &DirtEvent, sounds: &SoundTable) {
        self.settings(event);
        let Some(sample) = sounds.sample(event.sample) else {
            return;
        };
        let cut = event.values.or(Param::Cut, 0.0) as i32;
        if cut != 0 {
            for v in self.voices.iter_mut().filter(|v| v.active && v.cut == cut) {
                // A negative group cuts only the same sample.
                if cut > 0 || v.sample == event.sample {
                    v.cut_off(self.sample_rate);
                }
            }
        }
        let slot = match self.voices.iter().position(|v| !v.active) {
            Some(free) => free,
            None => {
                self.steals += 1;
                self.voices
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, v)| v.started)
                    .map_or(0, |(k, _)| k)
            }
        };
        self.started += 1;
        self.voices[slot].start(event, sample, self.sample_rate, offset, self.started);
    }
}

/// Runs an orbit effect (wet only) on its send and adds it to `out`, while anything has been
/// sent to it within `tail` frames.
fn run_effect(
    node: &mut dyn Node,
    send: &Pair,
    left: &mut u64,
    [first, second]: [f32; 2],
    (wet, out): (&mut Pair, &mut Pair),
    ctx: &Context<'_>,
    tail: u64,
) {
    let frames = ctx.frames;
    if send.iter().any(|c| c[..frames].iter().any(|&x| x != 0.0)) {
        *left = tail;
    }
    if *left == 0 {
        return;
    }
    *left = left.saturating_sub(frames as u64);
    let [wl, wr] = wet;
    node.process(
        ctx,
        &[
            In::Stereo(&send[0][..frames], &send[1][..frames]),
            In::Const(first),
            In::Const(second),
            In::Const(1.0),
        ],
        &mut [&mut wl[..frames], &mut wr[..frames]],
    );
    for (o, w) in out.iter_mut().zip(wet.iter()) {
        for (y, x) in o[..frames].iter_mut().zip(&w[..frames]) {
            *y += x;
        }
    }
}
