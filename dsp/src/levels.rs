//! Levels and math: gain, equal-power pan, min, max, clip, mix, and the arithmetic nodes.

use crate::blocks::laws::pan_gains;
use crate::{Context, In, Node};

/// Arithmetic between two signals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathOp {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b` (zero where `b` is zero)
    Div,
}

/// A per-sample function of the input channel and the other parameters.
pub struct Map {
    f: fn(f32, &[In<'_>], usize) -> f32,
}

impl Node for Map {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        let rest = inputs.get(1..).unwrap_or(&[]);
        for (channel, buffer) in out.iter_mut().enumerate() {
            for (i, y) in buffer[..ctx.frames].iter_mut().enumerate() {
                *y = (self.f)(signal.channel(channel, i), rest, i);
            }
        }
    }
}

fn map(f: fn(f32, &[In<'_>], usize) -> f32) -> Box<dyn Node> {
    Box::new(Map { f })
}

fn param(rest: &[In<'_>], index: usize, i: usize, fallback: f32) -> f32 {
    rest.get(index).map_or(fallback, |p| p.param(i, fallback))
}

/// Makes `gain`: the input times an amount.
pub fn make_gain(_: f32, _: usize) -> Box<dyn Node> {
    map(|x, rest, i| x * param(rest, 0, i, 1.0))
}

/// Makes `min`.
pub fn make_min(_: f32, _: usize) -> Box<dyn Node> {
    map(|x, rest, i| x.min(param(rest, 0, i, 0.0)))
}

/// Makes `max`.
pub fn make_max(_: f32, _: usize) -> Box<dyn Node> {
    map(|x, rest, i| x.max(param(rest, 0, i, 0.0)))
}

/// Makes `clip`: the input limited to `low..high`.
pub fn make_clip(_: f32, _: usize) -> Box<dyn Node> {
    map(|x, rest, i| {
        let (low, high) = (param(rest, 0, i, -1.0), param(rest, 1, i, 1.0));
        x.max(low.min(high)).min(high.max(low))
    })
}

/// Makes `mix`: a crossfade from the input (amount 0) to the other signal (amount 1).
pub fn make_mix(_: f32, _: usize) -> Box<dyn Node> {
    map(|x, rest, i| {
        let other = param(rest, 0, i, 0.0);
        let amount = param(rest, 1, i, 0.5).clamp(0.0, 1.0);
        x + (other - x) * amount
    })
}

/// A position from -1 (left) to 1 (right) as the pan law's 0 to 1.
fn centred(position: f32) -> f32 {
    (position.clamp(-1.0, 1.0) + 1.0) * 0.5
}

/// The pan law (see [`pan_gains`]) at a position from -1 (left) to 1 (right): a mono input is
/// spread, a stereo input balanced.
pub struct Pan;

impl Node for Pan {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        let position = inputs.get(1).copied().unwrap_or(In::Const(0.0));
        for i in 0..ctx.frames {
            let [gain_left, gain_right] = pan_gains(centred(position.param(i, 0.0)));
            let (left, right) = (
                signal.channel(0, i) * gain_left,
                signal.channel(1, i) * gain_right,
            );
            match out {
                [l, r, ..] => {
                    l[i] = left;
                    r[i] = right;
                }
                [m] => m[i] = left + right,
                [] => {}
            }
        }
    }
}

/// Makes an equal-power panner.
pub fn make_pan(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Pan)
}

/// One side of an equal-power pan of the input (mixed to mono) at a position from -1 (left) to
/// 1 (right): Phonon's `pan2_l` and `pan2_r`, for building a stereo pair by hand.
pub struct PanSide {
    right: bool,
}

impl Node for PanSide {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        let position = inputs.get(1).copied().unwrap_or(In::Const(0.0));
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let gains = pan_gains(centred(position.param(i, 0.0)));
            *y = signal.at(i) * gains[usize::from(self.right)];
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes the left side of a pan.
pub fn make_pan2_l(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(PanSide { right: false })
}

/// Makes the right side of a pan.
pub fn make_pan2_r(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(PanSide { right: true })
}

/// A one-pole lag: the output follows the input with a time constant in seconds (63% of a
/// step after that time), for smoothing steps and control signals.
pub struct Lag {
    state: [f32; 2],
}

impl Node for Lag {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let signal = inputs.first().copied().unwrap_or(In::Const(0.0));
        let time = inputs.get(1).copied().unwrap_or(In::Const(0.1));
        for i in 0..ctx.frames {
            let t = time.param(i, 0.1).max(0.0);
            let k = if t == 0.0 {
                1.0
            } else {
                1.0 - (-1.0 / (t * ctx.sample_rate)).exp()
            };
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                let y = &mut self.state[channel];
                *y = crate::sanitize(*y + (signal.channel(channel, i) - *y) * k);
                buffer[i] = *y;
            }
        }
    }
}

/// Makes a lag at rest.
pub fn make_lag(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Lag { state: [0.0; 2] })
}

/// Arithmetic between inputs `a` and `b`, channel by channel.
pub struct Math(pub MathOp);

impl Node for Math {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let a = inputs.first().copied().unwrap_or(In::Const(0.0));
        let b = inputs.get(1).copied().unwrap_or(In::Const(0.0));
        for (channel, buffer) in out.iter_mut().enumerate() {
            for (i, y) in buffer[..ctx.frames].iter_mut().enumerate() {
                let (x, z) = (a.channel(channel, i), b.channel(channel, i));
                *y = match self.0 {
                    MathOp::Add => x + z,
                    MathOp::Sub => x - z,
                    MathOp::Mul => x * z,
                    MathOp::Div => {
                        if z == 0.0 {
                            0.0
                        } else {
                            x / z
                        }
                    }
                };
            }
        }
    }
}
