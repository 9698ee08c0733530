//! Envelopes on a gate signal: `adsr` and `ar`. A gate opens when its input rises above 0.5 and
//! closes when it falls back; adsr are linear in amplitude.

pub mod triggered;

use crate::blocks::envelope::{Adsr, EnvelopeStage};
use crate::{Context, In, Node};

/// Attack-decay-sustain-release; `ar` is the same with no decay and full sustain.
pub struct Envelope {
    stage: EnvelopeStage,
    gate: bool,
    ar: bool,
}

impl Envelope {
    /// An envelope at rest; `ar` makes it attack-release only.
    pub fn new(ar: bool) -> Envelope {
        Envelope {
            stage: EnvelopeStage::default(),
            gate: false,
            ar,
        }
    }
}

impl Node for Envelope {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let gate = inputs.first().copied().unwrap_or(In::Const(0.0));
        let p = |index: usize, i: usize, fallback: f32| {
            inputs
                .get(index)
                .map_or(fallback, |x| x.param(i, fallback).max(0.0))
        };
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let attack = p(1, i, 0.01);
            let (decay, sustain, release) = if self.ar {
                (0.0, 1.0, p(2, i, 0.2))
            } else {
                (p(2, i, 0.1), p(3, i, 0.7).min(1.0), p(4, i, 0.2))
            };
            let adsr = Adsr::new(attack, decay, sustain, release, ctx.sample_rate);
            let open = gate.at(i) > 0.5;
            if open && !self.gate {
                self.stage.open();
            } else if !open && self.gate {
                self.stage.close(&adsr);
            }
            self.gate = open;
            *y = self.stage.next(&adsr);
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes an ADSR envelope.
pub fn make_adsr(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Envelope::new(false))
}

/// Makes an AR envelope.
pub fn make_ar(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Envelope::new(true))
}

/// A ramp from `start` to `end` over `time` seconds from when the node starts playing, then
/// holding `end`: straight (`line`) or exponential (`xline`, equal ratios in equal times, for
/// frequencies and levels). Inputs are start, end, time and an optional trigger: a frame where
/// it is above 0.5 starts the ramp again.
pub struct Line {
    exponential: bool,
    /// Frames played so far.
    elapsed: u64,
}

impl Node for Line {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let input = |k: usize, i: usize, fallback: f32| {
            inputs.get(k).map_or(fallback, |p| p.param(i, fallback))
        };
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            if input(3, i, 0.0) > 0.5 {
                self.elapsed = 0;
            }
            let (start, end) = (input(0, i, 0.0), input(1, i, 1.0));
            let frames = (input(2, i, 1.0).max(0.0) * ctx.sample_rate) as f64;
            let done = if frames <= 0.0 {
                1.0
            } else {
                (self.elapsed as f64 / frames).min(1.0)
            } as f32;
            *y = if self.exponential && start > 0.0 && end > 0.0 {
                start * (end / start).powf(done)
            } else {
                start + (end - start) * done
            };
            self.elapsed += 1;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes a straight ramp.
pub fn make_line(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Line {
        exponential: false,
        elapsed: 0,
    })
}

/// Makes an exponential ramp.
pub fn make_xline(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Line {
        exponential: true,
        elapsed: 0,
    })
}
