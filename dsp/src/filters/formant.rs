//! Formant filters and the channel vocoder.

use crate::blocks::Biquad;
use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

/// A formant's bandwidth.
const BANDWIDTH: Port = Port::signal(0.0, "Hz").within(1.0, f32::INFINITY);

crate::ports! {
    /// What the formant filter reads.
    pub struct FormantPorts {
        input: Port::input(),
        f1: Port::signal(730.0, "Hz"),
        f2: Port::signal(1090.0, "Hz"),
        f3: Port::signal(2440.0, "Hz"),
        bw1: Port { default: 80.0, ..BANDWIDTH },
        bw2: Port { default: 90.0, ..BANDWIDTH },
        bw3: Port { default: 120.0, ..BANDWIDTH },
    }
}

/// `formant`.
pub static FORMANT: Declaration = Declaration {
    name: "formant",
    aliases: &[],
    ports: FormantPorts::PORTS,
    width: Width::AsInput,
    make: make_formant,
    doc: "Formant filter: three band-passes at a vowel's formants (defaults: 'a').",
    example: "out: saw 110 # formant 270 2290 3010 * 0.3",
    control: None,
};

crate::ports! {
    /// What the vocoder reads.
    pub struct VocoderPorts {
        input: Port::input(),
        carrier: Port::signal(0.0, ""),
        bands: Port::signal(8.0, "").within(1.0, MAX_BANDS as f32),
    }
}

/// `vocoder`.
pub static VOCODER: Declaration = Declaration {
    name: "vocoder",
    aliases: &[],
    ports: VocoderPorts::PORTS,
    width: Width::Mono,
    make: make_vocoder,
    doc: "Channel vocoder: the input's level in each band (100 Hz-8 kHz) shapes the carrier's.",
    example: "out: noise * (sine 3 * 0.5 + 0.5) # vocoder (saw 110) 16 * 0.5",
    control: None,
};

/// Three parallel band-passes at formant frequencies (a vowel): inputs are the source, then
/// f1, f2, f3 and their bandwidths in Hz.
pub struct Formant {
    bands: [[Biquad; 3]; 2],
}

impl Node for Formant {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = FormantPorts::read(inputs);
        let x = p.input;
        let sr = ctx.sample_rate;
        let formants = [(p.f1, p.bw1), (p.f2, p.bw2), (p.f3, p.bw3)];
        for bands in &mut self.bands {
            for (band, (f, bw)) in bands.iter_mut().zip(formants) {
                let (f, bw) = (f.at(0), bw.at(0));
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
        let p = VocoderPorts::read(inputs);
        let sr = ctx.sample_rate;
        let bands = p.bands.at(0).round() as usize;
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
        let (modulator, carrier) = (p.input, p.carrier);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let (m, c) = (sanitize(modulator.raw(i)), sanitize(carrier.raw(i)));
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
