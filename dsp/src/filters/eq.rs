//! A three-band parametric EQ.

use crate::blocks::Biquad;
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

/// A band's gain.
const DECIBELS: Port = Port::signal(0.0, "dB");

crate::ports! {
    /// What the parametric EQ reads.
    pub struct EqPorts {
        input: Port::input(),
        low_freq: Port::signal(100.0, "Hz"),
        low_gain: DECIBELS,
        low_q: Port::signal(0.707, ""),
        mid_freq: Port::signal(1000.0, "Hz"),
        mid_gain: DECIBELS,
        mid_q: Port::signal(1.0, ""),
        high_freq: Port::signal(8000.0, "Hz"),
        high_gain: DECIBELS,
        high_q: Port::signal(0.707, ""),
    }
}

/// `parametric_eq`.
pub static PARAMETRIC_EQ: Declaration = Declaration {
    name: "parametric_eq",
    aliases: &["eq"],
    ports: EqPorts::PORTS,
    width: Width::AsInput,
    make: make_parametric_eq,
    doc: "Three-band EQ: low shelf, peaking bell and high shelf, gains in dB.",
    example: "out: saw 110 # eq :low_gain 6 :high_gain -12 * 0.2",
    control: None,
};

/// Three-band parametric EQ: a low shelf, a peaking bell and a high shelf. Inputs: signal, then
/// frequency (Hz), gain (dB) and Q of each band; coefficients follow them once a block.
pub struct ParametricEq {
    bands: [[Biquad; 3]; 2],
}

impl Node for ParametricEq {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = EqPorts::read(inputs);
        let x = p.input;
        let sr = ctx.sample_rate;
        for bands in &mut self.bands {
            bands[0].shelf(false, p.low_freq.at(0), p.low_gain.at(0), p.low_q.at(0), sr);
            bands[1].peak(p.mid_freq.at(0), p.mid_gain.at(0), p.mid_q.at(0), sr);
            let (freq, gain, q) = (p.high_freq.at(0), p.high_gain.at(0), p.high_q.at(0));
            bands[2].shelf(true, freq, gain, q, sr);
        }
        for (c, channel) in out.iter_mut().enumerate().take(2) {
            let bands = &mut self.bands[c];
            for (i, y) in channel[..ctx.frames].iter_mut().enumerate() {
                let v = bands[0].run(sanitize(x.channel(c, i)));
                let v = bands[1].run(v);
                *y = bands[2].run(v);
            }
        }
    }
}

/// Makes a parametric EQ.
pub fn make_parametric_eq(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(ParametricEq {
        bands: [[Biquad::default(); 3]; 2],
    })
}
