//! `--midi-clock`: MIDI clock out on the JACK MIDI port `midi_clock`, for drum machines,
//! sequencers and DAWs that follow one. 24 pulses a beat (`--beats-per-cycle`, 4 unless told),
//! each on the frame the cycle clock reaches it; Start when the transport rolls from the top,
//! Song Position and Continue when it rolls from elsewhere or the position jumps, Stop when it
//! stops. The messages of a block are worked out from its starting cycle and tempo alone, on
//! the process thread, without allocating.

/// Timing clock.
pub const CLOCK: u8 = 0xF8;
/// Start, from the top.
pub const START: u8 = 0xFA;
/// Continue, from the song position.
pub const CONTINUE: u8 = 0xFB;
/// Stop.
pub const STOP: u8 = 0xFC;
/// Song Position Pointer, in sixteenths, 14 bits, least significant first.
pub const SONG_POSITION: u8 = 0xF2;

/// MIDI clock's pulses per beat.
const PULSES_PER_BEAT: f64 = 24.0;

/// Where the clock stands between blocks.
pub struct MidiClock {
    beats_per_cycle: f64,
    /// Whether the last block rolled (`None` before the first).
    rolling: Option<bool>,
    /// Where the last rolling block ended, in cycles: a block starting elsewhere jumped.
    expected: Option<f64>,
}

impl MidiClock {
    /// A clock of `beats_per_cycle` beats a cycle.
    pub fn new(beats_per_cycle: f64) -> MidiClock {
        MidiClock {
            beats_per_cycle: if beats_per_cycle > 0.0 {
                beats_per_cycle
            } else {
                4.0
            },
            rolling: None,
            expected: None,
        }
    }

    /// The messages of a block of `frames` frames starting at `cycle` at `cps`, in time order,
    /// each given to `send` with its frame in the block.
    pub fn block(
        &mut self,
        cycle: f64,
        cps: f64,
        frames: u32,
        sample_rate: f64,
        rolling: bool,
        mut send: impl FnMut(u32, &[u8]),
    ) {
        let was = self.rolling.replace(rolling);
        if !rolling || frames == 0 {
            if was == Some(true) && !rolling {
                send(0, &[STOP]);
            }
            self.expected = None;
            return;
        }
        let per_cycle = PULSES_PER_BEAT * self.beats_per_cycle;
        // Half a pulse of tolerance: the engine's clock is exact, its f64 reading is not.
        let jumped = self
            .expected
            .is_some_and(|e| ((cycle - e) * per_cycle).abs() > 0.5);
        if jumped {
            send(0, &[STOP]);
        }
        if was != Some(true) || jumped {
            if (cycle * per_cycle).abs() < 0.5 {
                send(0, &[START]);
            } else {
                let sixteenths = (cycle * self.beats_per_cycle * 4.0)
                    .round()
                    .clamp(0.0, 16_383.0) as u16;
                send(
                    0,
                    &[
                        SONG_POSITION,
                        (sixteenths & 0x7f) as u8,
                        (sixteenths >> 7) as u8,
                    ],
                );
                send(0, &[CONTINUE]);
            }
        }
        let cps = cps.max(1e-6);
        let span = f64::from(frames) * cps / sample_rate;
        // A pulse exactly on the boundary belongs to the later block.
        let eps = 1e-9;
        let mut k = (cycle * per_cycle - eps).ceil();
        while k / per_cycle < cycle + span - eps {
            // The frame the pulse falls in (a hair's tolerance for pulses on a frame).
            let frame = ((k / per_cycle - cycle) / cps * sample_rate + 1e-6).floor();
            send(frame.clamp(0.0, f64::from(frames - 1)) as u32, &[CLOCK]);
            k += 1.0;
        }
        self.expected = Some(cycle + span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[global_allocator]
    static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

    #[test]
    fn a_block_allocates_nothing() {
        let mut clock = MidiClock::new(4.0);
        let mut sent = 0usize;
        let calls = alloc_counter::count_on_this_thread(|| {
            for b in 0..200 {
                let rolling = b % 50 != 49;
                clock.block(f64::from(b) * 0.01, 0.5, 960, 48_000.0, rolling, |_, m| {
                    sent += m.len()
                });
            }
        });
        assert_eq!(calls, 0);
        assert!(sent > 0);
    }

    /// Runs `blocks` blocks of `frames` at `cps` from cycle `from`, collecting (frame, message).
    fn run(
        clock: &mut MidiClock,
        from: f64,
        cps: f64,
        frames: u32,
        blocks: usize,
    ) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        for b in 0..blocks {
            // As the engine's exact clock reads: no error carried from block to block.
            let cycle = from + (b as f64 * f64::from(frames)) * cps / 48_000.0;
            clock.block(cycle, cps, frames, 48_000.0, true, |f, m| {
                out.push((b as u64 * u64::from(frames) + u64::from(f), m.to_vec()))
            });
        }
        out
    }

    #[test]
    fn pulses_fall_on_their_frames_and_start_from_the_top() {
        // 0.5 cycles a second, 4 beats a cycle: 120 BPM, a pulse every 1,000 frames.
        let mut clock = MidiClock::new(4.0);
        let out = run(&mut clock, 0.0, 0.5, 128, 100);
        assert_eq!(out[0], (0, vec![START]));
        let pulses: Vec<u64> = out.iter().filter(|m| m.1 == [CLOCK]).map(|m| m.0).collect();
        assert_eq!(pulses.len(), 13);
        assert!(
            pulses
                .iter()
                .enumerate()
                .all(|(k, &f)| f == 1000 * k as u64),
            "{pulses:?}"
        );
    }

    #[test]
    fn stopping_and_rolling_again_sends_stop_then_song_position_and_continue() {
        let mut clock = MidiClock::new(4.0);
        run(&mut clock, 0.0, 0.5, 128, 10);
        let mut stopped = Vec::new();
        clock.block(0.5, 0.5, 128, 48_000.0, false, |f, m| {
            stopped.push((f, m.to_vec()))
        });
        assert_eq!(stopped, [(0, vec![STOP])]);
        // Half a cycle in: 8 sixteenths.
        let out = run(&mut clock, 0.5, 0.5, 128, 1);
        assert_eq!(out[0], (0, vec![SONG_POSITION, 8, 0]));
        assert_eq!(out[1], (0, vec![CONTINUE]));
        assert_eq!(
            out[2],
            (0, vec![CLOCK]),
            "the beat is on the block's first frame"
        );
    }

    #[test]
    fn a_jump_in_position_is_a_stop_and_a_continue_from_there() {
        let mut clock = MidiClock::new(4.0);
        run(&mut clock, 0.0, 0.5, 128, 10);
        let out = run(&mut clock, 3.0, 0.5, 128, 1);
        assert_eq!(out[0].1, [STOP]);
        assert_eq!(out[1].1, [SONG_POSITION, 48, 0]);
        assert_eq!(out[2].1, [CONTINUE]);
    }
}
