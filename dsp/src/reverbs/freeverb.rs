//! Freeverb: eight damped combs and four all-passes per channel.

use crate::blocks::DelayLine;
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

crate::ports! {
    /// What the reverb reads.
    pub struct ReverbPorts {
        input: Port::input(),
        size: Port::signal(0.7, "").within(0.0, 1.0),
        damping: Port::signal(0.5, "").within(0.0, 1.0),
        mix: Port::mix(0.3),
    }
}

/// `reverb`.
pub static REVERB: Declaration = Declaration {
    name: "reverb",
    aliases: &["freeverb"],
    ports: ReverbPorts::PORTS,
    width: Width::Stereo,
    make: make_reverb,
    doc: "Freeverb-class room reverb.",
    example: "out: s \"cp ~ ~ ~\" # reverb 0.9 0.3 0.5",
    control: None,
};

/// A lowpass-feedback comb filter, Freeverb's building block.
struct Comb {
    line: DelayLine,
    length: f32,
    store: f32,
}

/// An all-pass diffuser.
struct Allpass {
    line: DelayLine,
    length: f32,
}

/// Freeverb's tunings at 44.1 kHz; the right channel's lines are 23 samples longer.
const COMBS: [usize; 8] = [1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617];
const ALLPASSES: [usize; 4] = [556, 441, 341, 225];
const SPREAD: usize = 23;

/// Freeverb: eight parallel combs into four series all-passes per channel. Inputs are the signal,
/// room size, damping and mix; the output is stereo.
pub struct Reverb {
    combs: [Vec<Comb>; 2],
    allpasses: [Vec<Allpass>; 2],
}

impl Node for Reverb {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = ReverbPorts::read(inputs);
        let signal = p.input;
        for i in 0..ctx.frames {
            let feedback = p.size.at(i) * 0.28 + 0.7;
            let damp = p.damping.at(i) * 0.4;
            let mix = p.mix.at(i);
            let input = sanitize(signal.raw(i)) * 0.015;
            for channel in 0..out.len().min(2) {
                let mut wet = 0.0;
                for comb in &mut self.combs[channel] {
                    let y = comb.line.read(comb.length);
                    comb.store = sanitize(y * (1.0 - damp) + comb.store * damp);
                    comb.line.push(input + comb.store * feedback);
                    wet += y;
                }
                for allpass in &mut self.allpasses[channel] {
                    let delayed = allpass.line.read(allpass.length);
                    allpass.line.push(sanitize(wet + delayed * 0.5));
                    wet = delayed - wet;
                }
                let dry = signal.channel(channel, i);
                out[channel][i] = dry * (1.0 - mix) + wet * 3.0 * mix;
            }
        }
    }
}

/// Makes a reverb tuned for the sample rate.
pub fn make_reverb(sample_rate: f32, _: usize) -> Box<dyn Node> {
    let scale = sample_rate / 44_100.0;
    let sized = |n: usize| ((n as f32 * scale).round() as usize).max(2);
    let combs = |spread: usize| {
        COMBS
            .iter()
            .map(|&n| {
                let length = sized(n + spread);
                Comb {
                    line: DelayLine::new(length + 1),
                    length: length as f32,
                    store: 0.0,
                }
            })
            .collect()
    };
    let allpasses = |spread: usize| {
        ALLPASSES
            .iter()
            .map(|&n| {
                let length = sized(n + spread);
                Allpass {
                    line: DelayLine::new(length + 1),
                    length: length as f32,
                }
            })
            .collect()
    };
    Box::new(Reverb {
        combs: [combs(0), combs(SPREAD)],
        allpasses: [allpasses(0), allpasses(SPREAD)],
    })
}
