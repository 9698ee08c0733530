//! SuperDirt's spectral effects, as its `spectral-*` SynthDefs compute them: `freeze`
//! (`PV_Freeze`), `comb` (`PV_RectComb`), `smear` (`PV_MagSmear`), `scram`
//! (`PV_BinScramble`), `binshift` (`PV_BinShift`), `hbrick` and `lbrick` (`PV_BrickWall`),
//! `real`/`imag` (`PV_ConformalMap`) and `enhance` (`PV_SpectralEnhance`), in that order, on
//! 2048-frame FFTs taken every 1024 frames under a sine window and put back under the same
//! window, as SuperCollider's `FFT`/`IFFT` pair does. The sound comes out 2048 frames later, as
//! there. SuperDirt runs one FFT per effect, so two of these together delay its sound twice as
//! long; here they share one.
//!
//! Bins are numbered as SuperCollider numbers them: DC and Nyquist aside, bin `i` is the
//! spectrum's `i + 1`, and the forward transform is not scaled, so `real`/`imag` map the same
//! numbers SuperDirt's does.

use pattern::{Control, Controls};
use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};
use std::f32::consts::PI;
use std::sync::Arc;

/// Frames per FFT.
pub(crate) const SIZE: usize = 2048;
/// Frames between FFTs.
const HOP: usize = SIZE / 2;
/// SuperCollider's bins: the spectrum but DC and Nyquist.
const BINS: usize = SIZE / 2 - 1;

/// SuperCollider's `linlin`, clipped at the ends.
fn linlin(x: f32, a: f32, b: f32, c: f32, d: f32) -> f32 {
    c + (x.clamp(a, b) - a) / (b - a) * (d - c)
}

/// SuperCollider's `linexp`, clipped at the ends.
fn linexp(x: f32, a: f32, b: f32, c: f32, d: f32) -> f32 {
    c * (d / c).powf((x.clamp(a, b) - a) / (b - a))
}

/// The spectral effects one event asks for, with SuperDirt's mappings of its parameters.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct SpectralSettings {
    freeze: bool,
    /// `PV_RectComb`'s teeth and width.
    comb: Option<(f32, f32)>,
    /// `PV_MagSmear`'s reach, in bins.
    smear: Option<usize>,
    /// `PV_BinScramble`'s wipe and width.
    scram: Option<(f32, f32)>,
    /// `PV_BinShift`'s stretch and shift.
    binshift: Option<(f32, f32)>,
    /// `PV_BrickWall`'s wipes: `hbrick`'s (above 0) and `lbrick`'s (below).
    hbrick: Option<f32>,
    lbrick: Option<f32>,
    /// `PV_ConformalMap`'s `a`.
    conform: Option<Complex32>,
    /// `PV_SpectralEnhance`'s partials, ratio and strength.
    enhance: Option<(f32, f32, f32)>,
}

impl SpectralSettings {
    /// What an event's controls ask for, or `None` when they ask for none.
    pub(crate) fn of(c: &Controls) -> Option<SpectralSettings> {
        let get = |control: Control| c.get(control).map(|v| v as f32);
        let s = SpectralSettings {
            freeze: get(Control::Freeze).is_some_and(|f| f > 0.0),
            comb: get(Control::Comb).map(|comb| (256.0 * comb, 1.0 - comb)),
            smear: get(Control::Smear).map(|s| linexp(s, 0.0, 1.0, 1.0, 64.0) as usize),
            scram: get(Control::Scram).map(|s| (s.clamp(0.0, 1.0), s.clamp(0.0, 1.0))),
            binshift: get(Control::Binshift).map(|b| (linlin(b, 0.0, 1.0, 0.01, 4.0), b * 10.0)),
            hbrick: get(Control::Hbrick).map(|h| h * 0.6),
            lbrick: get(Control::Lbrick).map(|l| linlin(l, 0.0, 1.0, 0.0, -1.0)),
            conform: match (get(Control::Real), get(Control::Imag)) {
                (None, None) => None,
                (re, im) => Some(Complex32::new(
                    linlin(re.unwrap_or(0.5), 0.0, 1.0, 0.01, 2.0),
                    linlin(im.unwrap_or(0.5), 0.0, 1.0, 0.01, 10.0),
                )),
            },
            enhance: get(Control::Enhance).map(|e| {
                (
                    linlin(e, 0.0, 1.0, 1.0, 16.0),
                    linlin(e, 0.0, 1.0, 1.0, 5.0),
                    linlin(e, 0.0, 1.0, 0.0, 0.99),
                )
            }),
        };
        let any = s.freeze
            || s.comb.is_some()
            || s.smear.is_some()
            || s.scram.is_some()
            || s.binshift.is_some()
            || s.hbrick.is_some()
            || s.lbrick.is_some()
            || s.conform.is_some()
            || s.enhance.is_some();
        // `freeze 0` still runs SuperDirt's module (an FFT that changes nothing but the time).
        (any || get(Control::Freeze).is_some()).then_some(s)
    }

    /// True if the output goes through `tanh`, as SuperDirt's conformer and enhancer do.
    fn saturates(&self) -> bool {
        self.conform.is_some() || self.enhance.is_some()
    }
}

/// One channel's frames in and out, and what `freeze` keeps.
struct Channel {
    /// The last [`SIZE`] frames in, as a ring.
    input: Box<[f32]>,
    /// What is still to be added up for the coming [`SIZE`] frames out, as a ring.
    output: Box<[f32]>,
    /// Frames taken in since the event started.
    frames: usize,
    /// `freeze`: how many frames it has learnt from (two give a phase's pace), the last one's
    /// magnitudes and phases, and each phase's advance per frame.
    learnt: u8,
    magnitudes: Box<[f32]>,
    phases: Box<[f32]>,
    advance: Box<[f32]>,
}

impl Channel {
    fn new() -> Channel {
        Channel {
            input: vec![0.0; SIZE].into_boxed_slice(),
            output: vec![0.0; SIZE].into_boxed_slice(),
            frames: 0,
            learnt: 0,
            magnitudes: vec![0.0; SIZE / 2 + 1].into_boxed_slice(),
            phases: vec![0.0; SIZE / 2 + 1].into_boxed_slice(),
            advance: vec![0.0; SIZE / 2 + 1].into_boxed_slice(),
        }
    }
}

/// The memory the spectral effects need for a stereo voice; an orbit lends it to the voices
/// that ask.
pub(crate) struct Spectral {
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    window: Box<[f32]>,
    channels: [Channel; 2],
    spectrum: Box<[Complex32]>,
    shifted: Box<[Complex32]>,
    scratch: Box<[Complex32]>,
    /// `scram`'s draw: the bins in random order, and where each goes.
    from: Box<[u16]>,
    to: Box<[u16]>,
    seed: u32,
    settings: SpectralSettings,
}

impl Spectral {
    /// Room for two channels, its transforms planned by `planner`. Allocates.
    pub(crate) fn new(planner: &mut FftPlanner<f32>) -> Spectral {
        let forward = planner.plan_fft_forward(SIZE);
        let inverse = planner.plan_fft_inverse(SIZE);
        let scratch = forward
            .get_inplace_scratch_len()
            .max(inverse.get_inplace_scratch_len());
        Spectral {
            forward,
            inverse,
            // SuperCollider's sine window; under it twice, half-overlapped frames sum to one.
            window: (0..SIZE)
                .map(|n| (PI * n as f32 / SIZE as f32).sin())
                .collect(),
            channels: [Channel::new(), Channel::new()],
            spectrum: vec![Complex32::default(); SIZE].into_boxed_slice(),
            shifted: vec![Complex32::default(); SIZE].into_boxed_slice(),
            scratch: vec![Complex32::default(); scratch].into_boxed_slice(),
            from: (0..BINS as u16).collect(),
            to: vec![0; BINS].into_boxed_slice(),
            seed: 0x2545_f491,
            settings: SpectralSettings::default(),
        }
    }

    /// Starts an event's effects, forgetting what an earlier one left.
    pub(crate) fn start(&mut self, settings: SpectralSettings) {
        self.settings = settings;
        for c in &mut self.channels {
            c.input.fill(0.0);
            c.output.fill(0.0);
            c.frames = 0;
            c.learnt = 0;
        }
        if let Some((_, width)) = settings.scram {
            self.draw_scramble(width);
        }
    }

    /// `PV_BinScramble`'s draw: the bins in a random order, each sent to a random bin at most
    /// `width` of the spectrum away.
    fn draw_scramble(&mut self, width: f32) {
        let mut next = |below: usize| {
            self.seed ^= self.seed << 13;
            self.seed ^= self.seed >> 17;
            self.seed ^= self.seed << 5;
            self.seed as usize % below.max(1)
        };
        for i in 0..BINS {
            let j = i + next(BINS - i);
            self.from.swap(i, j);
        }
        let reach = (width * BINS as f32) as usize;
        for (to, &from) in self.to.iter_mut().zip(self.from.iter()) {
            let from = from as usize;
            let (lo, hi) = (from.saturating_sub(reach), (from + reach).min(BINS - 1));
            *to = (lo + next(hi - lo + 1)) as u16;
        }
    }

    /// One frame of channel `c`: takes `x` in and gives back the frame [`SIZE`] frames before.
    pub(crate) fn tick(&mut self, c: usize, x: f32) -> f32 {
        let ch = &mut self.channels[c];
        let at = ch.frames % SIZE;
        ch.input[at] = x;
        let y = std::mem::take(&mut ch.output[at]);
        ch.frames += 1;
        if ch.frames % HOP == 0 {
            self.transform(c);
        }
        if self.settings.saturates() {
            y.tanh()
        } else {
            y
        }
    }

    /// The FFT of channel `c`'s last [`SIZE`] frames, the effects, and the frames back, added
    /// to what the next [`SIZE`] frames out will be.
    fn transform(&mut self, c: usize) {
        let ch = &mut self.channels[c];
        let start = ch.frames % SIZE;
        for n in 0..SIZE {
            let x = ch.input[(start + n) % SIZE];
            self.spectrum[n] = Complex32::new(x * self.window[n], 0.0);
        }
        self.forward
            .process_with_scratch(&mut self.spectrum, &mut self.scratch);
        let s = self.settings;
        freeze(ch, &mut self.spectrum, s.freeze);
        if let Some((teeth, width)) = s.comb {
            comb(&mut self.spectrum, teeth, width);
        }
        if let Some(reach) = s.smear {
            smear(&mut self.spectrum, &mut self.shifted, reach);
        }
        if let Some((wipe, _)) = s.scram {
            scramble(
                &mut self.spectrum,
                &mut self.shifted,
                &self.from,
                &self.to,
                wipe,
            );
        }
        if let Some((stretch, shift)) = s.binshift {
            bin_shift(&mut self.spectrum, &mut self.shifted, stretch, shift);
        }
        for wipe in [s.hbrick, s.lbrick].into_iter().flatten() {
            brick_wall(&mut self.spectrum, wipe);
        }
        if let Some(a) = s.conform {
            for z in &mut self.spectrum[1..=BINS] {
                *z = (*z - a) / (Complex32::new(1.0, 0.0) - a.conj() * *z);
            }
        }
        if let Some((partials, ratio, strength)) = s.enhance {
            enhance(&mut self.spectrum, partials, ratio, strength);
        }
        // A real signal's spectrum: the upper half mirrors the lower.
        for k in 1..SIZE / 2 {
            self.spectrum[SIZE - k] = self.spectrum[k].conj();
        }
        self.spectrum[0].im = 0.0;
        self.spectrum[SIZE / 2].im = 0.0;
        self.inverse
            .process_with_scratch(&mut self.spectrum, &mut self.scratch);
        let scale = 1.0 / SIZE as f32;
        for n in 0..SIZE {
            let y = self.spectrum[n].re * self.window[n] * scale;
            ch.output[(start + n) % SIZE] += y;
        }
    }
}

/// `PV_Freeze`: while `on`, the magnitudes of the last frame before it, each bin's phase going
/// on at the pace it had. On from the start, it holds the sound's first whole frame (the
/// 2048 frames from its start).
fn freeze(ch: &mut Channel, spectrum: &mut [Complex32], on: bool) {
    let half = &mut spectrum[..=SIZE / 2];
    if on && ch.learnt >= 2 {
        for (k, z) in half.iter_mut().enumerate() {
            ch.phases[k] += ch.advance[k];
            *z = Complex32::from_polar(ch.magnitudes[k], ch.phases[k]);
        }
        return;
    }
    for (k, z) in half.iter().enumerate() {
        let (magnitude, phase) = z.to_polar();
        ch.advance[k] = phase - ch.phases[k];
        ch.magnitudes[k] = magnitude;
        ch.phases[k] = phase;
    }
    ch.learnt = ch.learnt.saturating_add(1);
}

/// `PV_RectComb` (phase 0): across the bins, `teeth` cycles, each passing the first `width` of
/// it.
fn comb(spectrum: &mut [Complex32], teeth: f32, width: f32) {
    let step = teeth / (BINS + 1) as f32;
    let mut phase = 0.0f32;
    for z in &mut spectrum[..=SIZE / 2] {
        if phase > width {
            *z = Complex32::default();
        }
        phase += step;
        phase -= phase.floor();
    }
}

/// `PV_MagSmear`: each bin's magnitude the mean of those within `reach` bins, its phase kept.
fn smear(spectrum: &mut [Complex32], magnitudes: &mut [Complex32], reach: usize) {
    for (m, z) in magnitudes[1..=BINS].iter_mut().zip(&spectrum[1..=BINS]) {
        m.re = z.norm();
    }
    let width = (2 * reach + 1) as f32;
    for (k, z) in spectrum.iter_mut().enumerate().take(BINS + 1).skip(1) {
        let (lo, hi) = (k.saturating_sub(reach).max(1), (k + reach).min(BINS));
        let sum: f32 = magnitudes[lo..=hi].iter().map(|m| m.re).sum();
        *z = Complex32::from_polar(sum / width, z.arg());
    }
}

/// `PV_BinScramble`: the first `wipe` of the drawn bins go to their drawn places, the rest
/// stay; a bin nothing lands on is silent.
fn scramble(
    spectrum: &mut [Complex32],
    moved: &mut [Complex32],
    from: &[u16],
    to: &[u16],
    wipe: f32,
) {
    let moving = (wipe * BINS as f32) as usize;
    moved[1..=BINS].fill(Complex32::default());
    for (j, (&from, &to)) in from.iter().zip(to).enumerate() {
        let from = from as usize + 1;
        let to = if j < moving { to as usize + 1 } else { from };
        moved[to] = spectrum[from];
    }
    spectrum[1..=BINS].copy_from_slice(&moved[1..=BINS]);
}

/// `PV_BinShift` with interpolation: bin `i` moves to `i × stretch + shift`, shared between
/// the two bins it falls between.
fn bin_shift(spectrum: &mut [Complex32], moved: &mut [Complex32], stretch: f32, shift: f32) {
    moved[1..=BINS].fill(Complex32::default());
    for i in 0..BINS {
        let place = i as f32 * stretch + shift;
        if place < 0.0 {
            continue;
        }
        let at = place as usize;
        let frac = place - at as f32;
        let z = spectrum[i + 1];
        if at < BINS {
            moved[at + 1] += z * (1.0 - frac);
        }
        if at + 1 < BINS {
            moved[at + 2] += z * frac;
        }
    }
    spectrum[1..=BINS].copy_from_slice(&moved[1..=BINS]);
}

/// `PV_BrickWall`: above 0, the lowest `wipe` of the bins silenced; below, the highest.
fn brick_wall(spectrum: &mut [Complex32], wipe: f32) {
    let bins = &mut spectrum[..=SIZE / 2];
    if wipe > 0.0 {
        let edge = ((wipe * BINS as f32) as usize).min(BINS);
        bins[0] = Complex32::default();
        bins[1..=edge].fill(Complex32::default());
        if edge == BINS {
            bins[SIZE / 2] = Complex32::default();
        }
    } else if wipe < 0.0 {
        let edge = (((1.0 + wipe) * BINS as f32).max(0.0)) as usize;
        if edge == 0 {
            bins[0] = Complex32::default();
        }
        bins[edge + 1..].fill(Complex32::default());
    }
}

/// `PV_SpectralEnhance`: from the top down, each bin's magnitude adds `strength / p` of itself
/// to the bin `p × ratio` times as high, for each partial `p` below `partials`.
fn enhance(spectrum: &mut [Complex32], partials: f32, ratio: f32, strength: f32) {
    let top = (BINS as f32 / ratio) as usize;
    for j in (1..=top.min(BINS - 1)).rev() {
        let magnitude = spectrum[j + 1].norm();
        let mut p = 1;
        while (p as f32) < partials {
            let at = ((p * j) as f32 * ratio).round() as usize;
            if at >= BINS {
                break;
            }
            let z = spectrum[at + 1];
            let grown = z.norm() + magnitude * strength / p as f32;
            spectrum[at + 1] = Complex32::from_polar(grown, z.arg());
            p += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{band, level_at, SR};
    use std::f32::consts::TAU;

    fn sine(freq: f32, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|i| 0.5 * (TAU * freq * i as f32 / SR).sin())
            .collect()
    }

    fn settings(pairs: &[(Control, f64)]) -> SpectralSettings {
        let mut c = Controls::default();
        for &(control, value) in pairs {
            c.set(control, value);
        }
        SpectralSettings::of(&c).expect("settings")
    }

    fn run(settings: SpectralSettings, x: &[f32]) -> Vec<f32> {
        let mut spectral = Spectral::new(&mut FftPlanner::new());
        spectral.start(settings);
        x.iter().map(|&x| spectral.tick(0, x)).collect()
    }

    #[test]
    fn untouched_bins_come_back_whole_a_window_late() {
        let x = sine(440.0, 16_384);
        let y = run(settings(&[(Control::Freeze, 0.0)]), &x);
        for i in 4_096..16_384 {
            assert!(
                (y[i] - x[i - SIZE]).abs() < 1e-4,
                "{i}: {} {}",
                y[i],
                x[i - SIZE]
            );
        }
        assert!(y[..SIZE].iter().all(|&v| v.abs() < 1e-6));
    }

    #[test]
    fn brick_walls_keep_one_side_of_their_edge() {
        let tones = [200.0, 8_000.0, 16_000.0];
        let x: Vec<f32> = (0..24_000)
            .map(|i| {
                tones
                    .iter()
                    .map(|&f| 0.3 * (TAU * f * i as f32 / SR).sin())
                    .sum()
            })
            .collect();
        let at = |y: &[f32], f| level_at(&y[8_192..], f);
        let kept = |y: &[f32], f| (at(y, f) - 0.3).abs() < 0.02;
        // hbrick 0.5 silences the lowest 30% of the bins (to 7.2 kHz); lbrick 0.5 the top half
        // (from 12 kHz).
        let high = run(settings(&[(Control::Hbrick, 0.5)]), &x);
        assert!(at(&high, 200.0) < 0.003 && kept(&high, 8_000.0) && kept(&high, 16_000.0));
        let low = run(settings(&[(Control::Lbrick, 0.5)]), &x);
        assert!(kept(&low, 200.0) && kept(&low, 8_000.0) && at(&low, 16_000.0) < 0.003);
    }

    #[test]
    fn freeze_holds_the_first_frame_after_the_sound_stops() {
        let mut x = sine(1_000.0, 4_096);
        x.resize(24_000, 0.0);
        let y = run(settings(&[(Control::Freeze, 1.0)]), &x);
        // The sound stopped at 4,096 frames; frozen, its tone goes on.
        let late = &y[16_000..24_000];
        assert!(level_at(late, 1_000.0) > 0.1, "{}", level_at(late, 1_000.0));
        let plain = run(settings(&[(Control::Freeze, 0.0)]), &x);
        assert!(plain[16_000..].iter().all(|v| v.abs() < 1e-6));
    }

    #[test]
    fn binshift_moves_a_tone_up_the_bins() {
        // binshift 0.5: stretch 2.005, shift 5 bins: 1,031 Hz (bin 43 of SuperCollider's
        // 1,023) lands near bin 91, 2,203 Hz.
        let x = sine(1_031.25, 24_000);
        let y = run(settings(&[(Control::Binshift, 0.5)]), &x);
        let tail = &y[8_192..];
        let moved = level_at(tail, 2_203.0);
        assert!(moved > 4.0 * level_at(tail, 1_031.25), "{moved}");
    }

    #[test]
    fn comb_passes_the_first_half_of_each_tooth() {
        // comb 0.5: 128 teeth over the spectrum, each eight bins (188 Hz) wide, the top half
        // of each silenced: 1,000 Hz (bin 42.7, its tooth's third eighth) passes, 1,078 Hz
        // (bin 46, its sixth) does not.
        let tail = 8_192..24_000;
        for (freq, passes) in [(1_000.0, true), (1_078.125, false)] {
            let x = sine(freq, 24_000);
            let y = run(settings(&[(Control::Comb, 0.5)]), &x);
            let level = level_at(&y[tail.clone()], freq);
            assert_eq!(level > 0.3, passes, "{freq}: {level}");
            assert_eq!(level < 0.05, !passes, "{freq}: {level}");
        }
        // comb 0: no teeth, the sound whole.
        let x = sine(1_078.125, 24_000);
        let whole = run(settings(&[(Control::Comb, 0.0)]), &x);
        assert!((level_at(&whole[tail], 1_078.125) - 0.5).abs() < 0.02);
    }

    #[test]
    fn smear_spreads_a_tone_over_its_neighbours() {
        let x = sine(1_000.0, 40_000);
        let dry = run(settings(&[(Control::Freeze, 0.0)]), &x);
        // smear 1: each bin the mean of 64 either side, out to 2.5 kHz.
        let smeared = run(settings(&[(Control::Smear, 1.0)]), &x);
        let spread = |y: &[f32]| band(y, 1_800.0, 2_400.0) / band(y, 900.0, 1_100.0);
        assert!(spread(&dry) < 0.01, "{}", spread(&dry));
        assert!(spread(&smeared) > 0.1, "{}", spread(&smeared));
        assert!(band(&smeared, 3_000.0, 10_000.0) < 0.1 * band(&smeared, 900.0, 2_400.0));
    }

    #[test]
    fn enhance_adds_partials_and_stays_within_one() {
        let x = sine(500.0, 40_000);
        let y = run(settings(&[(Control::Enhance, 0.5)]), &x);
        // Ratio 3: a partial near three times as high (SuperCollider's bins are the spectrum's
        // less one, so a little below), and one near six.
        let third = band(&y, 1_350.0, 1_550.0) / band(&y, 450.0, 550.0);
        let sixth = band(&y, 2_800.0, 3_050.0) / band(&y, 450.0, 550.0);
        assert!(third > 0.2 && sixth > 0.05, "{third} {sixth}");
        assert!(band(&x, 1_350.0, 1_550.0) < 1e-3);
        assert!(y.iter().all(|v| v.abs() < 1.0));
    }

    #[test]
    fn scramble_keeps_the_level_and_moves_the_tone() {
        let x = sine(1_000.0, 24_000);
        let y = run(settings(&[(Control::Scram, 1.0)]), &x);
        let tail = &y[8_192..];
        assert!(
            level_at(tail, 1_000.0) < 0.25,
            "{}",
            level_at(tail, 1_000.0)
        );
        let rms = (tail.iter().map(|v| v * v).sum::<f32>() / tail.len() as f32).sqrt();
        assert!(rms > 0.05, "{rms}");
    }
}
