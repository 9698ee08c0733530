//! Mixing a program's outputs, crossfading between two programs and the master section.

use dsp::clamp_output;

/// Two channels of one block, read-only.
#[derive(Clone, Copy)]
pub struct Stereo<'a> {
    /// Left.
    pub left: &'a [f32],
    /// Right (the same slice as `left` for a mono source).
    pub right: &'a [f32],
}

/// The engine's mix channels (the main pair, then a pair per named output), each knowing how
/// many of its first frames are zeros: a silent output (an idle orbit of `phonon dirt`) is then
/// neither cleared again, mixed, mastered nor copied.
pub(crate) struct MixBus {
    channels: Box<[Box<[f32]>]>,
    /// Frames from each channel's start known to hold zeros.
    zeroed: Box<[usize]>,
}

impl MixBus {
    /// `channels` silent channels of `max_block` frames. Allocates.
    pub(crate) fn new(channels: usize, max_block: usize) -> MixBus {
        MixBus {
            channels: (0..channels)
                .map(|_| vec![0.0f32; max_block].into_boxed_slice())
                .collect(),
            zeroed: vec![max_block; channels].into_boxed_slice(),
        }
    }

    /// Channels in all.
    pub(crate) fn len(&self) -> usize {
        self.channels.len()
    }

    /// Silences the first `count` channels for `n` frames, clearing only those that are not.
    pub(crate) fn clear(&mut self, count: usize, n: usize) {
        for (channel, zeroed) in self.channels[..count].iter_mut().zip(&mut self.zeroed[..]) {
            if *zeroed < n {
                channel[..n].fill(0.0);
                *zeroed = n;
            }
        }
    }

    /// True when channel `c` holds zeros for its first `n` frames.
    pub(crate) fn is_silent(&self, c: usize, n: usize) -> bool {
        self.zeroed.get(c).is_some_and(|&z| z >= n)
    }

    /// Channel `c`, to read.
    pub(crate) fn channel(&self, c: usize) -> &[f32] {
        &self.channels[c]
    }

    /// Channel `c`, to write: no longer known to be silent.
    pub(crate) fn write(&mut self, c: usize) -> &mut [f32] {
        self.zeroed[c] = 0;
        &mut self.channels[c]
    }

    /// The first `count` channels, all to write.
    pub(crate) fn write_all(&mut self, count: usize) -> &mut [Box<[f32]>] {
        self.zeroed[..count].fill(0);
        &mut self.channels[..count]
    }

    /// Applies `master` to the first `count` channels for `n` frames, leaving the silent ones
    /// (which it would leave as they are); returns the samples it clamped.
    pub(crate) fn master(&mut self, master: &mut Master, count: usize, n: usize) -> usize {
        let zeroed = &self.zeroed;
        master.process_where(&mut self.channels[..count], n, |c| zeroed[c] < n)
    }
}

/// Seconds a program swap crossfades over.
pub const CROSSFADE_SECONDS: f32 = 0.005;

/// The crossfade from an old program's output to a new one's.
///
/// The gains follow an equal-power law normalised by how alike the two signals are: where the
/// edit changed nothing (the outputs are the same) the sum keeps its level exactly, as a linear
/// fade would; where old and new are unrelated it keeps its power, as an equal-power fade does.
/// The likeness is measured once, over the first block of the fade, so the gain curve is smooth.
#[derive(Clone, Copy, Debug, Default)]
pub struct Crossfade {
    /// Frames faded so far.
    position: usize,
    /// Frames the fade lasts.
    length: usize,
    /// The correlation of old and new, in 0..=1, once measured.
    likeness: Option<f32>,
}

impl Crossfade {
    /// A fade over `length` frames.
    pub fn new(length: usize) -> Crossfade {
        Crossfade {
            position: 0,
            length: length.max(1),
            likeness: None,
        }
    }

    /// True once the new program plays alone.
    pub fn done(&self) -> bool {
        self.position >= self.length
    }

    /// Measures the likeness of the two programs' mixes over this block, if not done yet.
    pub fn measure(&mut self, old: [&[f32]; 2], new: [&[f32]; 2]) {
        if self.likeness.is_some() {
            return;
        }
        let (mut on, mut oo, mut nn) = (0.0f64, 0.0f64, 0.0f64);
        for c in 0..2 {
            let n = (self.length - self.position)
                .min(old[c].len())
                .min(new[c].len());
            for (&a, &b) in old[c][..n].iter().zip(&new[c][..n]) {
                on += f64::from(a) * f64::from(b);
                oo += f64::from(a) * f64::from(a);
                nn += f64::from(b) * f64::from(b);
            }
        }
        let r = if oo == 0.0 || nn == 0.0 {
            0.0
        } else {
            on / (oo * nn).sqrt()
        };
        self.likeness = Some(r.clamp(0.0, 1.0) as f32);
    }

    /// Writes the blend of `old` into `new` (in place) for the block's `frames`.
    pub fn blend(&self, old: &[f32], new: &mut [f32]) {
        let r = self.likeness.unwrap_or(0.0);
        for (i, (y, &x)) in new.iter_mut().zip(old).enumerate() {
            let t = ((self.position + i) as f32 / self.length as f32).min(1.0);
            let angle = t * std::f32::consts::FRAC_PI_2;
            let (g_old, g_new) = (angle.cos(), angle.sin());
            let norm = (1.0 + 2.0 * g_old * g_new * r).sqrt();
            *y = (g_old * x + g_new * *y) / norm;
        }
    }

    /// Moves past a block.
    pub fn advance(&mut self, frames: usize) {
        self.position += frames;
    }
}

/// Where the soft clipper starts bending: below it the master is linear.
pub const SOFT_CLIP_KNEE: f32 = 0.8;

/// A soft clipper: linear up to [`SOFT_CLIP_KNEE`], then bending smoothly (with a continuous
/// slope) towards 1.0, which it never reaches, so integer formats never wrap.
#[inline]
pub fn soft_clip(x: f32) -> f32 {
    let a = x.abs();
    if a <= SOFT_CLIP_KNEE {
        x
    } else {
        let room = 1.0 - SOFT_CLIP_KNEE;
        let y = SOFT_CLIP_KNEE + room * ((a - SOFT_CLIP_KNEE) / room).tanh();
        y.min(1.0 - f32::EPSILON).copysign(x)
    }
}

/// The largest magnitude in `buffer` when every sample is one `clamp_output` leaves as it is
/// (finite, within the output limit, not denormal); `None` otherwise. On the magnitudes' bits,
/// whose order is the magnitudes' (NaN above infinity above the limit).
fn ordinary_peak(buffer: &[f32]) -> Option<f32> {
    // A magnitude's bits have no sign bit, so signed compares order them too: integer max and
    // or are reductions the compiler vectorises on baseline x86-64 (SSE2).
    let lowest = dsp::DENORMAL.to_bits() as i32;
    let highest = dsp::OUTPUT_LIMIT.to_bits() as i32;
    let mut peak = 0i32;
    let mut strange = 0i32;
    for &x in buffer {
        let bits = (x.to_bits() & 0x7fff_ffff) as i32;
        strange |= i32::from((bits != 0) & ((bits < lowest) | (bits > highest)));
        peak = peak.max(bits);
    }
    (strange == 0).then(|| f32::from_bits(peak as u32))
}

/// The master section: gain (smoothed so changes do not click), a fade-out for stopping, the
/// clamp that keeps NaN and runaway values from the outputs, and the soft clipper.
#[derive(Clone, Debug)]
pub struct Master {
    gain: f32,
    target: f32,
    /// Per-frame gain step limit, for about 10 ms to cross the whole range.
    step: f32,
    fade: f32,
    fade_step: f32,
}

impl Master {
    /// A master at `gain` for `sample_rate`.
    pub fn new(gain: f32, sample_rate: u32) -> Master {
        let gain = if gain.is_finite() { gain.max(0.0) } else { 1.0 };
        Master {
            gain,
            target: gain,
            step: 1.0 / (0.01 * sample_rate.max(1) as f32),
            fade: 1.0,
            fade_step: 0.0,
        }
    }

    /// Moves the gain to `gain` over a few milliseconds.
    pub fn set_gain(&mut self, gain: f32) {
        if gain.is_finite() {
            self.target = gain.max(0.0);
        }
    }

    /// Fades everything out over `frames` frames, then stays silent.
    pub fn fade_out(&mut self, frames: usize) {
        self.fade_step = 1.0 / frames.max(1) as f32;
    }

    /// Going to silence or there: a gain of 0 asked for, or a fade-out begun.
    pub fn going_silent(&self) -> bool {
        self.target == 0.0 || self.fade_step > 0.0 || self.fade == 0.0
    }

    /// Undoes a fade-out.
    pub fn fade_in(&mut self) {
        self.fade_step = 0.0;
        self.fade = 1.0;
    }

    /// True once a fade-out has reached silence.
    pub fn silent(&self) -> bool {
        self.fade <= 0.0
    }

    /// Applies the master to the channels of one block; returns how many samples had to be
    /// clamped (NaN, infinite or beyond the output limit).
    pub fn process<B: AsMut<[f32]>>(&mut self, channels: &mut [B], frames: usize) -> usize {
        self.process_where(channels, frames, |_| true)
    }

    /// [`Master::process`] of the channels `sounding` accepts (by index); the others must be
    /// silent, which the master leaves silent.
    fn process_where<B: AsMut<[f32]>>(
        &mut self,
        channels: &mut [B],
        frames: usize,
        sounding: impl Fn(usize) -> bool,
    ) -> usize {
        let mut clamped = 0;
        if self.gain == self.target && self.fade_step == 0.0 {
            // A steady gain (nearly always): channel by channel, which vectorises; the same
            // samples as the loop below would give. A channel of ordinary samples that stays
            // under the knee (silence, most music) needs neither the clamp nor the clipper.
            let g = self.gain * self.fade;
            for (_, buffer) in channels
                .iter_mut()
                .enumerate()
                .filter(|(c, _)| sounding(*c))
            {
                let buffer = &mut buffer.as_mut()[..frames];
                match ordinary_peak(buffer) {
                    Some(peak) if peak * g <= SOFT_CLIP_KNEE => {
                        if g != 1.0 {
                            buffer.iter_mut().for_each(|y| *y *= g);
                        }
                    }
                    _ => {
                        clamped += clamp_output(buffer);
                        buffer.iter_mut().for_each(|y| *y = soft_clip(*y * g));
                    }
                }
            }
            return clamped;
        }
        for (_, buffer) in channels
            .iter_mut()
            .enumerate()
            .filter(|(c, _)| sounding(*c))
        {
            clamped += clamp_output(&mut buffer.as_mut()[..frames]);
        }
        for i in 0..frames {
            let delta = (self.target - self.gain).clamp(-self.step, self.step);
            self.gain += delta;
            self.fade = (self.fade - self.fade_step).max(0.0);
            let g = self.gain * self.fade;
            for (_, buffer) in channels
                .iter_mut()
                .enumerate()
                .filter(|(c, _)| sounding(*c))
            {
                let y = &mut buffer.as_mut()[i];
                *y = soft_clip(*y * g);
            }
        }
        clamped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_clip_is_linear_below_the_knee_and_bounded_above() {
        assert_eq!(soft_clip(0.5), 0.5);
        assert_eq!(soft_clip(-0.8), -0.8);
        for x in [0.81f32, 1.0, 2.0, 100.0, 1e30] {
            let y = soft_clip(x);
            assert!(y > SOFT_CLIP_KNEE && y < 1.0, "{x} -> {y}");
            assert_eq!(soft_clip(-x), -y);
        }
        // The slope is continuous at the knee.
        let d = 1e-3;
        let below = (soft_clip(SOFT_CLIP_KNEE) - soft_clip(SOFT_CLIP_KNEE - d)) / d;
        let above = (soft_clip(SOFT_CLIP_KNEE + d) - soft_clip(SOFT_CLIP_KNEE)) / d;
        assert!((below - above).abs() < 0.01, "{below} vs {above}");
    }

    #[test]
    fn a_steady_master_gives_the_clamped_and_clipped_samples_whatever_the_channel_holds() {
        let quiet: Vec<f32> = (0..131).map(|i| ((i % 17) as f32 - 8.0) / 16.0).collect();
        let loud: Vec<f32> = quiet.iter().map(|x| x * 3.0).collect();
        let mut odd = quiet.clone();
        odd[3] = f32::NAN;
        odd[50] = 1e-30;
        odd[90] = f32::NEG_INFINITY;
        odd[130] = 40.0;
        let silent = vec![0.0f32; 131];
        for gain in [1.0f32, 0.5, 2.0] {
            for channel in [&quiet, &loud, &odd, &silent] {
                let mut expected = channel.clone();
                let expected_clamps = clamp_output(&mut expected);
                expected.iter_mut().for_each(|y| *y = soft_clip(*y * gain));
                let mut out = channel.clone();
                let clamps = Master::new(gain, 48_000).process(&mut [&mut out[..]], 131);
                assert_eq!(clamps, expected_clamps);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&out), bits(&expected), "gain {gain}");
            }
        }
    }

    #[test]
    fn master_clamps_nan_and_fades_out() {
        let mut master = Master::new(1.0, 48_000);
        let mut left = [f32::NAN, 0.5, f32::INFINITY, 0.25];
        let mut right = [0.1f32; 4];
        let clamped = master.process(&mut [&mut left[..], &mut right[..]], 4);
        assert_eq!(clamped, 2);
        assert_eq!(left[0], 0.0);
        assert!(left[2] < 1.0);
        master.fade_out(4);
        let mut left = [0.5f32; 8];
        let mut right = [0.5f32; 8];
        master.process(&mut [&mut left[..], &mut right[..]], 8);
        assert!(left[0] > 0.0 && left[0] < 0.5);
        assert_eq!(left[7], 0.0);
        assert!(master.silent());
    }

    #[test]
    fn crossfade_keeps_the_level_of_identical_signals() {
        let old = vec![0.5f32; 240];
        let mut new = old.clone();
        let mut fade = Crossfade::new(240);
        fade.measure([&old, &old], [&new, &new]);
        fade.blend(&old, &mut new);
        for y in new {
            assert!((y - 0.5).abs() < 1e-6, "{y}");
        }
    }

    #[test]
    fn crossfade_keeps_the_power_of_unrelated_signals() {
        // Two orthogonal signals: the sum of powers stays constant through the fade.
        let n = 4800;
        let old: Vec<f32> = (0..n).map(|i| (i as f32 * 0.3).sin()).collect();
        let new: Vec<f32> = (0..n).map(|i| (i as f32 * 0.3).cos()).collect();
        let mut out = new.clone();
        let mut fade = Crossfade::new(n);
        fade.measure([&old, &old], [&new, &new]);
        fade.blend(&old, &mut out);
        let power = |s: &[f32]| s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32;
        for k in 0..8 {
            let window = &out[k * 600..(k + 1) * 600];
            assert!((power(window) - 0.5).abs() < 0.02, "{}", power(window));
        }
    }
}
