//! Convolution reverb: the input convolved with an impulse response (a sound from the sample
//! bank, or a built-in room), by uniformly partitioned overlap-save FFT convolution. FFT plans,
//! spectra and scratch are made with the node; processing allocates nothing. The output lags
//! the input by one partition ([`PARTITION`] frames).

use crate::declaration::Port;
use crate::{downcast, sanitize, Carry, Context, In, Node};
use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// Frames per partition: the latency.
pub const PARTITION: usize = 128;
/// The longest impulse response used, in seconds (longer ones are cut).
pub const MAX_IR_SECONDS: f32 = 3.0;

/// A partitioned convolver. Inputs: signal, mix (0 dry to 1 wet).
pub struct Convolver {
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    /// The impulse response's partitions, as spectra of `2 * PARTITION` bins each.
    filters: Box<[Complex32]>,
    /// The last spectra of the input, newest at `newest`, one per partition.
    history: Box<[Complex32]>,
    newest: usize,
    /// The previous and the current input partition, in the time domain.
    window: Box<[f32]>,
    /// Frames of the current partition filled so far.
    filled: usize,
    /// The output of the last partition, played while the next fills.
    output: Box<[f32]>,
    dry: Box<[f32]>,
    spectrum: Box<[Complex32]>,
    sum: Box<[Complex32]>,
    scratch: Box<[Complex32]>,
}

impl Convolver {
    /// A convolver for `ir` (mono, at the engine's rate). Allocates.
    pub fn new(ir: &[f32]) -> Convolver {
        let size = 2 * PARTITION;
        let mut planner = FftPlanner::<f32>::new();
        let forward = planner.plan_fft_forward(size);
        let inverse = planner.plan_fft_inverse(size);
        let parts = ir.len().div_ceil(PARTITION).max(1);
        let mut filters = vec![Complex32::default(); parts * size].into_boxed_slice();
        let scratch_len = forward
            .get_inplace_scratch_len()
            .max(inverse.get_inplace_scratch_len());
        let mut scratch = vec![Complex32::default(); scratch_len].into_boxed_slice();
        for (p, chunk) in ir.chunks(PARTITION).enumerate() {
            let spectrum = &mut filters[p * size..(p + 1) * size];
            for (bin, &x) in spectrum.iter_mut().zip(chunk) {
                *bin = Complex32::new(x, 0.0);
            }
            forward.process_with_scratch(spectrum, &mut scratch);
        }
        Convolver {
            forward,
            inverse,
            filters,
            history: vec![Complex32::default(); parts * size].into_boxed_slice(),
            newest: 0,
            window: vec![0.0; size].into_boxed_slice(),
            filled: 0,
            output: vec![0.0; PARTITION].into_boxed_slice(),
            dry: vec![0.0; PARTITION].into_boxed_slice(),
            spectrum: vec![Complex32::default(); size].into_boxed_slice(),
            sum: vec![Complex32::default(); size].into_boxed_slice(),
            scratch,
        }
    }

    /// Convolves the partition just filled; its result plays during the next.
    fn partition(&mut self) {
        let size = 2 * PARTITION;
        let parts = self.history.len() / size;
        for (bin, &x) in self.spectrum.iter_mut().zip(self.window.iter()) {
            *bin = Complex32::new(x, 0.0);
        }
        self.forward
            .process_with_scratch(&mut self.spectrum, &mut self.scratch);
        self.newest = (self.newest + 1) % parts;
        self.history[self.newest * size..(self.newest + 1) * size].copy_from_slice(&self.spectrum);
        self.sum.fill(Complex32::default());
        // Real signals have conjugate-symmetric spectra: multiply the lower half (and the
        // middle bin), then mirror it.
        let half = PARTITION + 1;
        for p in 0..parts {
            // Partition p of the response meets the input from p partitions ago.
            let k = (self.newest + parts - p) % parts;
            let x = &self.history[k * size..k * size + half];
            let h = &self.filters[p * size..p * size + half];
            for ((y, &a), &b) in self.sum[..half].iter_mut().zip(x).zip(h) {
                *y += a * b;
            }
        }
        for bin in 1..PARTITION {
            self.sum[size - bin] = self.sum[bin].conj();
        }
        self.inverse
            .process_with_scratch(&mut self.sum, &mut self.scratch);
        let scale = 1.0 / size as f32;
        for (y, v) in self.output.iter_mut().zip(&self.sum[PARTITION..]) {
            *y = sanitize(v.re * scale);
        }
        self.window.copy_within(PARTITION.., 0);
    }
}

crate::ports! {
    /// What the convolver reads.
    pub struct ConvolvePorts {
        input: Port::input(),
        mix: Port::mix(1.0),
    }
}

impl Node for Convolver {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = ConvolvePorts::read(inputs);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let mix = p.mix.at(i);
            let v = sanitize(p.input.raw(i));
            let k = self.filled;
            self.window[PARTITION + k] = v;
            // The dry signal is delayed as much as the wet, so they stay aligned.
            let dry = std::mem::replace(&mut self.dry[k], v);
            *y = dry * (1.0 - mix) + self.output[k] * mix;
            self.filled += 1;
            if self.filled == PARTITION {
                self.filled = 0;
                self.partition();
            }
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }

    /// Keeps its own (perhaps edited) impulse response and takes the older convolver's recent
    /// input, so the tail goes on through the new response instead of stopping at the edit.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<Convolver>(old) {
            if old.history.len() == self.history.len() {
                std::mem::swap(&mut self.history, &mut old.history);
                self.newest = old.newest;
            }
            std::mem::swap(&mut self.window, &mut old.window);
            std::mem::swap(&mut self.output, &mut old.output);
            std::mem::swap(&mut self.dry, &mut old.dry);
            self.filled = old.filled;
        }
        Carry::Taken
    }
}

/// The built-in impulse response: a small room, 0.8 s of exponentially decaying noise after a
/// few early reflections, with unit energy.
pub fn room(sample_rate: f32) -> Vec<f32> {
    let length = (0.8 * sample_rate) as usize;
    let mut seed = 0x2545_f491u32;
    let mut ir: Vec<f32> = (0..length)
        .map(|k| {
            let noise = crate::xorshift_noise(&mut seed);
            // -60 dB at 0.8 s.
            noise * (-6.9 * k as f32 / length as f32).exp()
        })
        .collect();
    for (ms, gain) in [(0.0, 1.0), (7.0, 0.6), (13.0, 0.45), (19.0, 0.35)] {
        if let Some(x) = ir.get_mut((ms * 0.001 * sample_rate) as usize) {
            *x += gain;
        }
    }
    let energy: f32 = ir.iter().map(|x| x * x).sum::<f32>().sqrt();
    ir.iter_mut().for_each(|x| *x /= energy.max(1e-9));
    ir
}
