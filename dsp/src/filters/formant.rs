//! Formant filters and the channel vocoder.

use crate::blocks::{param, signal, Biquad};
use crate::{sanitize, Context, In, Node};

/// Three parallel band-passes at formant frequencies (a vowel): inputs are the source, then
/// f1, f2, f3 and their bandwidths in Hz.
pub struct Formant {
    bands: [[Biquad; 3]; 2],
}

impl Node for Formant {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let x = signal(inputs);
        let sr = ctx.sample_rate;
        let defaults = [730.0, 1090.0, 2440.0, 80.0, 90.0, 120.0];
        let p = |k: usize| param(inputs, k + 1, 0, defaults[k]);
        for bands in &mut self.bands {
            for (k, band) in bands.iter_mut().enumerate() {
                let (f, bw) = (p(k), p(k + 3).max(1.0));
                band.band_pass(f, f / bw, sr);
            }
        }
        for (c, channel) in out.iter_mut().enumerate().take(2) {
            let bands = &mut self.bands[c];
            for (i, y) in channel[..ctx.frames].iter_mut().enumerate() {
                let v = sanitize(x.channel(c, i));
                // Higher formants are quieter in a voice.
                *y = bands[0].run(v) + 0.5 * bands[1].run(v) + 0.25 * bands[2].run(v);
            }
        }
    }
}

/// Makes a formant filter.
pub fn make_formant(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Formant {
        bands: [[Biquad::default(); 3]; 2],
    })
}

/// The most bands a vocoder splits into.
pub const MAX_BANDS: usize = 32;

/// A channel vocoder: the modulator's level in each band (log-spaced, 100 Hz to 8 kHz) shapes
/// the carrier's same band. Inputs: modulator, carrier, band count (1 to [`MAX_BANDS`]).
pub struct Vocoder {
    /// Each band is two band-passes in series (fourth order), for steeper skirts.
    modulator: [[Biquad; 2]; MAX_BANDS],
    carrier: [[Biquad; 2]; MAX_BANDS],
    level: [f32; MAX_BANDS],
    bands: usize,
}

impl Node for Vocoder {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let sr = ctx.sample_rate;
        let bands = (param(inputs, 2, 0, 8.0).round() as usize).clamp(1, MAX_BANDS);
        if bands != self.bands {
            self.bands = bands;
            let (low, high) = (100.0f32, 8000.0f32);
            let ratio = (high / low).powf(1.0 / bands as f32);
            // Bands meet at their half-power points; two sections in series narrow a band by
            // sqrt(sqrt(2) - 1), so each is that much wider.
            let q = ratio.sqrt() / (ratio - 1.0).max(0.01) * 0.6436;
            for k in 0..bands {
                let centre = low * ratio.powf(k as f32 + 0.5);
                for section in 0..2 {
                    self.modulator[k][section].band_pass(centre, q, sr);
                    self.carrier[k][section].band_pass(centre, q, sr);
                }
            }
        }
        let follow = 1.0 - (-1.0 / (0.01 * sr)).exp();
        // Measured: a modulator equal to the carrier comes out near the carrier's level, for
        // any number of bands.
        let makeup = 4.0;
        let modulator = signal(inputs);
        let carrier = inputs.get(1).copied().unwrap_or(In::Const(0.0));
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let (m, c) = (sanitize(modulator.at(i)), sanitize(carrier.at(i)));
            let mut sum = 0.0;
            for k in 0..bands {
                let [a, b] = &mut self.modulator[k];
                let band = b.run(a.run(m)).abs();
                self.level[k] = sanitize(self.level[k] + follow * (band - self.level[k]));
                let [a, b] = &mut self.carrier[k];
                sum += b.run(a.run(c)) * self.level[k];
            }
            *y = sum * makeup;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes a vocoder.
pub fn make_vocoder(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Vocoder {
        modulator: [[Biquad::default(); 2]; MAX_BANDS],
        carrier: [[Biquad::default(); 2]; MAX_BANDS],
        level: [0.0; MAX_BANDS],
        bands: 0,
    })
}
