//! The envelope stage machine every envelope runs: the `adsr` and `ar` nodes on a gate, a synth
//! voice held for its event, and a sample voice's attack and release. Adsr are linear in
//! amplitude; a release always falls from wherever the level is.

/// Where an envelope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Silent, waiting for a gate.
    Idle,
    /// Rising to 1.
    Attack,
    /// Falling to the sustain level.
    Decay,
    /// Holding the sustain level.
    Sustain,
    /// Falling to 0.
    Release,
}

/// Attack, decay and release as per-frame steps, and the sustain level. In f64, so adsr
/// end on their frames after thousands of steps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Adsr {
    /// Level gained per frame while attacking.
    pub attack: f64,
    /// Level lost per frame while decaying.
    pub decay: f64,
    /// The level held; 0 ends the envelope when the decay reaches it.
    pub sustain: f64,
    /// Frames the release takes (from whatever level it starts at).
    pub release: f64,
}

/// How near a level must come to its target to have reached it: far below a 24-bit step, far
/// above the rounding of thousands of f64 steps.
const REACHED: f64 = 1e-9;

impl Adsr {
    /// Adsr of `attack`, `decay` and `release` seconds and a `sustain` level (0–1) at
    /// `sample_rate`; zero, negative or bad times are instant.
    pub fn new(attack: f32, decay: f32, sustain: f32, release: f32, sample_rate: f32) -> Adsr {
        let sustain = if sustain.is_finite() {
            f64::from(sustain.clamp(0.0, 1.0))
        } else {
            1.0
        };
        Adsr {
            attack: step(1.0, attack, sample_rate),
            decay: step(1.0 - sustain, decay, sample_rate),
            sustain,
            release: frames(release, sample_rate),
        }
    }
}

/// Per-frame step to cover `range` in `seconds` (instant for zero or bad times).
pub fn step(range: f64, seconds: f32, sample_rate: f32) -> f64 {
    if seconds.is_finite() && seconds > 0.0 {
        range / (f64::from(seconds) * f64::from(sample_rate))
    } else {
        f64::INFINITY
    }
}

/// `seconds` in frames, 0 for zero or bad times.
fn frames(seconds: f32, sample_rate: f32) -> f64 {
    if seconds.is_finite() && seconds > 0.0 {
        f64::from(seconds) * f64::from(sample_rate)
    } else {
        0.0
    }
}

/// One envelope's state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EnvelopeStage {
    stage: Stage,
    level: f64,
    /// Level lost per frame in the release, set when it begins.
    fall: f64,
}

impl Default for EnvelopeStage {
    fn default() -> Self {
        EnvelopeStage {
            stage: Stage::Idle,
            level: 0.0,
            fall: 0.0,
        }
    }
}

impl EnvelopeStage {
    /// Opens the gate: the attack starts from the current level.
    pub fn open(&mut self) {
        self.stage = Stage::Attack;
    }

    /// Closes the gate: the release starts from the current level and takes
    /// `adsr.release` frames.
    pub fn close(&mut self, adsr: &Adsr) {
        if self.stage != Stage::Idle && self.stage != Stage::Release {
            self.stage = Stage::Release;
            self.fall = if adsr.release > 0.0 {
                self.level / adsr.release
            } else {
                f64::INFINITY
            };
        }
    }

    /// Passes at once through segments that take no time (an attack of 0 s, a decay to a
    /// sustain of 1), so a voice without them starts at its peak: the levels it gives are the
    /// same, and a voice can tell it is holding from its first frame.
    pub fn skip_instant(&mut self, adsr: &Adsr) {
        while (self.stage == Stage::Attack && adsr.attack.is_infinite())
            || (self.stage == Stage::Decay && adsr.decay.is_infinite() && adsr.sustain > 0.0)
        {
            self.next(adsr);
        }
    }

    /// Where it is.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// The current level.
    pub fn level(&self) -> f32 {
        self.level as f32
    }

    /// True once a release has reached silence (or it never started).
    pub fn finished(&self) -> bool {
        self.stage == Stage::Idle
    }

    /// Advances one frame and returns the level reached.
    #[inline]
    pub fn next(&mut self, adsr: &Adsr) -> f32 {
        match self.stage {
            Stage::Idle => self.level = 0.0,
            Stage::Attack => {
                self.level += adsr.attack;
                if self.level >= 1.0 - REACHED {
                    self.level = 1.0;
                    self.stage = Stage::Decay;
                }
            }
            Stage::Decay => {
                self.level -= adsr.decay;
                if self.level <= adsr.sustain + REACHED || !self.level.is_finite() {
                    self.level = adsr.sustain;
                    self.stage = if adsr.sustain > 0.0 {
                        Stage::Sustain
                    } else {
                        Stage::Idle
                    };
                }
            }
            Stage::Sustain => self.level = adsr.sustain,
            Stage::Release => {
                self.level -= self.fall;
                if self.level <= REACHED || !self.level.is_finite() {
                    self.level = 0.0;
                    self.stage = Stage::Idle;
                }
            }
        }
        self.level as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_rises_decays_holds_and_releases_in_the_times_asked() {
        let s = Adsr::new(0.01, 0.01, 0.5, 0.02, 1000.0);
        let mut e = EnvelopeStage::default();
        e.open();
        let levels: Vec<f32> = (0..30).map(|_| e.next(&s)).collect();
        assert!((levels[9] - 1.0).abs() < 1e-6, "{levels:?}");
        assert!((levels[19] - 0.5).abs() < 1e-6);
        assert_eq!(e.stage(), Stage::Sustain);
        e.close(&s);
        let release: Vec<f32> = (0..25).map(|_| e.next(&s)).collect();
        assert!((release[9] - 0.25).abs() < 1e-5, "{release:?}");
        assert!(e.finished());
    }

    #[test]
    fn a_release_during_the_attack_falls_from_where_it_is() {
        let s = Adsr::new(0.1, 0.0, 1.0, 0.01, 1000.0);
        let mut e = EnvelopeStage::default();
        e.open();
        for _ in 0..50 {
            e.next(&s);
        }
        e.close(&s);
        assert!((e.next(&s) - 0.45).abs() < 1e-4);
        for _ in 0..9 {
            e.next(&s);
        }
        assert!(e.finished());
    }
}
