//! Wall-clock time (what OSC time tags say) to the monotonic clock JACK's frame times are on.
//!
//! Tidal and Strudel stamp each event with the system's real-time clock. JACK's cycle times
//! (`jack_get_time`) run on `CLOCK_MONOTONIC` in microseconds. The offset between the two is
//! measured from paired reads — the real-time read taken between two monotonic reads, the
//! tightest of several pairs — and followed smoothly, so that an NTP slew moves events by
//! microseconds, never by a jump.

/// The offset from the real-time clock to the monotonic clock, in microseconds.
#[derive(Clone, Copy, Debug)]
pub struct WallClock {
    offset: i64,
    /// Added on top: the audio clock's distance from `CLOCK_MONOTONIC`, where it has one.
    shift: i64,
}

// `time_t` and `c_long` are i64 here but not on every target.
#[allow(clippy::unnecessary_cast)]
fn read(clock: libc::clockid_t) -> i64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: writes into `t`, which lives across the call.
    unsafe { libc::clock_gettime(clock, &mut t) };
    t.tv_sec as i64 * 1_000_000 + t.tv_nsec as i64 / 1_000
}

/// `CLOCK_MONOTONIC` in microseconds: JACK's clock.
pub fn monotonic_micros() -> u64 {
    read(libc::CLOCK_MONOTONIC) as u64
}

/// `CLOCK_REALTIME` in microseconds since the Unix epoch.
pub fn unix_micros() -> u64 {
    read(libc::CLOCK_REALTIME) as u64
}

/// How far `clock` (µs) is ahead of `CLOCK_MONOTONIC`: each of eight reads of it taken between
/// two monotonic reads, the tightest pair kept. One pair alone is off by half of whatever
/// preempted it; on a loaded machine that is hundreds of µs, and every event timed by it with
/// it.
pub fn ahead_of_monotonic(mut clock: impl FnMut() -> i64) -> i64 {
    (0..8)
        .map(|_| {
            let before = read(libc::CLOCK_MONOTONIC);
            let time = clock();
            let after = read(libc::CLOCK_MONOTONIC);
            (after - before, time - (before + after) / 2)
        })
        .min_by_key(|&(gap, _)| gap)
        .map_or(0, |(_, ahead)| ahead)
}

impl WallClock {
    /// A clock with a given offset (tests).
    pub fn fixed(offset: i64) -> WallClock {
        WallClock { offset, shift: 0 }
    }

    /// Measures the offset now.
    pub fn measure() -> WallClock {
        WallClock {
            offset: Self::sample(),
            shift: 0,
        }
    }

    /// Times are wanted on a clock `shift` µs ahead of `CLOCK_MONOTONIC` (JACK's, measured by
    /// the caller; 0 on Linux, where JACK uses the monotonic clock).
    pub fn with_shift(self, shift: i64) -> WallClock {
        WallClock { shift, ..self }
    }

    /// The offset from the tightest of eight paired reads.
    fn sample() -> i64 {
        -ahead_of_monotonic(|| read(libc::CLOCK_REALTIME))
    }

    /// Measures again and moves a tenth of the way there (a step over 50 ms, as after the
    /// system clock was set, is taken at once).
    pub fn follow(&mut self) {
        let now = Self::sample();
        let step = now - self.offset;
        self.offset += if step.abs() > 50_000 { step } else { step / 10 };
    }

    /// The monotonic time of wall-clock time `unix` (µs).
    pub fn monotonic_of(&self, unix: u64) -> u64 {
        (unix as i64 + self.offset + self.shift).max(0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preempted_read_does_not_skew_the_measure() {
        // Every other read of this clock, 5 ms ahead of the monotonic one, is held up 20 ms:
        // taken alone, such a pair would be 10 ms off.
        let mut reads = 0;
        let ahead = ahead_of_monotonic(|| {
            reads += 1;
            if reads % 2 == 1 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            read(libc::CLOCK_MONOTONIC) + 5_000
        });
        assert_eq!(reads, 8);
        assert!((ahead - 5_000).abs() < 2_000, "{ahead}");
    }

    #[test]
    fn now_maps_to_now() {
        let mut clock = WallClock::measure();
        clock.follow();
        let mapped = clock.monotonic_of(unix_micros()) as i64;
        let now = monotonic_micros() as i64;
        assert!((mapped - now).abs() < 50_000, "{mapped} vs {now}");
    }
}
