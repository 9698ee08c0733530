//! Oscillators: sine, band-limited (polyBLEP) saw, pulse and triangle, white and pink noise.
//! Phase is continuous across blocks; frequency may change every sample.

pub mod phasor;
pub mod synthesis;

use crate::declaration::{Declaration, Port};
use crate::{Context, In, Node, Width};
use std::f64::consts::TAU;

/// An oscillator's frequency.
const FREQ: Port = Port::signal(440.0, "Hz");

crate::ports! {
    /// What the sine, saw and triangle read.
    pub struct WavePorts {
        freq: FREQ,
    }
}

crate::ports! {
    /// What an [`Oscillator`] reads: the pulse's width is ignored by the other waves.
    pub struct PulsePorts {
        freq: FREQ,
        width: Port::signal(0.5, "").within(0.01, 0.99),
    }
}

crate::ports! {
    /// What [`Impulse`] reads.
    pub struct ImpulsePorts {
        freq: Port::signal(1.0, "Hz").within(0.0, f32::INFINITY),
    }
}

/// `sine`.
pub static SINE: Declaration = Declaration {
    name: "sine",
    aliases: &["sin", "sine_hz"],
    ports: WavePorts::PORTS,
    width: Width::Mono,
    make: make_sine,
    doc: "Sine oscillator.",
    example: "out: sine 440 * 0.2",
    control: None,
};

/// `saw`.
pub static SAW: Declaration = Declaration {
    name: "saw",
    aliases: &["sawtooth", "saw_hz", "soft_saw_hz"],
    ports: WavePorts::PORTS,
    width: Width::Mono,
    make: make_saw,
    doc: "Band-limited sawtooth oscillator.",
    example: "out: saw (sine 0.1 * 5 + 55) * 0.2",
    control: None,
};

/// `square`.
pub static SQUARE: Declaration = Declaration {
    name: "square",
    aliases: &["pulse", "square_hz", "pulse_hz"],
    ports: PulsePorts::PORTS,
    width: Width::Mono,
    make: make_square,
    doc: "Band-limited pulse oscillator with pulse width.",
    example: "out: square 110 (sine 0.5 * 0.4 + 0.5) * 0.2",
    control: None,
};

/// `tri`.
pub static TRI: Declaration = Declaration {
    name: "tri",
    aliases: &["triangle", "tri_hz", "triangle_hz"],
    ports: WavePorts::PORTS,
    width: Width::Mono,
    make: make_tri,
    doc: "Band-limited triangle oscillator.",
    example: "out: tri 220 * 0.3",
    control: None,
};

/// `noise`.
pub static NOISE: Declaration = Declaration {
    name: "noise",
    aliases: &["white", "white_noise"],
    ports: &[],
    width: Width::Mono,
    make: make_noise,
    doc: "White noise.",
    example: "out: noise # hpf 8000 * 0.1",
    control: None,
};

/// `pink`.
pub static PINK: Declaration = Declaration {
    name: "pink",
    aliases: &["pinknoise", "pink_noise"],
    ports: &[],
    width: Width::Mono,
    make: make_pink,
    doc: "Pink noise: -3 dB per octave.",
    example: "out: pink * 0.2",
    control: None,
};

/// `brown`.
pub static BROWN: Declaration = Declaration {
    name: "brown",
    aliases: &["brown_noise", "brownnoise"],
    ports: &[],
    width: Width::Mono,
    make: make_brown,
    doc: "Brown noise: -6 dB per octave.",
    example: "out: brown * 0.3",
    control: None,
};

/// `impulse`.
pub static IMPULSE: Declaration = Declaration {
    name: "impulse",
    aliases: &["impulse_hz"],
    ports: ImpulsePorts::PORTS,
    width: Width::Mono,
    make: make_impulse,
    doc: "Single-sample impulses at a frequency: a click track or a trigger.",
    example: "out: impulse 4 # lpf 2000 4",
    control: None,
};

/// The polyBLEP residual at phase `t` (0..1) for a phase increment `dt`: subtracted from a naive
/// waveform's step, it removes most of the step's aliasing.
#[inline]
pub(crate) fn poly_blep(t: f64, dt: f64) -> f64 {
    if t < dt {
        let x = t / dt;
        x + x - x * x - 1.0
    } else if t > 1.0 - dt {
        let x = (t - 1.0) / dt;
        x * x + x + x + 1.0
    } else {
        0.0
    }
}

/// A phase accumulator in cycles, kept in `[0, 1)`.
#[derive(Default)]
struct Phase(f64);

impl Phase {
    /// The increment for `freq` at `sample_rate`, clamped below Nyquist.
    #[inline]
    fn step(freq: f32, sample_rate: f32) -> f64 {
        let f = if freq.is_finite() { freq } else { 0.0 };
        (f64::from(f) / f64::from(sample_rate)).clamp(-0.49, 0.49)
    }

    #[inline]
    fn advance(&mut self, dt: f64) {
        self.0 += dt;
        self.0 -= self.0.floor();
    }
}

/// Which waveform an [`Oscillator`] makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wave {
    /// Sine.
    Sine,
    /// Band-limited sawtooth, rising.
    Saw,
    /// Band-limited pulse; its second parameter is the width.
    Square,
    /// Band-limited triangle (an integrated band-limited square).
    Triangle,
}

/// A periodic oscillator; parameter 0 is the frequency in Hz.
///
/// The band-limited waves run at twice the sample rate and are decimated through a half-band
/// filter: two-sample polyBLEP alone leaves aliases only about 36 dB down near 1 kHz.
pub struct Oscillator {
    wave: Wave,
    phase: Phase,
    /// The leaky integrator that turns the square into a triangle.
    integral: f64,
    decimator: Option<Decimator>,
}

impl Oscillator {
    /// An oscillator starting at phase 0.
    pub fn new(wave: Wave) -> Oscillator {
        Oscillator {
            wave,
            phase: Phase::default(),
            integral: 0.0,
            decimator: (wave != Wave::Sine).then(Decimator::new),
        }
    }

    /// Back to phase 0 with cleared filter memory, allocating nothing (for voice reuse).
    pub fn reset(&mut self) {
        self.phase = Phase::default();
        self.integral = 0.0;
        if let Some(d) = &mut self.decimator {
            d.history.fill(0.0);
            d.position = 0;
        }
    }

    /// One sample at phase increment `dt` (in cycles per sample at the rate it runs at).
    #[inline]
    fn sample(&mut self, dt: f64, width: f32) -> f64 {
        let t = self.phase.0;
        let adt = dt.abs().max(1e-9);
        let y = match self.wave {
            Wave::Sine => (t * TAU).sin(),
            Wave::Saw => 2.0 * t - 1.0 - poly_blep(t, adt),
            Wave::Square | Wave::Triangle => {
                let w = f64::from(width);
                let naive = if t < w { 1.0 } else { -1.0 };
                let mut t2 = t - w;
                t2 -= t2.floor();
                let square = naive + poly_blep(t, adt) - poly_blep(t2, adt);
                if self.wave == Wave::Square {
                    square
                } else {
                    // Integrating the square gives a triangle of amplitude 1 at width 0.5.
                    self.integral = 0.999 * self.integral + 4.0 * adt * square;
                    self.integral
                }
            }
        };
        self.phase.advance(dt);
        y
    }
}

/// Taps of the half-band decimation filter (odd length).
const DECIMATOR_TAPS: usize = 159;

/// A half-band low-pass at half the oversampled rate, decimating by two: Kaiser-windowed sinc.
struct Decimator {
    taps: Box<[f64]>,
    /// The last `DECIMATOR_TAPS` oversampled inputs, stored twice so a window is contiguous.
    history: Box<[f64]>,
    position: usize,
}

fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term) = (1.0, 1.0);
    for k in 1..50 {
        term *= (x / (2.0 * k as f64)).powi(2);
        sum += term;
    }
    sum
}

impl Decimator {
    fn new() -> Decimator {
        let n = DECIMATOR_TAPS;
        let middle = (n / 2) as f64;
        let beta = 8.0;
        let mut taps: Vec<f64> = (0..n)
            .map(|i| {
                let x = i as f64 - middle;
                let sinc = if x == 0.0 {
                    0.5
                } else {
                    (std::f64::consts::PI * x / 2.0).sin() / (std::f64::consts::PI * x)
                };
                let r = x / middle;
                sinc * bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta)
            })
            .collect();
        let sum: f64 = taps.iter().sum();
        taps.iter_mut().for_each(|t| *t /= sum);
        Decimator {
            taps: taps.into_boxed_slice(),
            history: vec![0.0; 2 * n].into_boxed_slice(),
            position: 0,
        }
    }

    #[inline]
    fn push(&mut self, x: f64) {
        let n = DECIMATOR_TAPS;
        self.history[self.position] = x;
        self.history[self.position + n] = x;
        self.position = (self.position + 1) % n;
    }

    /// The filtered value at the newest input.
    #[inline]
    fn output(&self) -> f64 {
        let n = DECIMATOR_TAPS;
        let window = &self.history[self.position..self.position + n];
        let middle = n / 2;
        // Half-band and symmetric: only every other tap is non-zero, and mirrored taps are equal,
        // so each multiply serves two inputs.
        let mut sum = self.taps[middle] * window[middle];
        let mut i = (middle % 2) ^ 1;
        while i < middle {
            sum += self.taps[i] * (window[i] + window[n - 1 - i]);
            i += 2;
        }
        sum
    }
}

impl Node for Oscillator {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let ports = PulsePorts::read(inputs);
        let [first, rest @ ..] = out else { return };
        for i in 0..ctx.frames {
            // Not a number stops the oscillator (see `Phase::step`) rather than jumping to 440.
            let dt = Phase::step(ports.freq.raw(i), ctx.sample_rate);
            let w = ports.width.at(i);
            let y = if self.decimator.is_some() {
                let (a, b) = (self.sample(dt / 2.0, w), self.sample(dt / 2.0, w));
                match &mut self.decimator {
                    Some(d) => {
                        d.push(a);
                        d.push(b);
                        d.output()
                    }
                    None => b,
                }
            } else {
                self.sample(dt, w)
            };
            first[i] = y as f32;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// White or pink noise from a fixed-seed generator (the same every run).
pub struct Noise {
    state: u64,
    color: Color,
}

/// Which noise a [`Noise`] makes, with its filter's state.
enum Color {
    White,
    /// Paul Kellet's filter: within 0.05 dB of −3 dB/octave above 9 Hz.
    Pink([f32; 7]),
    /// White noise through a leaky integrator: −6 dB/octave above about 8 Hz.
    Brown(f32),
}

impl Noise {
    /// White noise.
    pub fn white() -> Noise {
        Noise {
            state: 0x853c_49e6_748f_ea9b,
            color: Color::White,
        }
    }

    /// Pink noise (Paul Kellet's filter: within 0.05 dB of -3 dB/octave above 9 Hz).
    pub fn pink() -> Noise {
        Noise {
            color: Color::Pink([0.0; 7]),
            ..Noise::white()
        }
    }

    /// Brown (red) noise: −6 dB/octave.
    pub fn brown() -> Noise {
        Noise {
            color: Color::Brown(0.0),
            ..Noise::white()
        }
    }

    #[inline]
    fn next(&mut self) -> f32 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        ((self.state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

impl Node for Noise {
    fn process(&mut self, ctx: &Context<'_>, _: &[In<'_>], out: &mut [&mut [f32]]) {
        let [first, rest @ ..] = out else { return };
        for y in first[..ctx.frames].iter_mut() {
            let white = self.next();
            *y = match &mut self.color {
                Color::White => white,
                Color::Brown(level) => {
                    // The leak keeps it from wandering off; 0.999 puts the corner near 8 Hz.
                    *level = crate::sanitize(*level * 0.999 + white * 0.012);
                    *level
                }
                Color::Pink(b) => {
                    b[0] = 0.99886 * b[0] + white * 0.055_517_9;
                    b[1] = 0.99332 * b[1] + white * 0.075_075_9;
                    b[2] = 0.96900 * b[2] + white * 0.153_852;
                    b[3] = 0.86650 * b[3] + white * 0.310_485_6;
                    b[4] = 0.55000 * b[4] + white * 0.532_952_2;
                    b[5] = -0.7616 * b[5] - white * 0.016_898;
                    let pink = b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + white * 0.5362;
                    b[6] = white * 0.115_926;
                    pink * 0.11
                }
            };
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes a sine oscillator.
pub fn make_sine(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Oscillator::new(Wave::Sine))
}

/// Makes a band-limited sawtooth.
pub fn make_saw(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Oscillator::new(Wave::Saw))
}

/// Makes a band-limited pulse.
pub fn make_square(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Oscillator::new(Wave::Square))
}

/// Makes a band-limited triangle.
pub fn make_tri(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Oscillator::new(Wave::Triangle))
}

/// Makes white noise.
pub fn make_noise(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Noise::white())
}

/// Makes pink noise.
pub fn make_pink(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Noise::pink())
}

/// Makes brown noise.
pub fn make_brown(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Noise::brown())
}

/// A train of single-sample impulses at a frequency: 1.0 on the first frame of each period,
/// 0 between (a click track, or a trigger).
pub struct Impulse {
    phase: f64,
}

impl Node for Impulse {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let freq = ImpulsePorts::read(inputs).freq;
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            // The phase counts periods; a hair of slack absorbs rounding in the sum.
            let fire = self.phase <= 0.0 || self.phase >= 1.0 - 1e-9;
            if self.phase >= 1.0 - 1e-9 {
                self.phase -= 1.0;
            }
            *y = if fire { 1.0 } else { 0.0 };
            self.phase += f64::from(freq.at(i)) / f64::from(ctx.sample_rate);
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes an impulse train that fires on its first frame.
pub fn make_impulse(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Impulse { phase: 0.0 })
}
