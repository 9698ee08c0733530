//! `--sync midi`: follow an incoming MIDI clock, as a drum machine or DAW sends it. Each pulse's
//! absolute frame is kept; the tempo is the spacing of the last beat's pulses (exact for a
//! steady clock, following a change within a beat), and the position at a block's start is
//! the last pulse's, carried back or on by that spacing. Start (from the top), Stop, Continue
//! and Song Position set whether it runs and where. Everything is fixed-size: the process
//! thread runs it, reading the MIDI input port of the same period.

use super::midi_clock::{CLOCK, CONTINUE, SONG_POSITION, START, STOP};

/// Pulses a beat, and so the spacings the tempo is taken over.
const PULSES: usize = 24;

/// An incoming clock, as far as it has come.
pub struct ClockFollower {
    pulses_per_cycle: f64,
    running: bool,
    /// The index (in pulses from the song's top) the next pulse will have.
    next_index: u64,
    /// The frames of the latest pulses, newest at `newest`, and how many are known.
    frames: [u64; PULSES + 1],
    newest: usize,
    known: usize,
}

impl ClockFollower {
    /// A follower counting `beats_per_cycle` beats a cycle.
    pub fn new(beats_per_cycle: f64) -> ClockFollower {
        ClockFollower {
            pulses_per_cycle: PULSES as f64 * beats_per_cycle.max(1e-3),
            running: false,
            next_index: 0,
            frames: [0; PULSES + 1],
            newest: 0,
            known: 0,
        }
    }

    /// Takes one message that arrived at absolute `frame`.
    pub fn take(&mut self, frame: u64, message: &[u8]) {
        match *message {
            [CLOCK, ..] if self.running => {
                self.newest = (self.newest + 1) % self.frames.len();
                self.frames[self.newest] = frame;
                self.known = (self.known + 1).min(self.frames.len());
                self.next_index += 1;
            }
            [START, ..] => {
                self.running = true;
                self.next_index = 0;
                // The tempo carries over; the position starts again.
                self.known = self.known.min(1);
            }
            [CONTINUE, ..] => self.running = true,
            [STOP, ..] => self.running = false,
            [SONG_POSITION, lsb, msb, ..] => {
                let sixteenths = u64::from(lsb & 0x7f) | (u64::from(msb & 0x7f) << 7);
                self.next_index = sixteenths * 6;
                self.known = self.known.min(1);
            }
            _ => {}
        }
    }

    /// True while the clock runs.
    pub fn running(&self) -> bool {
        self.running
    }

    /// Frames between pulses: the mean over the latest beat (or what there is of it).
    fn spacing(&self) -> Option<f64> {
        if self.known < 2 {
            return None;
        }
        let oldest = (self.newest + self.frames.len() + 1 - self.known) % self.frames.len();
        let span = self.frames[self.newest].saturating_sub(self.frames[oldest]);
        (span > 0).then(|| span as f64 / (self.known - 1) as f64)
    }

    /// The cycle at absolute `frame` and the tempo in cycles per second at `sample_rate`,
    /// once a running clock has given two pulses.
    pub fn position(&self, frame: u64, sample_rate: f64) -> Option<(f64, f64)> {
        if !self.running || self.next_index == 0 {
            return None;
        }
        let spacing = self.spacing()?;
        let last = self.frames[self.newest];
        let pulses = (self.next_index - 1) as f64 + (frame as f64 - last as f64) / spacing;
        Some((
            pulses / self.pulses_per_cycle,
            sample_rate / (spacing * self.pulses_per_cycle),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_clock_gives_its_tempo_and_position_exactly() {
        let mut f = ClockFollower::new(4.0);
        assert!(f.position(0, 48_000.0).is_none());
        f.take(100, &[START]);
        for k in 0..30u64 {
            f.take(1_000 + 1_000 * k, &[CLOCK]);
        }
        // 1,000 frames a pulse at 48 kHz, 96 a cycle: half a cycle a second (120 BPM).
        let (cycle, cps) = f.position(30_500, 48_000.0).unwrap();
        assert!((cps - 0.5).abs() < 1e-12, "{cps}");
        assert!((cycle - 29.5 / 96.0).abs() < 1e-12, "{cycle}");
    }

    #[test]
    fn stop_song_position_and_continue_move_it() {
        let mut f = ClockFollower::new(4.0);
        f.take(0, &[START]);
        for k in 0..10u64 {
            f.take(1_000 * k, &[CLOCK]);
        }
        f.take(10_000, &[STOP]);
        assert!(!f.running());
        assert!(f.position(10_000, 48_000.0).is_none());
        f.take(50_000, &[CLOCK]);
        // Two bars in: 32 sixteenths, 192 pulses.
        f.take(60_000, &[SONG_POSITION, 32, 0]);
        f.take(60_000, &[CONTINUE]);
        f.take(61_000, &[CLOCK]);
        let (cycle, _) = f.position(61_000, 48_000.0).unwrap();
        assert!((cycle - 2.0).abs() < 1e-12, "{cycle}");
    }
}
