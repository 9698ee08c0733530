//! Second-order filters (low-pass, high-pass, band-pass, notch) as Andrew Simper's trapezoidal
//! state-variable filter: the same magnitude response as the bilinear (cookbook) biquads, but it
//! stays well-behaved when cutoff and Q move every sample. Parameters are smoothed per sample, so
//! modulating them makes no zipper noise.

pub mod eq;
pub mod formant;
pub mod ladder;
pub mod resonant;

use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};
use std::f32::consts::PI;

crate::ports! {
    /// What the state-variable filters read.
    pub struct SvfPorts {
        input: Port::input(),
        cutoff: Port::signal(1000.0, "Hz").within(10.0, 24_000.0),
        q: Port::signal(0.707, "").within(0.05, 40.0),
    }
}

/// A filter's declaration: the four differ only in response.
const fn svf(
    name: &'static str,
    aliases: &'static [&'static str],
    make: crate::Make,
    doc: &'static str,
    example: &'static str,
) -> Declaration {
    Declaration {
        name,
        aliases,
        ports: SvfPorts::PORTS,
        width: Width::AsInput,
        make,
        doc,
        example,
        control: None,
    }
}

/// `lpf`.
pub static LPF: Declaration = svf(
    "lpf",
    &["lowpass", "rlpf"],
    make_lpf,
    "Resonant low-pass filter.",
    "out: saw 55 # lpf (sine 0.25 * 800 + 1200) 4 * 0.2",
);

/// `hpf`.
pub static HPF: Declaration = svf(
    "hpf",
    &["highpass", "rhpf"],
    make_hpf,
    "Resonant high-pass filter.",
    "out: noise # hpf 4000 2 * 0.1",
);

/// `bpf`.
pub static BPF: Declaration = svf(
    "bpf",
    &["bandpass", "resonz"],
    make_bpf,
    "Band-pass filter.",
    "out: noise # bpf \"400 800 1600\" 8 * 0.3",
);

/// `notch`.
pub static NOTCH: Declaration = svf(
    "notch",
    &[],
    make_notch,
    "Notch (band-stop) filter.",
    "out: saw 110 # notch 880 1 * 0.2",
);

/// Which response a [`Svf`] gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    /// Low-pass.
    LowPass,
    /// High-pass.
    HighPass,
    /// Band-pass with 0 dB peak.
    BandPass,
    /// Band-stop.
    Notch,
}

/// A state-variable filter: inputs are the signal, the cutoff in Hz and Q.
pub struct Svf {
    response: Response,
    /// Smoothed cutoff and Q; `None` until the first block sets them.
    smoothed: Option<(f32, f32)>,
    /// Coefficients for the smoothed parameters: g, k, a1, a2, a3.
    coefficients: [f32; 5],
    /// Per-channel integrator states.
    state: [(f32, f32); 2],
}

impl Svf {
    /// A filter at rest.
    pub fn new(response: Response) -> Svf {
        Svf {
            response,
            smoothed: None,
            coefficients: [0.0; 5],
            state: [(0.0, 0.0); 2],
        }
    }

    /// A filter at rest with a fixed cutoff (Hz) and Q, for [`Svf::tick`]: a voice's filter,
    /// set once when the voice starts.
    pub fn fixed(response: Response, cutoff: f32, q: f32, sample_rate: f32) -> Svf {
        let mut svf = Svf::new(response);
        let params = (cutoff.clamp(10.0, 0.45 * sample_rate), q.clamp(0.05, 40.0));
        svf.update(params.0, params.1, sample_rate);
        svf.smoothed = Some(params);
        svf
    }

    /// One frame of `channel` (0 or 1) through the filter at its current coefficients.
    #[inline]
    pub fn tick(&mut self, channel: usize, x: f32) -> f32 {
        let v0 = if x.is_finite() { x } else { 0.0 };
        let [_, k, a1, a2, a3] = self.coefficients;
        let (ic1, ic2) = self.state[channel];
        let v3 = v0 - ic2;
        let v1 = a1 * ic1 + a2 * v3;
        let v2 = ic2 + a2 * ic1 + a3 * v3;
        self.state[channel] = (sanitize(2.0 * v1 - ic1), sanitize(2.0 * v2 - ic2));
        match self.response {
            Response::LowPass => v2,
            Response::HighPass => v0 - k * v1 - v2,
            Response::BandPass => k * v1,
            Response::Notch => v0 - k * v1,
        }
    }

    fn update(&mut self, cutoff: f32, q: f32, sample_rate: f32) {
        let g = (PI * cutoff / sample_rate).tan();
        let k = 1.0 / q;
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        self.coefficients = [g, k, a1, a2, g * a2];
    }
}

impl Node for Svf {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = SvfPorts::read(inputs);
        let limit = 0.45 * ctx.sample_rate;
        // About 2 ms to move a parameter most of the way: quick, but never a step.
        let smoothing = 1.0 - (-1.0 / (0.002 * ctx.sample_rate)).exp();
        for i in 0..ctx.frames {
            let target = (p.cutoff.at(i).min(limit), p.q.at(i));
            let next = match self.smoothed {
                None => target,
                Some((c, qq)) => (
                    c + (target.0 - c) * smoothing,
                    qq + (target.1 - qq) * smoothing,
                ),
            };
            if self.smoothed != Some(next) {
                self.update(next.0, next.1, ctx.sample_rate);
                self.smoothed = Some(next);
            }
            for (channel, buffer) in out.iter_mut().enumerate().take(2) {
                buffer[i] = self.tick(channel, p.input.channel(channel, i));
            }
        }
    }
}

/// Makes a low-pass filter.
pub fn make_lpf(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Svf::new(Response::LowPass))
}

/// Makes a high-pass filter.
pub fn make_hpf(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Svf::new(Response::HighPass))
}

/// Makes a band-pass filter.
pub fn make_bpf(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Svf::new(Response::BandPass))
}

/// Makes a notch filter.
pub fn make_notch(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Svf::new(Response::Notch))
}
