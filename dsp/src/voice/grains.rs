//! `psrate` and `psdisp`: SuperDirt's `dirt_pitch_shift`, SuperCollider's `PitchShift` with
//! its window from the event's length (`sustain` 0.01 to 0.3 s gives 0.01 to 0.18 s): four
//! grains a window long, a quarter window apart, each reading the recent sound at `psrate`
//! times its speed under a triangular window, each started up to `psdisp` seconds further back.

/// The longest window, in seconds.
const MOST_WINDOW: f32 = 0.18;
/// The highest ratio (`PitchShift` holds it to 4).
const MOST_RATIO: f32 = 4.0;
/// Grains sounding at once.
const GRAINS: usize = 4;

/// What one event asks of the shifter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ShiftSettings {
    /// The pitch ratio, 0 to 4.
    ratio: f32,
    /// The window, in seconds.
    window: f32,
    /// The most a grain starts further back, in seconds (at most the window).
    dispersion: f32,
}

impl ShiftSettings {
    /// SuperDirt's mapping: `psrate`, the window from `sustain` (the event's length in
    /// seconds), and `psdisp`.
    pub(crate) fn new(psrate: f32, sustain: f32, psdisp: f32) -> ShiftSettings {
        let window = 0.01 + (sustain.clamp(0.01, 0.3) - 0.01) / 0.29 * (MOST_WINDOW - 0.01);
        ShiftSettings {
            ratio: psrate.clamp(0.0, MOST_RATIO),
            window,
            dispersion: psdisp.clamp(0.0, window),
        }
    }
}

/// One grain: where it is in its window, and its delay behind the write head.
#[derive(Clone, Copy, Default)]
struct Grain {
    /// Frames into its window.
    age: f32,
    delay: f32,
}

/// The memory a pitch-shifted stereo voice needs; an orbit lends it to the voices that ask.
pub(crate) struct GrainShifter {
    lines: [Box<[f32]>; 2],
    write: usize,
    grains: [Grain; GRAINS],
    settings: ShiftSettings,
    /// The window, in frames.
    window: f32,
    seed: u32,
    sample_rate: f32,
}

impl GrainShifter {
    /// Room for the longest window at the highest ratio at `sample_rate`. Allocates.
    pub(crate) fn new(sample_rate: f32) -> GrainShifter {
        // The delay reaches (ratio - 1) windows going up, plus the dispersion (a window).
        let len = (MOST_WINDOW * MOST_RATIO * sample_rate) as usize + 4;
        GrainShifter {
            lines: std::array::from_fn(|_| vec![0.0; len].into_boxed_slice()),
            write: 0,
            grains: [Grain::default(); GRAINS],
            settings: ShiftSettings::new(1.0, 0.3, 0.0),
            window: 1.0,
            seed: 0x6d2b_79f5,
            sample_rate,
        }
    }

    /// Starts an event's shifting from silence.
    pub(crate) fn start(&mut self, settings: ShiftSettings) {
        for line in &mut self.lines {
            line.fill(0.0);
        }
        self.write = 0;
        self.settings = settings;
        self.window = (settings.window * self.sample_rate).max(4.0);
        for k in 0..GRAINS {
            // Started a quarter window apart, each as far on as its age.
            let age = self.window * k as f32 / GRAINS as f32;
            self.grains[k] = Grain {
                age,
                delay: self.first_delay() + age * (1.0 - settings.ratio),
            };
        }
    }

    /// A new grain's delay: where reading at the ratio keeps it within what was written for
    /// its whole window, plus a random part of the dispersion.
    fn first_delay(&mut self) -> f32 {
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 17;
        self.seed ^= self.seed << 5;
        let draw = (self.seed >> 8) as f32 / (1u32 << 24) as f32;
        let behind = (self.settings.ratio - 1.0).max(0.0) * self.window;
        behind + 1.0 + draw * self.settings.dispersion * self.sample_rate
    }

    /// One frame of both channels (`right` ignored when `stereo` is false), in place.
    pub(crate) fn tick(&mut self, left: &mut f32, right: &mut f32, stereo: bool) {
        let len = self.lines[0].len();
        self.lines[0][self.write] = *left;
        self.lines[1][self.write] = *right;
        let mut out = [0.0f32; 2];
        let fall = 1.0 - self.settings.ratio;
        for k in 0..GRAINS {
            if self.grains[k].age >= self.window {
                self.grains[k] = Grain {
                    age: self.grains[k].age - self.window,
                    delay: self.first_delay(),
                };
            }
            let g = self.grains[k];
            // A triangle over the window: four a quarter apart sum to two.
            let phase = g.age / self.window;
            let gain = 0.5 * (1.0 - (2.0 * phase - 1.0).abs());
            let delay = g.delay.clamp(0.0, (len - 2) as f32);
            let whole = delay.floor();
            let frac = delay - whole;
            let a = (self.write + len - whole as usize) % len;
            let b = (a + len - 1) % len;
            for (c, line) in self.lines.iter().enumerate() {
                out[c] += gain * (line[a] + (line[b] - line[a]) * frac);
            }
            self.grains[k].age += 1.0;
            self.grains[k].delay += fall;
        }
        self.write = (self.write + 1) % len;
        *left = out[0];
        if stereo {
            *right = out[1];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{band, level_at, SR};
    use std::f32::consts::TAU;

    fn shifted(freq: f32, settings: ShiftSettings) -> Vec<f32> {
        let mut shifter = GrainShifter::new(SR);
        shifter.start(settings);
        (0..48_000)
            .map(|i| {
                let mut x = 0.5 * (TAU * freq * i as f32 / SR).sin();
                let mut r = 0.0;
                shifter.tick(&mut x, &mut r, false);
                x
            })
            .collect()
    }

    #[test]
    fn superdirts_window_follows_the_events_length() {
        assert_eq!(ShiftSettings::new(2.0, 0.01, 0.0).window, 0.01);
        assert!((ShiftSettings::new(2.0, 1.0, 0.0).window - 0.18).abs() < 1e-6);
        assert_eq!(ShiftSettings::new(9.0, 1.0, 1.0).ratio, 4.0);
        assert!((ShiftSettings::new(2.0, 1.0, 1.0).dispersion - 0.18).abs() < 1e-6);
    }

    #[test]
    fn a_tone_moves_by_the_ratio_up_or_down() {
        for (ratio, heard) in [(2.0, 880.0), (0.5, 220.0), (1.5, 660.0)] {
            let y = shifted(440.0, ShiftSettings::new(ratio, 1.0, 0.0));
            // The grains' overlaps spread the tone a little: measure its band.
            let moved = band(&y, heard - 60.0, heard + 60.0);
            let left = band(&y, 380.0, 500.0);
            assert!(moved > 0.2, "{ratio}: {moved}");
            assert!(left < 0.2 * moved, "{ratio}: {left} {moved}");
        }
    }

    #[test]
    fn at_ratio_one_the_level_stays() {
        let y = shifted(440.0, ShiftSettings::new(1.0, 1.0, 0.0));
        let level = level_at(&y[12_000..], 440.0);
        assert!((level - 0.5).abs() < 0.05, "{level}");
    }
}
