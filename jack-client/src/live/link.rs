//! `--sync link`: Ableton Link, behind the cargo feature `link`. Link's core is
//! GPL-2.0-or-later, so the default build leaves it out and stays MIT OR Apache-2.0; the
//! `rusty_link` crate builds Link's own C wrapper (`abl_link`) from the Link sources it ships.
//!
//! Each period the process thread reads the session's tempo and beat at the time the period's
//! first frame is heard (JACK's cycle times and the port's playback latency; Link's
//! audio-thread API: no lock, no allocation) and follows them: the tempo at once, the
//! position by a varispeed of at most [`VARISPEED`] while it is within half a cycle, by a
//! reseek past that. For a second after it starts, joins a session or a peer comes or goes,
//! it takes the session's position as it is: Link moves a joining peer's timeline in one step.
//! So it does after a period JACK skipped: the engine did not move through it, and steering
//! back at 5% would leave it behind the session (and behind peers on the same server) for a
//! quarter second a period. Phonon's own tempo changes (an edit's `tempo:`, `/tempo`) are
//! committed to the session, so the peers follow them.

use std::sync::Arc;

/// The most the tempo is bent to bring the position back to Link's: 5%.
#[cfg_attr(not(feature = "link"), allow(dead_code))]
pub const VARISPEED: f64 = 0.05;
/// How long the varispeed aims to take to close the gap, in seconds.
#[cfg_attr(not(feature = "link"), allow(dead_code))]
const CATCH_UP: f64 = 0.25;

/// A position to follow: where the engine is against where the session is, both in cycles,
/// and the session's tempo; the tempo to play and, past half a cycle, where to jump.
#[cfg_attr(not(feature = "link"), allow(dead_code))]
pub fn steer(own: f64, session: f64, cps: f64) -> (f64, Option<f64>) {
    let apart = session - own;
    if apart.abs() > 0.5 {
        return (cps, Some(session));
    }
    let bent = (cps + apart / CATCH_UP).clamp(cps * (1.0 - VARISPEED), cps * (1.0 + VARISPEED));
    (bent, None)
}

#[cfg(feature = "link")]
mod session {
    use super::steer;
    use rusty_link::{AblLink, SessionState};
    use std::sync::Arc;

    /// This process's Link session.
    pub struct Link {
        link: AblLink,
        beats_per_cycle: f64,
    }

    impl Link {
        /// Joins (or starts) a Link session at `cps`, `beats_per_cycle` beats a cycle.
        pub fn start(cps: f64, beats_per_cycle: f64) -> Result<Arc<Link>, String> {
            let link = AblLink::new(cps * 60.0 * beats_per_cycle);
            link.enable(true);
            Ok(Arc::new(Link {
                link,
                beats_per_cycle,
            }))
        }

        /// The peers in the session besides this one.
        pub fn peers(&self) -> u64 {
            self.link.num_peers()
        }

        /// Sets the session's tempo to `cps`, for every peer. Not real-time safe.
        pub fn publish(&self, cps: f64) {
            let mut state = SessionState::new();
            self.link.capture_app_session_state(&mut state);
            state.set_tempo(cps * 60.0 * self.beats_per_cycle, self.link.clock_micros());
            self.link.commit_app_session_state(&state);
        }

        /// Link's clock, in microseconds: what a test times its periods by.
        #[cfg(test)]
        pub fn clock_micros(&self) -> i64 {
            self.link.clock_micros()
        }

        /// The session's cycle at `micros` on Link's clock: what a test checks the engine by.
        #[cfg(test)]
        pub fn cycle_at(&self, micros: i64) -> f64 {
            let mut state = SessionState::new();
            self.link.capture_app_session_state(&mut state);
            state.beat_at_time(micros, self.beats_per_cycle) / self.beats_per_cycle
        }

        /// The process thread's side. Allocates its session state.
        pub fn follower(self: &Arc<Link>) -> LinkFollower {
            LinkFollower {
                link: self.clone(),
                state: SessionState::new(),
                peers: None,
                direct: 0,
                next_start: None,
            }
        }
    }

    /// Follows the session, period by period, on the process thread.
    pub struct LinkFollower {
        link: Arc<Link>,
        state: SessionState,
        /// The peers at the last period (`None` before the first).
        peers: Option<u64>,
        /// Periods left to take the session's position as it is, not steer to it.
        direct: u32,
        /// The JACK frame the next period starts at if JACK skips none.
        next_start: Option<u32>,
    }

    /// How long the session's position is taken as it is after this one joins or a peer
    /// comes or goes, in periods (about a second at 128 frames): Link moves the timeline of a
    /// peer that joins a session, in phase, and that is a jump to take, not a drift to steer.
    const REJOINED: u32 = 384;

    impl LinkFollower {
        /// Steers `engine` to the session for the period of `frames` from JACK frame `start`,
        /// whose first frame is heard `ahead` microseconds from now; returns the session's
        /// tempo in beats a minute. Real-time safe.
        pub fn follow(
            &mut self,
            engine: &mut runtime::Engine,
            ahead: f64,
            start: u32,
            frames: u32,
        ) -> f64 {
            let heard = self
                .link
                .link
                .clock_micros()
                .saturating_add(ahead.round() as i64);
            self.follow_at(engine, heard, start, frames)
        }

        /// Steers `engine` as [`follow`](Self::follow) does, for a period whose first frame is
        /// heard at `heard` on Link's clock, in microseconds. Real-time safe.
        pub fn follow_at(
            &mut self,
            engine: &mut runtime::Engine,
            heard: i64,
            start: u32,
            frames: u32,
        ) -> f64 {
            let link = &self.link.link;
            link.capture_audio_session_state(&mut self.state);
            let quantum = self.link.beats_per_cycle;
            let bpm = self.state.tempo();
            let cycle = self.state.beat_at_time(heard, quantum) / quantum;
            let cps = bpm / 60.0 / quantum;
            let own = engine.cycle().to_f64();
            let peers = link.num_peers();
            if self.peers.replace(peers) != Some(peers) {
                self.direct = REJOINED;
            }
            let skipped = self.next_start.is_some_and(|next| next != start);
            self.next_start = Some(start.wrapping_add(frames));
            match steer(own, cycle, cps) {
                _ if skipped => engine.follow(cycle, cps),
                _ if self.direct > 0 => {
                    self.direct -= 1;
                    engine.follow(cycle, cps);
                }
                (cps, Some(to)) => engine.follow(to, cps),
                (bent, None) => engine.follow(own, bent),
            }
            bpm
        }
    }
}

#[cfg(not(feature = "link"))]
mod session {
    use std::sync::Arc;

    /// A build without Link: there is never a session.
    pub enum Link {}

    impl Link {
        /// Says how to get Link.
        pub fn start(_: f64, _: f64) -> Result<Arc<Link>, String> {
            Err("this phonon was built without Ableton Link (GPL-2.0-or-later): build it with `cargo build --release --features link`".into())
        }

        /// Never called: there is no session.
        pub fn peers(&self) -> u64 {
            match *self {}
        }

        /// Never called: there is no session.
        pub fn publish(&self, _: f64) {
            match *self {}
        }

        /// Never called: there is no session.
        pub fn follower(self: &Arc<Link>) -> LinkFollower {
            match **self {}
        }
    }

    /// A build without Link: never made.
    pub enum LinkFollower {}

    impl LinkFollower {
        /// Never called.
        pub fn follow(&mut self, _: &mut runtime::Engine, _: f64, _: u32, _: u32) -> f64 {
            match *self {}
        }
    }
}

pub use session::{Link, LinkFollower};

/// A session shared by the control thread and each JACK session's process thread.
pub type SharedLink = Arc<Link>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_the_session_the_tempo_bends_at_most_five_percent_and_far_it_jumps() {
        // Behind by a little: a little faster.
        let (cps, jump) = steer(10.0, 10.01, 0.5);
        assert!(jump.is_none() && cps > 0.5 && cps <= 0.525, "{cps}");
        // Ahead by a lot, within half a cycle: 5% slower at most.
        assert_eq!(steer(10.4, 10.0, 0.5), (0.475, None));
        // On it: the session's tempo.
        assert_eq!(steer(3.0, 3.0, 0.5), (0.5, None));
        // Past half a cycle: the session's tempo and position.
        assert_eq!(steer(10.0, 10.75, 0.5), (0.5, Some(10.75)));
    }

    /// An engine at 48 kHz with blocks of 128 frames, and its controller.
    #[cfg(feature = "link")]
    fn engine() -> (runtime::Engine, runtime::Controller) {
        runtime::engine(
            runtime::EngineConfig {
                sample_rate: 48_000,
                max_block: 128,
                ..runtime::EngineConfig::default()
            },
            Arc::new(dsp::samples::bank::SampleBank::new(48_000)),
        )
        .expect("an engine")
    }

    /// Following the session, period after period, allocates nothing (Link's audio-thread
    /// API, then the engine's `follow`).
    #[cfg(feature = "link")]
    #[test]
    fn following_a_session_allocates_nothing() {
        let (mut engine, _controller) = engine();
        let link = Link::start(0.5, 4.0).expect("Link");
        let mut follower = link.follower();
        let mut out = [[0.0f32; 128]; 2];
        let mut bpm = 0.0;
        let calls = alloc_counter::count_on_this_thread(|| {
            for k in 0..2_000 {
                bpm = follower.follow(&mut engine, 2_666.0, k * 128, 128);
                let [l, r] = &mut out;
                engine.process(128, &[], &mut [&mut l[..], &mut r[..]]);
            }
        });
        assert_eq!(calls, 0);
        assert_eq!(bpm, 120.0);
        assert!(engine.cycle().to_f64().is_finite());
    }

    /// After periods JACK skipped, the engine is at the session's position at once, where
    /// steering would have left it behind by what was skipped. Each period is given the time
    /// it is heard, so a test thread preempted between reading Link's clock and following does
    /// not move the position it is judged by.
    #[cfg(feature = "link")]
    #[test]
    fn after_skipped_periods_the_engine_is_at_the_sessions_position_at_once() {
        let (mut engine, _controller) = engine();
        // 120 BPM, four beats a cycle: half a cycle a second.
        let link = Link::start(0.5, 4.0).expect("Link");
        let mut follower = link.follower();
        let mut out = [[0.0f32; 128]; 2];
        let period = 128.0 * 1e6 / 48_000.0;
        // Each period is heard one period after the last, by Link's clock, however fast the
        // test runs: a second from now on.
        let (mut frame, mut heard) = (0u32, link.clock_micros() as f64 + 1e6);
        for k in 0..1_000 {
            if k % 97 == 50 {
                // One to three periods that never ran.
                let skipped = 1 + k % 3;
                frame += 128 * skipped;
                heard += period * f64::from(skipped);
            }
            let at = heard.round() as i64;
            follower.follow_at(&mut engine, at, frame, 128);
            let off = (engine.cycle().to_f64() - link.cycle_at(at)) * 48_000.0 / 0.5;
            assert!(off.abs() < 1.0, "period {k}: {off} frames from the session");
            let [l, r] = &mut out;
            engine.process(128, &[], &mut [&mut l[..], &mut r[..]]);
            frame += 128;
            heard += period;
        }
    }
}
