//! A tape echo.

use crate::blocks::{DelayLine, Lfo};
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};
use std::f32::consts::TAU;

/// The longest tape delay, in seconds.
const TAPE_SECONDS: f32 = 4.0;

crate::ports! {
    /// What the tape echo reads.
    pub struct TapePorts {
        input: Port::input(),
        time: Port::signal(0.375, "s").within(0.001, TAPE_SECONDS - 0.1),
        feedback: Port::signal(0.5, "").within(0.0, 0.99),
        wow_rate: Port::signal(0.5, "Hz"),
        wow_depth: Port::signal(0.002, ""),
        flutter_rate: Port::signal(6.0, "Hz"),
        flutter_depth: Port::signal(0.0005, ""),
        saturation: Port::signal(0.3, "").within(0.0, 1.0),
        mix: Port::mix(0.5),
    }
}

/// `tapedelay`.
pub static TAPEDELAY: Declaration = Declaration {
    name: "tapedelay",
    aliases: &["tape"],
    ports: TapePorts::PORTS,
    width: Width::AsInput,
    make: make_tapedelay,
    doc: "Tape echo: the time wanders with wow and flutter, repeats saturate and darken.",
    example: "out: s \"cp ~ sn ~\" # tapedelay 0.375 0.7",
    control: None,
};

/// A tape echo: the delay time wanders with wow and flutter, and each repeat is saturated and
/// loses some top end. Inputs: signal, time (s), feedback, wow rate (Hz) and depth, flutter
/// rate (Hz) and depth (fractions of the time), saturation (0-1), mix.
pub struct TapeDelay {
    lines: [DelayLine; 2],
    tone: [f32; 2],
    wow: Lfo,
    flutter: Lfo,
}

impl Node for TapeDelay {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = TapePorts::read(inputs);
        let x = p.input;
        let sr = ctx.sample_rate;
        let loss = 1.0 - (-TAU * 5000.0 / sr).exp();
        for i in 0..ctx.frames {
            let wow = self.wow.next(p.wow_rate.at(i), sr) * p.wow_depth.at(i);
            let flutter = self.flutter.next(p.flutter_rate.at(i), sr) * p.flutter_depth.at(i);
            let time = p.time.at(i) * (1.0 + wow + flutter);
            let feedback = p.feedback.at(i);
            let drive = 1.0 + 4.0 * p.saturation.at(i);
            let mix = p.mix.at(i);
            for (c, channel) in out.iter_mut().enumerate().take(2) {
                let dry = sanitize(x.channel(c, i));
                let echo = self.lines[c].read(time * sr);
                self.tone[c] = sanitize(self.tone[c] + loss * (echo - self.tone[c]));
                let back = (self.tone[c] * feedback * drive).tanh() / drive;
                self.lines[c].push(sanitize(dry + back));
                channel[i] = dry * (1.0 - mix) + echo * mix;
            }
        }
    }
}

/// Makes a tape delay.
pub fn make_tapedelay(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let length = (TAPE_SECONDS * sample_rate) as usize + 4;
    Box::new(TapeDelay {
        lines: [DelayLine::new(length), DelayLine::new(length)],
        tone: [0.0; 2],
        wow: Lfo::default(),
        flutter: Lfo(0.25),
    })
}
