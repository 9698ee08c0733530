//! A three-band parametric EQ.

use crate::blocks::{param, signal, Biquad};
use crate::{sanitize, Context, In, Node};

/// Three-band parametric EQ: a low shelf, a peaking bell and a high shelf. Inputs: signal, then
/// frequency (Hz), gain (dB) and Q of each band; coefficients follow them once a block.
pub struct ParametricEq {
    bands: [[Biquad; 3]; 2],
}

impl Node for ParametricEq {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        let p = |k: usize, fallback: f32| param(inputs, k, 0, fallback);
        for bands in &mut self.bands {
            bands[0].shelf(false, p(1, 100.0), p(2, 0.0), p(3, 0.707), sr);
            bands[1].peak(p(4, 1000.0), p(5, 0.0), p(6, 1.0), sr);
            bands[2].shelf(true, p(7, 8000.0), p(8, 0.0), p(9, 0.707), sr);
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
