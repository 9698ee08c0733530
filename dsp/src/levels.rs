//! Levels and math: gain, equal-power pan, min, max, clip, mix, `mtof`, and the arithmetic nodes.

use crate::blocks::laws::pan_gains;
use crate::declaration::{Declaration, Port};
use crate::{Context, In, Node, Width};
use pattern::Control;

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

crate::ports! {
    /// What `gain` reads.
    pub struct GainPorts {
        input: Port::input(),
        amount: Port::signal(1.0, ""),
    }
}

crate::ports! {
    /// What `min` and `max` read.
    pub struct BoundPorts {
        input: Port::input(),
        other: Port::signal(0.0, ""),
    }
}

crate::ports! {
    /// What `clip` reads.
    pub struct ClipPorts {
        input: Port::input(),
        low: Port::signal(-1.0, ""),
        high: Port::signal(1.0, ""),
    }
}

crate::ports! {
    /// What `mtof` reads.
    pub struct NotePorts {
        input: Port::input(),
    }
}

crate::ports! {
    /// What `mix` reads.
    pub struct MixPorts {
        input: Port::input(),
        other: Port::signal(0.0, ""),
        amount: Port::signal(0.5, "").within(0.0, 1.0),
    }
}

/// A node whose every output sample is a function of its ports at that frame and the input's
/// sample on that channel.
macro_rules! per_sample {
    ($(#[$meta:meta])* $name:ident, $ports:ident, |$p:ident, $x:ident, $i:ident| $body:expr) => {
        $(#[$meta])*
        pub struct $name;

        impl Node for $name {
            fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
                let $p = $ports::read(inputs);
                for (channel, buffer) in out.iter_mut().enumerate() {
                    for ($i, y) in buffer[..ctx.frames].iter_mut().enumerate() {
                        let $x = $p.input.channel(channel, $i);
                        *y = $body;
                    }
                }
            }
        }
    };
}

per_sample!(
    /// The input times an amount.
    Gain,
    GainPorts,
    |p, x, i| x * p.amount.at(i)
);

per_sample!(
    /// The smaller of the input and another signal.
    Min,
    BoundPorts,
    |p, x, i| x.min(p.other.at(i))
);

per_sample!(
    /// The larger of the input and another signal.
    Max,
    BoundPorts,
    |p, x, i| x.max(p.other.at(i))
);

per_sample!(
    /// The input limited to `low..high` (either way round).
    Clip,
    ClipPorts,
    |p, x, i| {
        let (low, high) = (p.low.at(i), p.high.at(i));
        x.max(low.min(high)).min(high.max(low))
    }
);

per_sample!(
    /// A crossfade from the input (amount 0) to another signal (amount 1).
    Mix,
    MixPorts,
    |p, x, i| x + (p.other.at(i) - x) * p.amount.at(i)
);

per_sample!(
    /// A MIDI note number as its frequency in Hz: 69 is 440 Hz.
    Mtof,
    NotePorts,
    |_p, x, _i| 440.0 * ((x - 69.0) / 12.0).exp2()
);

/// Makes `mtof`.
pub fn make_mtof(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Mtof)
}

/// `mtof`.
pub static MTOF: Declaration = Declaration {
    name: "mtof",
    aliases: &["midicps"],
    ports: NotePorts::PORTS,
    width: Width::AsInput,
    make: make_mtof,
    doc: "MIDI note numbers as frequencies in Hz (69 is 440 Hz), at audio rate.",
    example: "out: sine (mtof \"57 60 64\") * 0.2",
    control: None,
};

/// Makes `gain`.
pub fn make_gain(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Gain)
}

/// Makes `min`.
pub fn make_min(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Min)
}

/// Makes `max`.
pub fn make_max(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Max)
}

/// Makes `clip`.
pub fn make_clip(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Clip)
}

/// Makes `mix`.
pub fn make_mix(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Mix)
}

/// `gain`.
pub static GAIN: Declaration = Declaration {
    name: "gain",
    aliases: &[],
    ports: GainPorts::PORTS,
    width: Width::AsInput,
    make: make_gain,
    doc: "Multiply by a gain (on a sound pattern, sets each event's gain: level amp × gain⁴).",
    example: "out: saw 110 # gain 0.2",
    control: Some(Control::Gain),
};

/// `min`.
pub static MIN: Declaration = Declaration {
    name: "min",
    aliases: &[],
    ports: BoundPorts::PORTS,
    width: Width::AsInput,
    make: make_min,
    doc: "The smaller of two signals.",
    example: "out: sine 110 # min 0.5 * 0.3",
    control: None,
};

/// `max`.
pub static MAX: Declaration = Declaration {
    name: "max",
    aliases: &[],
    ports: BoundPorts::PORTS,
    width: Width::AsInput,
    make: make_max,
    doc: "The larger of two signals.",
    example: "out: sine 110 # max -0.5 * 0.3",
    control: None,
};

/// `clip`.
pub static CLIP: Declaration = Declaration {
    name: "clip",
    aliases: &[],
    ports: ClipPorts::PORTS,
    width: Width::AsInput,
    make: make_clip,
    doc: "Limit a signal to a range.",
    example: "out: sine 110 * 4 # clip -1 1 * 0.2",
    control: None,
};

/// `mix`.
pub static MIX: Declaration = Declaration {
    name: "mix",
    aliases: &[],
    ports: MixPorts::PORTS,
    width: Width::AsInput,
    make: make_mix,
    doc: "Crossfade from the input to another signal.",
    example: "out: saw 110 # mix (square 110) 0.5 * 0.2",
    control: None,
};

/// A position from -1 (left) to 1 (right) as the pan law's 0 to 1.
fn centred(position: f32) -> f32 {
    (position.clamp(-1.0, 1.0) + 1.0) * 0.5
}

crate::ports! {
    /// What `pan` reads.
    pub struct PanPorts {
        input: Port::input(),
        position: Port::signal(0.0, "").within(-1.0, 1.0),
    }
}

crate::ports! {
    /// What `pan2_l` and `pan2_r` read.
    pub struct PanSidePorts {
        input: Port::input(),
        pan: Port::signal(0.0, "").within(-1.0, 1.0),
    }
}

/// `pan`.
pub static PAN: Declaration = Declaration {
    name: "pan",
    aliases: &[],
    ports: PanPorts::PORTS,
    width: Width::Stereo,
    make: make_pan,
    doc: "Equal-power pan, -1 left to 1 right (on a sound pattern, 0 to 1 per event).",
    example: "out: saw 110 # pan (sine 0.25) * 0.2",
    control: Some(Control::Pan),
};

/// `pan2_l`.
pub static PAN2_L: Declaration = Declaration {
    name: "pan2_l",
    aliases: &[],
    ports: PanSidePorts::PORTS,
    width: Width::Mono,
    make: make_pan2_l,
    doc: "The left side of an equal-power pan, -1 (left) to 1 (right), as a mono signal.",
    example: "out: saw 110 # pan2_l -0.5 * 0.2",
    control: None,
};

/// `pan2_r`.
pub static PAN2_R: Declaration = Declaration {
    name: "pan2_r",
    aliases: &[],
    ports: PanSidePorts::PORTS,
    width: Width::Mono,
    make: make_pan2_r,
    doc: "The right side of an equal-power pan, -1 (left) to 1 (right), as a mono signal.",
    example: "out: saw 110 # pan2_r 0.5 * 0.2",
    control: None,
};

/// The pan law (see [`pan_gains`]) at a position from -1 (left) to 1 (right): a mono input is
/// spread, a stereo input balanced.
pub struct Pan;

impl Node for Pan {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = PanPorts::read(inputs);
        for i in 0..ctx.frames {
            let [gain_left, gain_right] = pan_gains(centred(p.position.at(i)));
            let (left, right) = (
                p.input.channel(0, i) * gain_left,
                p.input.channel(1, i) * gain_right,
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
        let p = PanSidePorts::read(inputs);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let gains = pan_gains(centred(p.pan.at(i)));
            *y = p.input.raw(i) * gains[usize::from(self.right)];
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

crate::ports! {
    /// What `lag` reads.
    pub struct LagPorts {
        input: Port::input(),
        time: Port::signal(0.1, "s").within(0.0, f32::INFINITY),
    }
}

/// `lag`.
pub static LAG: Declaration = Declaration {
    name: "lag",
    aliases: &["slew"],
    ports: LagPorts::PORTS,
    width: Width::AsInput,
    make: make_lag,
    doc: "One-pole smoothing: follows the input with a time constant (63% of a step after it).",
    example: "out: sine (\"220 330 440\" # lag 0.05) * 0.2",
    control: None,
};

/// A one-pole lag: the output follows the input with a time constant in seconds (63% of a
/// step after that time), for smoothing steps and control signals.
pub struct Lag {
    state: [f32; 2],
}

impl Node for Lag {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = LagPorts::read(inputs);
        for i in 0..ctx.frames {
            let t = p.time.at(i);
            let k = if t == 0.0 {
                1.0
            } else {
                1.0 - (-1.0 / (t * ctx.sample_rate)).exp()
            };
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                let y = &mut self.state[channel];
                *y = crate::sanitize(*y + (p.input.channel(channel, i) - *y) * k);
                buffer[i] = *y;
            }
        }
    }
}

/// Makes a lag at rest.
pub fn make_lag(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Lag { state: [0.0; 2] })
}

crate::ports! {
    /// What the arithmetic nodes read.
    pub struct MathPorts {
        a: Port::signal(0.0, ""),
        b: Port::signal(0.0, ""),
    }
}

/// Arithmetic between inputs `a` and `b`, channel by channel.
pub struct Math(pub MathOp);

impl Node for Math {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let MathPorts { a, b } = MathPorts::read(inputs);
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

crate::ports! {
    /// What `if` reads.
    pub struct IfPorts {
        condition: Port::signal(0.0, ""),
        then: Port::signal(1.0, ""),
        otherwise: Port::signal(0.0, ""),
    }
}

/// `if`.
pub static IF: Declaration = Declaration {
    name: "if",
    aliases: &[],
    ports: IfPorts::PORTS,
    width: Width::Mono,
    make: |_, _| Box::new(Choice),
    doc: "`then` where the condition is above 0.5, `otherwise` elsewhere, sample by sample.",
    example: "out: sine (if (square 1) 440 330) * 0.2",
    control: None,
};

/// The original Phonon's `if`: a switch between two signals by a third.
pub struct Choice;

impl Node for Choice {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = IfPorts::read(inputs);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            *y = if p.condition.at(i) > 0.5 {
                p.then.at(i)
            } else {
                p.otherwise.at(i)
            };
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

crate::ports! {
    /// What `switch` reads.
    pub struct SwitchPorts {
        index: Port::signal(0.0, ""),
        count: Port::signal(8.0, "").within(1.0, 8.0),
        in0: Port::signal(0.0, ""),
        in1: Port::signal(0.0, ""),
        in2: Port::signal(0.0, ""),
        in3: Port::signal(0.0, ""),
        in4: Port::signal(0.0, ""),
        in5: Port::signal(0.0, ""),
        in6: Port::signal(0.0, ""),
        in7: Port::signal(0.0, ""),
    }
}

/// `switch`.
pub static SWITCH: Declaration = Declaration {
    name: "switch",
    aliases: &[],
    ports: SwitchPorts::PORTS,
    width: Width::Mono,
    make: |_, _| Box::new(Switch),
    doc: "One of the first `count` inputs, the one the index signal rounds to (counting round), sample by sample: the original Phonon's `select ~index ~a ~b …`.",
    example: "out: sine (switch (saw 1 * 3) 3 220 330 440) * 0.2",
    control: None,
};

/// A switch among up to eight signals.
pub struct Switch;

impl Node for Switch {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = SwitchPorts::read(inputs);
        let ins = [p.in0, p.in1, p.in2, p.in3, p.in4, p.in5, p.in6, p.in7];
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let count = p.count.at(i).round().clamp(1.0, 8.0) as i64;
            let k = (p.index.at(i).round() as i64).rem_euclid(count) as usize;
            *y = ins[k].at(i);
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}
