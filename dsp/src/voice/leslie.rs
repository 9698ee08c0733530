//! SuperDirt's `dirt_leslie`, an orbit's rotary speaker: the orbit's dry sound, both sides
//! summed (SuperDirt's stereo expansion of it adds them), split at 800 Hz,
//! the lows throbbing in level and the highs swept in delay (the Doppler of a horn `lsize`
//! metres round) and level, each balanced left and right at its own rate. `leslie` is the mix:
//! the dry sound is turned down by it and the rotary sound, 1.2 times, added. Like SuperDirt's
//! global effects it stays off until an event sets one of `leslie`, `lrate`, `lsize`; they are
//! then orbit settings, and `lrate` changes glide (SuperDirt's `Lag`s of 2 to 20 seconds).

use crate::blocks::laws::pan_gains;
use crate::filters::resonant::{Kind, Resonant};
use pattern::{Control, Controls};
use std::f32::consts::TAU;

/// The speed of sound, m/s.
const SOUND: f32 = 343.0;
/// The longest horn delay the line holds, in seconds (a 3.4 m cabinet).
const MAX_DELAY: f32 = 0.01;

/// The rotary speaker of one orbit.
pub struct Leslie {
    /// Off until an event sets a parameter.
    on: bool,
    mix: f32,
    rate: f32,
    size: f32,
    /// The rates as the lags let them move: distance, throb, low balance, high balance.
    lagged: [f32; 4],
    /// Their oscillators' phases, in cycles.
    phases: [f32; 4],
    split: Resonant,
    /// The highs' delay line, and where it is written next.
    line: Box<[f32]>,
    write: usize,
    sample_rate: f32,
}

impl Leslie {
    /// A speaker at rest at `sample_rate`. Allocates.
    pub fn new(sample_rate: f32) -> Leslie {
        let length = (MAX_DELAY * sample_rate) as usize + 4;
        Leslie {
            on: false,
            mix: 0.5,
            rate: 6.7,
            size: 0.3,
            lagged: [6.7, 6.7 * 0.8, 6.7 * 0.8, 6.7],
            // The balances start a quarter turn in, as SuperDirt's `SinOsc.kr(…, pi/2)`.
            phases: [0.0, 0.0, 0.25, 0.25],
            split: Resonant::new(Kind::FlatHighPass, 800.0, 1.0, sample_rate),
            line: vec![0.0; length].into_boxed_slice(),
            write: 0,
            sample_rate,
        }
    }

    /// Takes the settings an event carries; the first one sets the speaker turning.
    pub fn take(&mut self, c: &Controls) {
        let get = |control: Control| c.get(control).map(|v| v as f32);
        if let Some(mix) = get(Control::Leslie) {
            self.mix = mix.clamp(0.0, 1.0);
            self.on = true;
        }
        if let Some(rate) = get(Control::Lrate) {
            self.rate = rate.clamp(0.0, 100.0);
            self.on = true;
        }
        if let Some(size) = get(Control::Lsize) {
            self.size = size.clamp(0.0, MAX_DELAY * SOUND);
            self.on = true;
        }
    }

    /// True once an event has set it turning.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Turns the dry sound `dry` (a copy, taken before the delay and reverb were added to
    /// `out`) down by the mix in `out`, and adds the rotary sound.
    pub fn process(&mut self, dry: [&[f32]; 2], out: [&mut [f32]; 2]) {
        if !self.on {
            return;
        }
        let sr = self.sample_rate;
        let targets = [self.rate, self.rate * 0.8, self.rate * 0.8, self.rate];
        // Each lag reaches 60 dB of the way in its time.
        let lags = [10.0f32, 20.0, 4.0, 2.0].map(|t| 1.0 - (0.001f32.ln() / (t * sr)).exp());
        let len = self.line.len();
        let [left, right] = out;
        for i in 0..left
            .len()
            .min(right.len())
            .min(dry[0].len())
            .min(dry[1].len())
        {
            for k in 0..4 {
                self.lagged[k] += (targets[k] - self.lagged[k]) * lags[k];
            }
            let wave = |phase: f32| (TAU * phase).sin();
            let distance = self.size * (wave(self.phases[0]) + 1.0) * 0.5;
            let throb = self.size * 1.3 * (wave(self.phases[1]) + 1.0) * 0.5;
            let balance_low = 0.2 * wave(self.phases[2]);
            let balance_high = 0.4 * wave(self.phases[3]);
            for k in 0..4 {
                self.phases[k] = (self.phases[k] + self.lagged[k] / sr).fract();
            }
            let x = dry[0][i] + dry[1][i];
            let h = self.split.tick(0, x);
            let low = self.mix * (1.0 - throb) * (x - h);
            self.line[self.write] = h;
            // A fractional read, as `DelayC`.
            let delay = (distance / SOUND * sr).clamp(0.0, (len - 3) as f32);
            let back = delay.floor() as usize;
            let frac = delay.fract();
            let at = |d: usize| self.line[(self.write + len - d) % len];
            let high = self.mix * (1.0 - distance) * (at(back) + (at(back + 1) - at(back)) * frac);
            self.write = (self.write + 1) % len;
            let [ll, lr] = pan_gains((balance_low + 1.0) * 0.5).map(|g| g * low);
            let [hl, hr] = pan_gains((balance_high + 1.0) * 0.5).map(|g| g * high);
            left[i] += 1.2 * (ll + hl) - self.mix * dry[0][i];
            right[i] += 1.2 * (lr + hr) - self.mix * dry[1][i];
        }
    }
}
