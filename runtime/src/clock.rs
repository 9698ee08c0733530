//! The block clock: which span of cycles a block of frames covers, computed from the frame
//! counter and the tempo in exact rational time, never from the wall clock.

use pattern::{Span, Time};

/// The cycle position of every frame, anchored where the tempo last changed.
#[derive(Clone, Debug)]
pub struct BlockClock {
    sample_rate: i64,
    cps: Time,
    /// The frame and cycle at which the current tempo took effect.
    anchor_frame: u64,
    anchor_cycle: Time,
    frame: u64,
}

/// The fraction a tempo in cycles per second is taken as: the closest with a small
/// denominator, so `bpm 128` (128/240 cps) is exactly 8/15.
pub fn tempo(cps: f64) -> Time {
    let cps = if cps.is_finite() && cps > 0.0 {
        cps.clamp(1e-4, 1e4)
    } else {
        0.5
    };
    Time::from_f64(cps)
}

impl BlockClock {
    /// A clock at frame 0, cycle 0.
    pub fn new(sample_rate: u32, cps: f64) -> BlockClock {
        BlockClock {
            sample_rate: i64::from(sample_rate.max(1)),
            cps: tempo(cps),
            anchor_frame: 0,
            anchor_cycle: Time::ZERO,
            frame: 0,
        }
    }

    /// The cycle position of a frame at the current tempo.
    pub fn cycle_at(&self, frame: u64) -> Time {
        let elapsed = frame.saturating_sub(self.anchor_frame) as i64;
        self.anchor_cycle + Time::new(elapsed, self.sample_rate) * self.cps
    }

    /// The span of cycles the next `frames` frames cover.
    pub fn span(&self, frames: usize) -> Span {
        Span::new(
            self.cycle_at(self.frame),
            self.cycle_at(self.frame + frames as u64),
        )
    }

    /// Moves past a block of `frames` frames.
    pub fn advance(&mut self, frames: usize) {
        self.frame += frames as u64;
    }

    /// Frames played so far.
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// The cycle position of the next frame.
    pub fn cycle(&self) -> Time {
        self.cycle_at(self.frame)
    }

    /// The tempo in cycles per second.
    pub fn cps(&self) -> Time {
        self.cps
    }

    /// Changes the tempo from the next frame on; the cycle position continues from where it is.
    pub fn set_cps(&mut self, cps: f64) {
        let cps = tempo(cps);
        if cps != self.cps {
            self.anchor_cycle = self.cycle_at(self.frame).reduced();
            self.anchor_frame = self.frame;
            self.cps = cps;
        }
    }

    /// Moves the next frame to cycle position `cycle` (a relocation), at the current tempo. The
    /// position is taken to the nearest whole frame of the current tempo's grid, so that
    /// spans keep small denominators.
    pub fn locate(&mut self, cycle: f64) {
        let cps = self.cps.to_f64();
        if !cycle.is_finite() || cps <= 0.0 {
            return;
        }
        let frames = (cycle * self.sample_rate as f64 / cps).round();
        self.anchor_cycle = Time::new(frames as i64, self.sample_rate) * self.cps;
        self.anchor_frame = self.frame;
    }

    /// Changes the sample rate from the next frame on, keeping the cycle position.
    pub fn set_sample_rate(&mut self, sample_rate: u32) {
        let rate = i64::from(sample_rate.max(1));
        if rate != self.sample_rate {
            self.anchor_cycle = self.cycle_at(self.frame).reduced();
            self.anchor_frame = self.frame;
            self.sample_rate = rate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pattern::t;

    #[test]
    fn locate_moves_the_next_frame_to_a_cycle_and_keeps_counting_from_it() {
        let mut clock = BlockClock::new(48_000, 0.5);
        clock.advance(1_000);
        clock.locate(3.25);
        assert_eq!(clock.cycle(), t(13, 4));
        clock.advance(96_000);
        assert_eq!(clock.cycle(), t(17, 4));
        // Off the frame grid: the nearest frame's position.
        clock.locate(1.0 + 0.3 / 96_000.0);
        assert_eq!(clock.cycle(), t(1, 1));
    }

    #[test]
    fn consecutive_blocks_share_their_edges() {
        let mut clock = BlockClock::new(44_100, 0.5);
        let mut end = Time::ZERO;
        for frames in [512, 64, 1000, 4096, 17] {
            let span = clock.span(frames);
            assert_eq!(span.begin, end);
            end = span.end;
            clock.advance(frames);
        }
        assert_eq!(end, Time::new(512 + 64 + 1000 + 4096 + 17, 88_200));
    }

    #[test]
    fn a_tempo_change_keeps_the_position() {
        let mut clock = BlockClock::new(48_000, 0.5);
        clock.advance(48_000);
        assert_eq!(clock.cycle(), t(1, 2));
        clock.set_cps(128.0 / 240.0);
        assert_eq!(clock.cps(), t(8, 15));
        assert_eq!(clock.cycle(), t(1, 2));
        clock.advance(48_000 * 15);
        assert_eq!(clock.cycle(), t(1, 2) + Time::from_int(8));
    }

    #[test]
    fn far_frames_stay_exact() {
        let mut clock = BlockClock::new(48_000, 0.5625);
        // A year of continuous play.
        clock.advance(48_000 * 3600 * 24 * 365);
        let span = clock.span(64);
        assert_eq!(span.begin, Time::from_int(3600 * 24 * 365) * t(9, 16));
        assert_eq!(span.end - span.begin, t(64 * 9, 48_000 * 16));
    }

    #[test]
    fn bad_tempos_fall_back() {
        assert_eq!(tempo(f64::NAN), t(1, 2));
        assert_eq!(tempo(-1.0), t(1, 2));
        assert_eq!(tempo(0.5), t(1, 2));
    }
}
