//! `tsdelay` and `xsdelay`: SuperDirt's `spectral-delay`, sixteen narrow band-passes from
//! 40 Hz to 17 kHz (`BPF`, rq 0.005), band `i` delayed by `(i & xsdelay) / 16 × tsdelay ×
//! 0.2` seconds, their sum four times over added to a fifth of the sound. A band-pass after a
//! delay is the same as before it, so every band reads one delay line of the sound: a fifth
//! of a second a channel.

use crate::filters::resonant::{Kind, Resonant};

/// Bands.
const BANDS: usize = 16;
/// The longest delay, in seconds (`tsdelay` 1).
const MOST_DELAY: f32 = 0.2;

/// What one event asks of the band delay.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BandDelaySettings {
    /// `tsdelay`, 0 to 1.
    time: f32,
    /// `xsdelay`, whose bits pick the bands delayed.
    pattern: u32,
}

impl BandDelaySettings {
    /// SuperDirt's defaults, 0.5 each, stand in for the one not given; `xsdelay` is taken as
    /// a whole number, as SuperCollider's `&` takes it.
    pub(crate) fn new(tsdelay: Option<f32>, xsdelay: Option<f32>) -> BandDelaySettings {
        BandDelaySettings {
            time: tsdelay.unwrap_or(0.5).clamp(0.0, 1.0),
            pattern: xsdelay.unwrap_or(0.5).max(0.0) as u32,
        }
    }
}

/// The memory the band delay needs for a stereo voice; an orbit lends it to the voices that
/// ask.
pub(crate) struct BandDelay {
    lines: [Box<[f32]>; 2],
    write: usize,
    bands: [Resonant; BANDS],
    /// Each band's delay, in frames.
    delays: [usize; BANDS],
    sample_rate: f32,
}

impl BandDelay {
    /// Room for the longest delay at `sample_rate`. Allocates.
    pub(crate) fn new(sample_rate: f32) -> BandDelay {
        let len = (MOST_DELAY * sample_rate) as usize + 2;
        BandDelay {
            lines: std::array::from_fn(|_| vec![0.0; len].into_boxed_slice()),
            write: 0,
            bands: std::array::from_fn(|_| {
                Resonant::new(Kind::BandPass, 1_000.0, 1.0, sample_rate)
            }),
            delays: [0; BANDS],
            sample_rate,
        }
    }

    /// Starts an event's band delay from silence.
    pub(crate) fn start(&mut self, settings: BandDelaySettings) {
        for line in &mut self.lines {
            line.fill(0.0);
        }
        self.write = 0;
        let longest = self.lines[0].len() - 2;
        for (i, (band, delay)) in self.bands.iter_mut().zip(&mut self.delays).enumerate() {
            let i = i as u32 + 1;
            // `i.linexp(1, 16, 40, 17000)`.
            let freq = 40.0 * (17_000.0f32 / 40.0).powf((i - 1) as f32 / (BANDS - 1) as f32);
            *band = Resonant::new(Kind::BandPass, freq, 0.005, self.sample_rate);
            let seconds = (i & settings.pattern) as f32 / BANDS as f32 * settings.time * MOST_DELAY;
            *delay = ((seconds * self.sample_rate).round() as usize).min(longest);
        }
    }

    /// One frame of channel `c`; [`BandDelay::advance`] after the frame's channels.
    pub(crate) fn tick(&mut self, c: usize, x: f32) -> f32 {
        let line = &mut self.lines[c];
        let len = line.len();
        line[self.write] = x;
        let mut sum = 0.0;
        for (band, &delay) in self.bands.iter_mut().zip(&self.delays) {
            sum += band.tick(c, line[(self.write + len - delay) % len]);
        }
        0.2 * x + 4.0 * sum
    }

    /// Moves on to the next frame.
    pub(crate) fn advance(&mut self) {
        self.write = (self.write + 1) % self.lines[0].len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{level_at, SR};
    use std::f32::consts::TAU;

    fn run(settings: BandDelaySettings, x: &[f32]) -> Vec<f32> {
        let mut delay = BandDelay::new(SR);
        delay.start(settings);
        x.iter()
            .map(|&x| {
                let y = delay.tick(0, x);
                delay.advance();
                y
            })
            .collect()
    }

    #[test]
    fn a_band_comes_through_four_times_over_its_delay_later() {
        // Band 9 is at 40 × 425^(8/15) = 1,006 Hz; xsdelay 9 delays bands 1, 8 and 9 (the bits
        // they share) by 1/16, 8/16 and 9/16 of tsdelay's 0.2 s.
        let settings = BandDelaySettings::new(Some(1.0), Some(9.0));
        let freq = 40.0 * 425.0f32.powf(8.0 / 15.0);
        let mut x: Vec<f32> = (0..48_000)
            .map(|i| 0.1 * (TAU * freq * i as f32 / SR).sin())
            .collect();
        let y = run(settings, &x);
        // In the band (rq 0.005, so a long ring), steady: four times the band (0.4) and a fifth
        // of the sound (0.02) at whatever phase the delay leaves between them.
        let level = level_at(&y[30_000..], freq);
        assert!((0.37..=0.43).contains(&level), "{level}");
        // An impulse: band 9 rings at its frequency from 9/16 × 0.2 s later, not before
        // (the other bands ring at theirs).
        x.iter_mut().for_each(|v| *v = 0.0);
        x[0] = 1.0;
        let y = run(settings, &x);
        let late = (9.0 / 16.0 * 0.2 * SR) as usize;
        let before = level_at(&y[late - 2_000..late - 10], freq);
        let after = level_at(&y[late..late + 1_990], freq);
        assert!(after > 20.0 * before, "{before} {after}");
    }

    #[test]
    fn xsdelay_zero_delays_nothing() {
        let settings = BandDelaySettings::new(Some(1.0), Some(0.0));
        let x: Vec<f32> = (0..4_800)
            .map(|i| ((i * 7919) % 13) as f32 / 13.0 - 0.5)
            .collect();
        let y = run(settings, &x);
        let mut bands: Vec<Resonant> = (0..BANDS)
            .map(|i| {
                let freq = 40.0 * 425.0f32.powf(i as f32 / 15.0);
                Resonant::new(Kind::BandPass, freq, 0.005, SR)
            })
            .collect();
        for (x, y) in x.iter().zip(&y) {
            let sum: f32 = bands.iter_mut().map(|b| b.tick(0, *x)).sum();
            assert!((y - (0.2 * x + 4.0 * sum)).abs() < 1e-5);
        }
    }
}
