//! Triggered envelopes: `env` on a chain, `env_trig`, `ad`, and `adsr`/`ar` played as
//! generators. Unlike the gate-following envelopes in [`crate::envelopes`], these start
//! themselves: once, at every cycle, or at every onset of a pattern, holding for the event's
//! length. Segments are linear in amplitude; a retrigger starts the attack from the level the
//! envelope has reached, so a fast pattern does not click.

use crate::blocks::envelope::{Adsr, EnvelopeStage};
use crate::declaration::{Declaration, Port};
use crate::{downcast, Carry, Context, In, Node, Width};
use pattern::Pattern;

/// What starts a triggered envelope.
#[derive(Clone)]
pub enum Trigger {
    /// Once, when the node starts playing; it then holds its sustain level (Phonon's `env` on a
    /// chain without a pattern).
    Once,
    /// At the start of every cycle, the gate open until the release must begin for the
    /// envelope to end with the cycle (Phonon's free-running `ad` and `adsr`).
    EveryCycle,
    /// At every onset of a pattern's events, the gate open for the event's length.
    Events(Pattern<f64>),
}

/// The envelope's adsr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Attack, decay to sustain, hold while the gate is open, release. Ports: input, attack,
    /// decay, sustain, release; the output is the input times the envelope.
    Adsr,
    /// Attack then decay to zero, whatever the gate. Ports: attack, decay; the output is the
    /// envelope.
    Ad,
}

/// Triggers per block beyond which the rest are dropped (a trigger every 8 frames at 512).
const MAX_TRIGGERS: usize = 64;

/// A self-triggering envelope.
pub struct TriggeredEnvelope {
    trigger: Trigger,
    shape: Shape,
    envelope: EnvelopeStage,
    /// Frames the gate stays open.
    hold: f64,
    started: bool,
    cut: u64,
}

impl TriggeredEnvelope {
    /// An envelope at rest.
    pub fn new(trigger: Trigger, shape: Shape) -> TriggeredEnvelope {
        TriggeredEnvelope {
            trigger,
            shape,
            envelope: EnvelopeStage::default(),
            hold: 0.0,
            started: false,
            cut: 0,
        }
    }

    /// The frames at which the envelope starts in this block, with how long each holds.
    fn triggers(
        &mut self,
        ctx: &Context<'_>,
        release_seconds: f32,
        found: &mut [(usize, f64); MAX_TRIGGERS],
    ) -> usize {
        let frames = ctx.frames;
        let span = ctx.span;
        let mut n = 0;
        if frames == 0 || span.end <= span.begin {
            return 0;
        }
        let frames_per_cycle = frames as f64 / (span.end - span.begin).to_f64();
        match &self.trigger {
            Trigger::Once => {
                if !self.started {
                    found[0] = (0, f64::INFINITY);
                    n = 1;
                }
            }
            Trigger::EveryCycle => {
                let hold = frames_per_cycle - f64::from(release_seconds * ctx.sample_rate);
                let mut cycle = span.begin.ceil();
                while cycle < span.end && n < MAX_TRIGGERS {
                    let offset = ((cycle - span.begin).to_f64() * frames_per_cycle) as usize;
                    found[n] = (offset.min(frames - 1), hold.max(0.0));
                    n += 1;
                    cycle = cycle + pattern::Time::from(1);
                }
            }
            Trigger::Events(p) => {
                let events = crate::query_within_budget(p, span, ctx.arena, &mut self.cut);
                for (offset, hold, _) in crate::patterns::onsets(&events, span, frames) {
                    if n == MAX_TRIGGERS {
                        break;
                    }
                    found[n] = (offset, hold);
                    n += 1;
                }
                found[..n].sort_unstable_by_key(|&(offset, _)| offset);
            }
        }
        self.started = true;
        n
    }
}

crate::ports! {
    /// What the triggered ADSR (`env`) reads: alone, it shapes a constant 1.
    pub struct EnvPorts {
        input: Port { default: 1.0, ..Port::input() },
        attack: Port::signal(0.01, "s").within(0.0, f32::INFINITY),
        decay: Port::signal(0.1, "s").within(0.0, f32::INFINITY),
        sustain: Port::signal(0.7, "").within(0.0, 1.0),
        release: Port::signal(0.2, "s").within(0.0, f32::INFINITY),
    }
}

crate::ports! {
    /// What the attack-decay envelope (`ad`) reads.
    pub struct AdPorts {
        attack: Port::signal(0.01, "s").within(0.0, f32::INFINITY),
        decay: Port::signal(0.1, "s").within(0.0, f32::INFINITY),
    }
}

impl Node for TriggeredEnvelope {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let env = EnvPorts::read(inputs);
        let ad = AdPorts::read(inputs);
        let release_now = match self.shape {
            Shape::Adsr => env.release.at(0),
            Shape::Ad => 0.0,
        };
        let mut found = [(0usize, 0f64); MAX_TRIGGERS];
        let count = self.triggers(ctx, release_now, &mut found);
        let mut next = 0;
        let channels = out.len();
        for i in 0..ctx.frames {
            while next < count && found[next].0 == i {
                self.envelope.open();
                self.hold = found[next].1;
                next += 1;
            }
            let adsr = match self.shape {
                Shape::Adsr => Adsr::new(
                    env.attack.at(i),
                    env.decay.at(i),
                    env.sustain.at(i),
                    env.release.at(i),
                    ctx.sample_rate,
                ),
                Shape::Ad => Adsr::new(ad.attack.at(i), ad.decay.at(i), 0.0, 0.0, ctx.sample_rate),
            };
            if self.shape == Shape::Adsr && self.hold <= 0.0 {
                self.envelope.close(&adsr);
            }
            self.hold -= 1.0;
            // The frame plays the level reached so far: an attack of n frames peaks on frame n.
            let level = self.envelope.level();
            self.envelope.next(&adsr);
            for (c, channel) in out.iter_mut().enumerate().take(channels) {
                channel[i] = match self.shape {
                    Shape::Adsr => crate::sanitize(env.input.channel(c, i)) * level,
                    Shape::Ad => level,
                };
            }
        }
    }

    /// Takes the older envelope's stage and level, so an edit neither cuts a note nor retriggers
    /// a one-shot.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<TriggeredEnvelope>(old) {
            if self.shape == old.shape {
                self.envelope = old.envelope;
                self.hold = old.hold;
                self.started = old.started;
            }
        }
        Carry::Taken
    }

    fn queries_cut(&self) -> u64 {
        self.cut
    }
}

/// The most levels a [`Breakpoints`] holds.
pub const MAX_LEVELS: usize = 32;

/// Levels and the seconds between them, of a fixed capacity so that a kind can hold them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Breakpoints {
    levels: [f32; MAX_LEVELS],
    times: [f32; MAX_LEVELS],
    len: usize,
}

impl Breakpoints {
    /// None yet: the registry's placeholder.
    pub const EMPTY: Breakpoints = Breakpoints {
        levels: [0.0; MAX_LEVELS],
        times: [0.0; MAX_LEVELS],
        len: 0,
    };

    /// Levels (2 to [`MAX_LEVELS`]) and one time fewer, in seconds; `None` if the counts are
    /// wrong.
    pub fn new(levels: &[f32], times: &[f32]) -> Option<Breakpoints> {
        if levels.len() < 2 || levels.len() > MAX_LEVELS || times.len() + 1 != levels.len() {
            return None;
        }
        let mut b = Breakpoints::EMPTY;
        b.levels[..levels.len()].copy_from_slice(levels);
        b.times[..times.len()].copy_from_slice(times);
        b.len = levels.len();
        Some(b)
    }
}

/// A breakpoint envelope from when the node starts playing: straight adsr between
/// `levels`, `times[k]` seconds from one to the next, then the last level held. Its one input,
/// a trigger, starts it again on any frame where it is above 0.5.
pub struct Segments {
    points: Breakpoints,
    /// Frames played so far.
    elapsed: u64,
}

impl Segments {
    /// Segments through `points`.
    pub fn new(points: Breakpoints) -> Segments {
        Segments { points, elapsed: 0 }
    }

    /// The level at `frame`; each segment starts on the frame nearest its time, so levels fall
    /// on their frames exactly.
    fn value_at(&self, frame: u64, sample_rate: f32) -> f32 {
        let b = &self.points;
        let mut seconds = 0.0f64;
        for k in 0..b.len.saturating_sub(1) {
            let start = (seconds * f64::from(sample_rate)).round() as u64;
            seconds += f64::from(b.times[k].max(0.0));
            let end = (seconds * f64::from(sample_rate)).round() as u64;
            if frame < end {
                let (from, to) = (b.levels[k], b.levels[k + 1]);
                let t = (frame - start) as f32 / (end - start) as f32;
                return from + (to - from) * t;
            }
        }
        b.levels[..b.len].last().copied().unwrap_or(0.0)
    }
}

crate::ports! {
    /// What [`Segments`] reads.
    pub struct SegmentsPorts {
        trigger: Port::trigger(),
    }
}

impl Node for Segments {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let trigger = SegmentsPorts::read(inputs).trigger;
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            if trigger.at(i) > 0.5 {
                self.elapsed = 0;
            }
            *y = self.value_at(self.elapsed, ctx.sample_rate);
            self.elapsed += 1;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }

    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<Segments>(old) {
            self.elapsed = old.elapsed;
        }
        Carry::Taken
    }
}

crate::ports! {
    /// What [`Curve`] reads.
    pub struct CurvePorts {
        start: Port::signal(0.0, ""),
        end: Port::signal(1.0, ""),
        time: Port::signal(1.0, "s").within(0.0, f32::INFINITY),
        curve: Port::signal(0.0, ""),
        trigger: Port::trigger(),
    }
}

/// `curve`.
pub static CURVE: Declaration = Declaration {
    name: "curve",
    aliases: &[],
    ports: CurvePorts::PORTS,
    width: Width::Mono,
    make: make_curve,
    doc: "A curved ramp from start to end over time seconds (curve 0 straight, > 0 slow then \
          fast), restarted by a trigger pattern if given.",
    example: "out: sine (curve 880 220 0.5 -4 \"x ~ ~ ~\") * 0.2",
    control: None,
};

/// A curved ramp from `start` to `end` over `time` seconds from when the node starts playing,
/// then `end`: `curve` 0 is straight, positive starts slowly and ends fast, negative the reverse
/// (SuperCollider's `Env` curve). Inputs are start, end, time, curve and a trigger that starts
/// it again on any frame where it is above 0.5.
pub struct Curve {
    elapsed: f64,
}

/// The fraction of the way a curved segment has gone at `t` (0 to 1) of its time.
pub fn curve_shape(t: f32, curve: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    if curve.abs() < 1e-3 {
        t
    } else {
        (1.0 - (curve * t).exp()) / (1.0 - curve.exp())
    }
}

impl Node for Curve {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        let p = CurvePorts::read(inputs);
        let dt = 1.0 / f64::from(ctx.sample_rate);
        let [first, rest @ ..] = out else { return };
        for (i, y) in first[..ctx.frames].iter_mut().enumerate() {
            if p.trigger.at(i) > 0.5 {
                self.elapsed = 0.0;
            }
            let (start, end) = (p.start.at(i), p.end.at(i));
            let time = f64::from(p.time.at(i));
            let t = if time > 0.0 {
                (self.elapsed / time) as f32
            } else {
                1.0
            };
            *y = start + (end - start) * curve_shape(t, p.curve.at(i));
            self.elapsed += dt;
        }
        for channel in rest {
            channel[..ctx.frames].copy_from_slice(&first[..ctx.frames]);
        }
    }
}

/// Makes a curved ramp.
pub fn make_curve(_: f32, _: usize) -> Box<dyn Node> {
    Box::new(Curve { elapsed: 0.0 })
}

/// A trigger signal from a pattern: 1 on the frame each event starts, 0 elsewhere; what
/// restarts `line`, `adsr` and `curve` when they are given a trigger pattern.
pub struct Onsets {
    pattern: Pattern<f64>,
    cut: u64,
}

impl Onsets {
    /// Onsets of `pattern`.
    pub fn new(pattern: Pattern<f64>) -> Onsets {
        Onsets { pattern, cut: 0 }
    }
}

impl Node for Onsets {
    fn process(&mut self, ctx: &Context<'_>, _: &[In<'_>], out: &mut [&mut [f32]]) {
        let frames = ctx.frames;
        for channel in out.iter_mut() {
            channel[..frames].fill(0.0);
        }
        if frames == 0 || ctx.span.end <= ctx.span.begin {
            return;
        }
        let events = crate::query_within_budget(&self.pattern, ctx.span, ctx.arena, &mut self.cut);
        for (offset, _, _) in crate::patterns::onsets(&events, ctx.span, frames) {
            for channel in out.iter_mut() {
                channel[offset] = 1.0;
            }
        }
    }

    fn carry_from(&mut self, _: &mut dyn Node) -> Carry {
        Carry::Taken
    }

    fn queries_cut(&self) -> u64 {
        self.cut
    }
}
