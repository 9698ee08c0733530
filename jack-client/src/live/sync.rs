//! Following a JACK timebase master (`phonon live --sync jack`): the cycle position and tempo
//! from the bar, beat and tick it publishes with each period.
//!
//! A master's tick is a whole number (1,920 to a beat is usual, about 12 frames at 120 BPM), so
//! one period's BBT places the beat only to within a tick. While the tempo holds, every period
//! narrows that down: the exact position at the segment's start must agree with each
//! observation, so the follower keeps the interval all of them allow, and within a few dozen
//! periods it is well under a frame. The tick is taken as truncated, as masters compute it
//! (Ardour and Hydrogen cast a fractional tick to an integer); a master that rounded would
//! be followed half a tick late, which no observation can tell apart. A relocation or a tempo
//! change starts a new segment.
//!
//! A BBT that contradicts the segment is held back, not followed, while it is the last
//! period's again: a master whose timebase callback runs late leaves the last BBT under the
//! new periods' frames, which would place the beat a period or more late and then take dozens
//! of periods to refine again. So is one new BBT that contradicts it; a second in a row starts
//! the new segment: a master that moved its bar lines is followed a period later.

/// What a timebase master publishes for a period's first frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bbt {
    /// The transport frame.
    pub frame: u32,
    /// The bar, from 1.
    pub bar: usize,
    /// The beat in the bar, from 1.
    pub beat: usize,
    /// The tick in the beat, from 0.
    pub tick: usize,
    /// Beats in a bar.
    pub beats_per_bar: f64,
    /// Ticks in a beat.
    pub ticks_per_beat: f64,
    /// The tempo.
    pub beats_per_minute: f64,
}

/// Where the engine should be: the cycle at the period's first frame and the tempo.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Position {
    /// Cycles since bar 1, beat 1.
    pub cycle: f64,
    /// Cycles per second.
    pub cps: f64,
}

/// A stretch of constant tempo and metre since a transport frame.
#[derive(Clone, Copy, Debug)]
struct Segment {
    frame: u32,
    beats_per_minute: f64,
    beats_per_bar: f64,
    /// The exact beat position at `frame` lies in `lo..=hi`.
    lo: f64,
    hi: f64,
}

/// Turns a timebase master's BBT into cycle positions, refining the beat's phase while the
/// tempo holds.
#[derive(Clone, Debug)]
pub struct BbtFollower {
    sample_rate: f64,
    /// Beats in one cycle; `None`: a bar is a cycle.
    beats_per_cycle: Option<f64>,
    segment: Option<Segment>,
    /// The last period's BBT contradicted the segment and was held back.
    held: bool,
    /// The last period's BBT.
    last: Option<Bbt>,
}

impl BbtFollower {
    /// A follower at `sample_rate`, with `beats_per_cycle` beats to a cycle (a bar if `None`).
    pub fn new(sample_rate: u32, beats_per_cycle: Option<f64>) -> BbtFollower {
        BbtFollower {
            sample_rate: f64::from(sample_rate.max(1)),
            beats_per_cycle,
            segment: None,
            held: false,
            last: None,
        }
    }

    /// Forgets the segment (the master went away).
    pub fn reset(&mut self) {
        self.segment = None;
        self.held = false;
        self.last = None;
    }

    /// The position for the period `bbt` describes.
    pub fn position(&mut self, bbt: &Bbt) -> Position {
        let per_frame = bbt.beats_per_minute / 60.0 / self.sample_rate;
        let ticks = bbt.ticks_per_beat.max(1.0);
        let observed = (bbt.bar.max(1) - 1) as f64 * bbt.beats_per_bar
            + (bbt.beat.max(1) - 1) as f64
            + bbt.tick as f64 / ticks;
        let width = 1.0 / ticks;
        // The master's last BBT again under a later frame: it has not written this period's.
        let stale = self.last.is_some_and(|last| {
            (last.bar, last.beat, last.tick) == (bbt.bar, bbt.beat, bbt.tick)
                && last.frame != bbt.frame
        });
        self.last = Some(*bbt);
        let mut contradicted = false;
        let continued = self.segment.and_then(|s| {
            let same = s.beats_per_minute == bbt.beats_per_minute
                && s.beats_per_bar == bbt.beats_per_bar
                && bbt.frame >= s.frame;
            if !same {
                return None;
            }
            // The exact position at the segment's start, as this period's tick allows it.
            let at_start = observed - f64::from(bbt.frame - s.frame) * per_frame;
            let (lo, hi) = (s.lo.max(at_start), s.hi.min(at_start + width));
            // Floating-point noise aside, an empty interval means the transport moved, or the
            // master was late.
            if lo > hi + 1e-3 * per_frame {
                contradicted = !stale;
                return (stale || !self.held).then_some(s);
            }
            Some(Segment {
                lo: lo.min(hi),
                hi: hi.max(lo),
                ..s
            })
        });
        self.held = (contradicted || self.held && stale) && continued.is_some();
        let segment = continued.unwrap_or(Segment {
            frame: bbt.frame,
            beats_per_minute: bbt.beats_per_minute,
            beats_per_bar: bbt.beats_per_bar,
            lo: observed,
            hi: observed + width,
        });
        self.segment = Some(segment);
        let beat =
            (segment.lo + segment.hi) / 2.0 + f64::from(bbt.frame - segment.frame) * per_frame;
        let beats_per_cycle = self.beats_per_cycle.unwrap_or(bbt.beats_per_bar).max(1e-3);
        Position {
            cycle: beat / beats_per_cycle,
            cps: bbt.beats_per_minute / 60.0 / beats_per_cycle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A master at `bpm` whose beat 0 is at transport frame `origin`, with 1,920 ticks a beat
    /// and 4 beats a bar, truncating its tick as most do.
    fn master(frame: u32, origin: f64, bpm: f64) -> (Bbt, f64) {
        let beats = (f64::from(frame) - origin) * bpm / 60.0 / 48_000.0;
        let bar = (beats / 4.0).floor();
        let in_bar = beats - bar * 4.0;
        let beat = in_bar.floor();
        let tick = ((in_bar - beat) * 1920.0).floor();
        (
            Bbt {
                frame,
                bar: bar as usize + 1,
                beat: beat as usize + 1,
                tick: tick as usize,
                beats_per_bar: 4.0,
                ticks_per_beat: 1920.0,
                beats_per_minute: bpm,
            },
            beats,
        )
    }

    /// How far (in frames) the follower's position is from the master's exact one after
    /// `periods` periods of 128 frames from `start`.
    fn error_after(follower: &mut BbtFollower, start: u32, periods: u32, bpm: f64) -> f64 {
        let mut error = f64::INFINITY;
        for k in 0..periods {
            let (bbt, exact) = master(start + 128 * k, 0.0, bpm);
            let p = follower.position(&bbt);
            error = (p.cycle * 4.0 - exact) * 60.0 * 48_000.0 / bpm;
            assert!((p.cps - bpm / 240.0).abs() < 1e-12);
        }
        error
    }

    #[test]
    fn the_phase_converges_to_under_a_frame_within_a_few_dozen_periods() {
        for bpm in [120.0, 133.0, 97.5, 174.0] {
            let mut follower = BbtFollower::new(48_000, None);
            let first = error_after(&mut follower, 48_000, 1, bpm);
            // Half a tick at first: the middle of the tick the master reported.
            assert!(
                first.abs() <= 0.5 * 48_000.0 * 60.0 / bpm / 1920.0 + 1e-6,
                "{bpm}: {first}"
            );
            let settled = error_after(&mut follower, 48_128, 60, bpm);
            assert!(
                settled.abs() < 0.5,
                "{bpm} BPM: {settled} frames off after 60 periods"
            );
        }
    }

    #[test]
    fn a_relocation_or_a_tempo_change_starts_again() {
        let mut follower = BbtFollower::new(48_000, None);
        error_after(&mut follower, 0, 60, 120.0);
        // Relocated backwards, then forwards by an odd amount.
        assert!(error_after(&mut follower, 10_000, 60, 120.0).abs() < 0.5);
        assert!(error_after(&mut follower, 1_000_003, 60, 120.0).abs() < 0.5);
        // A new tempo (the master's beat 0 stays at frame 0 in this model).
        assert!(error_after(&mut follower, 2_000_000, 60, 150.0).abs() < 0.5);
    }

    /// A master late for one period or several leaves its last BBT under the new frames: the
    /// follower stays on the beat through them. A master that moved its bar lines is followed
    /// from its second period on.
    #[test]
    fn a_late_masters_stale_bbt_is_held_back_and_a_moved_bar_line_followed() {
        let mut follower = BbtFollower::new(48_000, None);
        error_after(&mut follower, 0, 60, 120.0);
        let frames_off =
            |p: Position, exact: f64| (p.cycle * 4.0 - exact) * 60.0 * 48_000.0 / 120.0;
        for k in 60..200u32 {
            let frame = 128 * k;
            let (mut bbt, exact) = master(frame, 0.0, 120.0);
            // Late for one period at 100, for three from 150.
            let late = match k {
                100 => 1,
                150..=152 => k - 149,
                _ => 0,
            };
            if late > 0 {
                // The last BBT the master wrote, under this period's frame.
                bbt = Bbt {
                    frame,
                    ..master(frame - 128 * late, 0.0, 120.0).0
                };
            }
            let off = frames_off(follower.position(&bbt), exact);
            assert!(off.abs() < 0.5, "period {k}: {off} frames from the master");
        }
        // The master's beat 0 moves 1,000 frames later: held for one period, then followed,
        // to within half a tick at first.
        let (bbt, _) = master(200 * 128, 1_000.0, 120.0);
        follower.position(&bbt);
        for k in 201..261u32 {
            let (bbt, exact) = master(128 * k, 1_000.0, 120.0);
            let off = frames_off(follower.position(&bbt), exact);
            assert!(
                off.abs() < 6.5,
                "period {k}: {off} frames from the moved master"
            );
        }
        let (bbt, exact) = master(261 * 128, 1_000.0, 120.0);
        assert!(frames_off(follower.position(&bbt), exact).abs() < 0.5);
    }

    /// Periods JACK skipped (an xrun, a machine too busy): the next period's position is the
    /// master's at once, and the engine following it jumps there, not drifts.
    #[test]
    fn after_skipped_periods_the_engine_is_at_the_masters_position_at_once() {
        let mut follower = BbtFollower::new(48_000, None);
        error_after(&mut follower, 0, 60, 120.0);
        let (mut engine, _controller) = runtime::engine(
            runtime::EngineConfig {
                sample_rate: 48_000,
                max_block: 128,
                ..runtime::EngineConfig::default()
            },
            std::sync::Arc::new(dsp::samples::bank::SampleBank::new(48_000)),
        )
        .expect("an engine");
        let mut out = [[0.0f32; 128]; 2];
        let mut frame = 60 * 128;
        for k in 0..200u32 {
            if k % 7 == 3 {
                // One to three periods that never ran.
                frame += 128 * (1 + k % 3);
            }
            let (bbt, beats) = master(frame, 0.0, 120.0);
            let p = follower.position(&bbt);
            engine.follow(p.cycle, p.cps);
            let off = (engine.cycle().to_f64() * 4.0 - beats) * 60.0 * 48_000.0 / 120.0;
            assert!(off.abs() < 0.5, "period {k}: {off} frames from the master");
            let [l, r] = &mut out;
            engine.process(128, &[], &mut [&mut l[..], &mut r[..]]);
            frame += 128;
        }
    }

    #[test]
    fn beats_per_cycle_overrides_the_bar() {
        let mut follower = BbtFollower::new(48_000, Some(2.0));
        let (bbt, beats) = master(96_000, 0.0, 120.0);
        let p = follower.position(&bbt);
        assert!((p.cycle - beats / 2.0).abs() < 1e-3);
        assert!((p.cps - 1.0).abs() < 1e-12);
    }
}
