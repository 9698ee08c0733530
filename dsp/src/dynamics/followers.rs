//! Followers and gates: signals that follow another's level (`rms`, `peak_follower`,
//! `amp_follower`), turn it into a gate (`schmidt`) or hold it (`latch`) — the original
//! Phonon's audio analysis nodes, for patching one sound's level into another's parameters.
//! Each reads its input as mono (the middle of a stereo pair) and plays one channel.

use crate::declaration::{Declaration, Port};
use crate::{sanitize, Context, In, Node, Width};

/// The longest window a level is averaged over, in seconds; its buffer is made up front.
const MAX_WINDOW_SECONDS: f32 = 2.0;

/// A time the followers move in.
const SECONDS: Port = Port::signal(0.01, "s").within(1e-5, f32::INFINITY);

/// A window length.
const WINDOW: Port = Port::signal(0.01, "s").within(1e-4, MAX_WINDOW_SECONDS);

/// The mean square of the last `window` samples: a ring of squares and a running sum over the
/// window, moved by the sample that arrives and the one that leaves, and by the samples a
/// changing window takes in or lets go — O(1) a sample for a steady window, O(change) for a
/// moving one. The sum is recomputed once a lap, so rounding never accumulates.
struct MeanSquare {
    squares: Box<[f32]>,
    at: usize,
    window: usize,
    sum: f64,
    since_exact: usize,
}

impl MeanSquare {
    fn new(sample_rate: f32) -> MeanSquare {
        let len = (MAX_WINDOW_SECONDS * sample_rate).ceil().max(1.0) as usize;
        MeanSquare {
            squares: vec![0.0; len].into_boxed_slice(),
            at: 0,
            window: 1,
            sum: 0.0,
            since_exact: 0,
        }
    }

    /// The square `k` samples before the newest (`k` = 1 is the newest).
    fn back(&self, k: usize) -> f64 {
        let len = self.squares.len();
        f64::from(self.squares[(self.at + len - k) % len])
    }

    /// Takes in `x` and gives the mean square of the last `seconds` of input.
    fn push(&mut self, x: f32, seconds: f32, sample_rate: f32) -> f32 {
        let len = self.squares.len();
        let window = ((seconds * sample_rate) as usize).clamp(1, len);
        // Read before the write: with a full-length window it is the slot written now.
        let leaving = self.squares[(self.at + len - self.window) % len];
        self.squares[self.at] = x * x;
        self.at = (self.at + 1) % len;
        self.sum += f64::from(x * x) - f64::from(leaving);
        while self.window < window {
            self.window += 1;
            self.sum += self.back(self.window);
        }
        while self.window > window {
            self.sum -= self.back(self.window);
            self.window -= 1;
        }
        self.since_exact += 1;
        if self.since_exact >= len {
            self.sum = (1..=self.window).map(|k| self.back(k)).sum();
            self.since_exact = 0;
        }
        (self.sum.max(0.0) / window as f64) as f32
    }
}

/// One step of a level that rises at the attack's pace and falls at the release's (one-pole,
/// time constants in seconds).
fn follow(level: f32, target: f32, attack: f32, release: f32, sample_rate: f32) -> f32 {
    let time = if target > level { attack } else { release };
    let k = 1.0 - (-1.0 / (time * sample_rate)).exp();
    level + (target - level) * k
}

crate::ports! {
    /// What `rms` reads.
    pub struct RmsPorts {
        input: Port::input(),
        window: Port { default: 0.05, ..WINDOW },
    }
}

/// `rms`.
pub static RMS: Declaration = Declaration {
    name: "rms",
    aliases: &[],
    ports: RmsPorts::PORTS,
    width: Width::Mono,
    make: |sample_rate, _| {
        Box::new(Rms {
            squares: MeanSquare::new(sample_rate),
        })
    },
    doc: "The input's level: the root mean square over the last `window` seconds (up to 2).",
    example: "out: saw 110 * (s \"bd*4\" # rms 0.05 * 2) * 0.3",
    control: None,
};

/// The root mean square of the input over a sliding window.
pub struct Rms {
    squares: MeanSquare,
}

impl Node for Rms {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = RmsPorts::read(inputs);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let x = sanitize(p.input.at(i));
            *y = self.squares.push(x, p.window.at(i), ctx.sample_rate).sqrt();
        }
        copy_to_rest(first, rest, ctx.frames);
    }
}

crate::ports! {
    /// What `peak_follower` reads.
    pub struct PeakFollowerPorts {
        input: Port::input(),
        attack: Port { default: 0.001, ..SECONDS },
        release: Port { default: 0.1, ..SECONDS },
    }
}

/// `peak_follower`.
pub static PEAK_FOLLOWER: Declaration = Declaration {
    name: "peak_follower",
    aliases: &[],
    ports: PeakFollowerPorts::PORTS,
    width: Width::Mono,
    make: |_, _| Box::new(PeakFollower { level: 0.0 }),
    doc: "The input's peak level, rising in `attack` seconds and falling in `release`.",
    example: "out: saw 55 # lpf (s \"bd*4\" # peak_follower 0.001 0.2 * 3000 + 200) 0.7 * 0.2",
    control: None,
};

/// A peak envelope: the rectified input through separate rise and fall times.
pub struct PeakFollower {
    level: f32,
}

impl Node for PeakFollower {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = PeakFollowerPorts::read(inputs);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let x = sanitize(p.input.at(i)).abs();
            self.level = sanitize(follow(
                self.level,
                x,
                p.attack.at(i),
                p.release.at(i),
                ctx.sample_rate,
            ));
            *y = self.level;
        }
        copy_to_rest(first, rest, ctx.frames);
    }
}

crate::ports! {
    /// What `amp_follower` reads.
    pub struct AmpFollowerPorts {
        input: Port::input(),
        attack: Port { default: 0.01, ..SECONDS },
        release: Port { default: 0.1, ..SECONDS },
        window: Port { default: 0.01, ..WINDOW },
    }
}

/// `amp_follower`.
pub static AMP_FOLLOWER: Declaration = Declaration {
    name: "amp_follower",
    aliases: &[],
    ports: AmpFollowerPorts::PORTS,
    width: Width::Mono,
    make: |sample_rate, _| {
        Box::new(AmpFollower {
            squares: MeanSquare::new(sample_rate),
            level: 0.0,
        })
    },
    doc: "The input's level (RMS over `window` seconds), rising in `attack` seconds and falling in `release`.",
    example: "out: saw 55 * (s \"bd*4\" # amp_follower 0.005 0.2 0.01 * 2) * 0.3",
    control: None,
};

/// A smoothed RMS envelope.
pub struct AmpFollower {
    squares: MeanSquare,
    level: f32,
}

impl Node for AmpFollower {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = AmpFollowerPorts::read(inputs);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let x = sanitize(p.input.at(i));
            let rms = self.squares.push(x, p.window.at(i), ctx.sample_rate).sqrt();
            self.level = sanitize(follow(
                self.level,
                rms,
                p.attack.at(i),
                p.release.at(i),
                ctx.sample_rate,
            ));
            *y = self.level;
        }
        copy_to_rest(first, rest, ctx.frames);
    }
}

crate::ports! {
    /// What `schmidt` reads.
    pub struct SchmidtPorts {
        input: Port::input(),
        high: Port::signal(0.5, ""),
        low: Port::signal(0.3, ""),
    }
}

/// `schmidt`.
pub static SCHMIDT: Declaration = Declaration {
    name: "schmidt",
    aliases: &[],
    ports: SchmidtPorts::PORTS,
    width: Width::Mono,
    make: |_, _| Box::new(Schmidt { high: false }),
    doc: "A gate from a signal: 1 once it rises above `high`, 0 once it falls below `low` (a Schmitt trigger).",
    example: "out: saw 110 * (sine 2 # schmidt 0.7 0.3) * 0.2",
    control: None,
};

/// A Schmitt trigger: two thresholds, so a noisy signal near one does not chatter.
pub struct Schmidt {
    high: bool,
}

impl Node for Schmidt {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = SchmidtPorts::read(inputs);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let x = sanitize(p.input.at(i));
            if !self.high && x > p.high.at(i) {
                self.high = true;
            } else if self.high && x < p.low.at(i) {
                self.high = false;
            }
            *y = if self.high { 1.0 } else { 0.0 };
        }
        copy_to_rest(first, rest, ctx.frames);
    }
}

crate::ports! {
    /// What `latch` reads.
    pub struct LatchPorts {
        input: Port::input(),
        gate: Port::signal(0.0, ""),
    }
}

/// `latch`.
pub static LATCH: Declaration = Declaration {
    name: "latch",
    aliases: &["sample_hold"],
    ports: LatchPorts::PORTS,
    width: Width::Mono,
    make: |_, _| Box::new(Latch { held: 0.0, gate: 0.0 }),
    doc: "Sample and hold: the input's value each time the gate rises through 0.5, held until the next.",
    example: "out: sine (noise # latch (impulse 8) * 400 + 600) * 0.2",
    control: None,
};

/// A sample and hold on the gate's rising edge.
pub struct Latch {
    held: f32,
    gate: f32,
}

impl Node for Latch {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = LatchPorts::read(inputs);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            let gate = sanitize(p.gate.at(i));
            if self.gate < 0.5 && gate >= 0.5 {
                self.held = sanitize(p.input.at(i));
            }
            self.gate = gate;
            *y = self.held;
        }
        copy_to_rest(first, rest, ctx.frames);
    }
}

/// A mono result copied to every other channel asked for.
fn copy_to_rest(first: &[f32], rest: &mut [&mut [f32]], frames: usize) {
    for channel in rest {
        channel[..frames].copy_from_slice(&first[..frames]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_mean_square_equals_the_sum_over_the_window() {
        let rate = 1000.0;
        let mut ms = MeanSquare::new(rate);
        let signal: Vec<f32> = (0..5000)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        for (n, &x) in signal.iter().enumerate() {
            // Steady, then a jump, then a window that moves every sample.
            let seconds = match n {
                0..2500 => 0.05,
                2500..3500 => 0.2,
                _ => 0.01 + 0.15 * ((n as f32) * 0.01).sin().abs(),
            };
            let got = ms.push(x, seconds, rate);
            let window = ((seconds * rate) as usize).max(1);
            let from = (n + 1).saturating_sub(window);
            let want = signal[from..=n].iter().map(|v| v * v).sum::<f32>() / window as f32;
            assert!(
                (got - want).abs() < 1e-4,
                "sample {n}: {got} against {want}"
            );
        }
    }

    #[test]
    fn a_sine_has_its_rms_and_a_follower_settles_on_its_peak() {
        let rate = 48_000.0;
        let mut ms = MeanSquare::new(rate);
        let mut peak = 0.0;
        let mut last = 0.0;
        for i in 0..48_000 {
            let x = (std::f32::consts::TAU * 100.0 * i as f32 / rate).sin() * 0.5;
            last = ms.push(x, 0.1, rate).sqrt();
            peak = follow(peak, x.abs(), 0.0005, 0.5, rate);
        }
        assert!((last - 0.5 / 2f32.sqrt()).abs() < 1e-3, "{last}");
        assert!(peak > 0.45 && peak <= 0.5, "{peak}");
    }
}
