//! An orbit, as SuperDirt's `DirtOrbit`: sample voices, their cut groups, and a global delay and
//! reverb fed by the voices' sends, with the orbit-wide settings events carry (`delaytime`,
//! `delayfeedback`, `lock`, `size`). A patch's sampler plays through one; so does each
//! orbit of `phonon dirt`.

use super::sample::SampleVoice;
use crate::blocks::laws::{event_level, pan_gains};
use crate::blocks::pool::MAX_BLOCK;
use crate::blocks::pool::{Voice, VoicePool};
use crate::delays::make_delay;
use crate::instruments::voice::InstrumentVoice;
use crate::instruments::Instrument;
use crate::reverbs::freeverb::make_reverb;
use crate::samples::bank::Sample;
use crate::{Context, In, Node, VoiceCount};
use pattern::{Control, Controls};
use std::sync::Arc;

/// How long the delay and reverb keep running after their last send, in seconds.
const TAIL_SECONDS: f32 = 20.0;

/// A stereo bus of one piece of a block.
type Pair = [Box<[f32]>; 2];

fn pair() -> Pair {
    std::array::from_fn(|_| vec![0.0; MAX_BLOCK].into_boxed_slice())
}

/// The settings an orbit's effects run with.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Settings {
    delay_time: f32,
    delay_feedback: f32,
    lock: bool,
    cps: f32,
    size: f32,
}

impl Settings {
    /// Takes the orbit-wide settings an event carries (SuperDirt sets them per event).
    fn take(&mut self, c: &Controls) {
        let get = |control: Control| c.get(control).map(|v| v as f32);
        if let Some(t) = get(Control::Delaytime) {
            self.delay_time = t.max(0.0);
        }
        if let Some(f) = get(Control::Delayfeedback) {
            self.delay_feedback = f.clamp(0.0, 0.99);
        }
        if let Some(l) = get(Control::Lock) {
            self.lock = l != 0.0;
        }
        if let Some(cps) = get(Control::Cps) {
            self.cps = cps.max(1e-3);
        }
        if let Some(s) = get(Control::Size) {
            self.size = s.clamp(0.0, 1.0);
        }
    }
}

/// A global effect of the orbit, fed by the voices' sends.
struct Send {
    effect: Box<dyn Node>,
    bus: Pair,
    /// True when the bus holds what was sent in the last piece.
    sent: bool,
    /// Frames it still runs for after its last send.
    tail: u64,
}

impl Send {
    fn new(effect: Box<dyn Node>) -> Send {
        Send {
            effect,
            bus: pair(),
            sent: false,
            tail: 0,
        }
    }

    /// Empties the bus for a piece of `n` frames (only if something was sent to it).
    fn clear(&mut self, n: usize) {
        if self.sent {
            for channel in self.bus.iter_mut() {
                channel[..n].fill(0.0);
            }
            self.sent = false;
        }
    }

    /// Adds `x` times `amount` to channel `c` of the bus from frame `from`.
    fn add(&mut self, c: usize, from: usize, x: &[f32], amount: f32) {
        for (y, x) in self.bus[c][from..from + x.len()].iter_mut().zip(x) {
            *y += x * amount;
        }
        self.sent = true;
    }

    /// Runs the effect (wet only) on what was sent this piece, into `wet`, and adds it to
    /// `out`, while anything has been sent within the last [`TAIL_SECONDS`].
    fn run(&mut self, ctx: &Context<'_>, params: [f32; 2], wet: &mut Pair, out: [&mut [f32]; 2]) {
        let n = ctx.frames;
        if self.sent {
            self.tail = (TAIL_SECONDS * ctx.sample_rate) as u64;
        }
        if self.tail == 0 {
            return;
        }
        self.tail = self.tail.saturating_sub(n as u64);
        let [wl, wr] = wet;
        self.effect.process(
            ctx,
            &[
                In::Stereo(&self.bus[0][..n], &self.bus[1][..n]),
                In::Const(params[0]),
                In::Const(params[1]),
                In::Const(1.0),
            ],
            &mut [&mut wl[..n], &mut wr[..n]],
        );
        for (o, w) in out.into_iter().zip(wet.iter()) {
            for (y, x) in o[..n].iter_mut().zip(&w[..n]) {
                *y += x;
            }
        }
    }
}

/// Instrument voices an orbit plays at once (SuperDirt's synths: `s "superkick"`).
pub const SYNTH_VOICES: usize = 16;

/// An instrument voice of an orbit: the voice, with its event's level and place, sends and dry
/// level.
pub struct OrbitSynth {
    voice: InstrumentVoice,
    gains: [f32; 2],
    sends: [f32; 2],
    dry_level: f32,
}

impl Voice for OrbitSynth {
    fn render(&mut self, ctx: &Context<'_>, out: &mut [&mut [f32]]) -> usize {
        let [left, right, ..] = out else { return 0 };
        let produced = self.voice.render(ctx, &mut [&mut left[..]]);
        let [gl, gr] = self.gains;
        for (l, r) in left[..produced].iter_mut().zip(right.iter_mut()) {
            *r = *l * gr;
            *l *= gl;
        }
        produced
    }
}

/// Where a voice's output goes: the orbit's dry mix, its delay and its reverb.
struct Buses<'a> {
    dry: [&'a mut [f32]; 2],
    delay: &'a mut Send,
    reverb: &'a mut Send,
}

impl Buses<'_> {
    /// Adds a voice's `played` channels from frame `from`: `dry_level` of them to the dry mix,
    /// `sends` of them to the delay and the reverb.
    fn mix(&mut self, from: usize, played: &[&mut [f32]], dry_level: f32, sends: [f32; 2]) {
        for (c, x) in played.iter().enumerate() {
            let dry = self.dry[c][from..from + x.len()].iter_mut().zip(x.iter());
            if dry_level == 1.0 {
                dry.for_each(|(y, x)| *y += x);
            } else {
                dry.for_each(|(y, x)| *y += x * dry_level);
            }
            if sends[0] > 0.0 {
                self.delay.add(c, from, x, sends[0]);
            }
            if sends[1] > 0.0 {
                self.reverb.add(c, from, x, sends[1]);
            }
        }
    }
}

/// One orbit.
pub struct Orbit {
    sample_rate: f32,
    default_amp: f32,
    pool: VoicePool<SampleVoice>,
    synths: VoicePool<OrbitSynth>,
    /// Instrument voices started so far (their noise seeds).
    synths_started: u32,
    settings: Settings,
    wet: Pair,
    delay: Send,
    reverb: Send,
}

impl Orbit {
    /// An orbit of which `voices` may sound at once, playing events at `default_amp` when
    /// they set no `amp`. Allocates.
    pub fn new(sample_rate: f32, voices: usize, default_amp: f32) -> Orbit {
        Orbit {
            sample_rate,
            default_amp,
            pool: VoicePool::new(voices, 2, sample_rate, SampleVoice::default),
            synths: VoicePool::new(SYNTH_VOICES, 2, sample_rate, || OrbitSynth {
                voice: InstrumentVoice::new(Instrument::SUPERKICK, sample_rate),
                gains: [0.0; 2],
                sends: [0.0; 2],
                dry_level: 1.0,
            }),
            synths_started: 0,
            settings: Settings {
                delay_time: 0.25,
                delay_feedback: 0.5,
                lock: false,
                cps: 0.5625,
                size: 0.5,
            },
            wet: pair(),
            delay: Send::new(make_delay(sample_rate, 2)),
            reverb: Send::new(make_reverb(sample_rate, 2)),
        }
    }

    /// Starts `sample` at frame `offset` of the coming piece (under [`MAX_BLOCK`]) as
    /// `controls` ask: takes the orbit settings it carries, cuts its cut group (a negative
    /// group only the same sample) and plays it on a voice, stealing the oldest if all sound.
    pub fn start(&mut self, offset: usize, sample: &Arc<Sample>, controls: &Controls) {
        self.settings.take(controls);
        let cut = controls
            .get(Control::Cut)
            .map(|c| c as i64)
            .filter(|&c| c != 0);
        // Groups are by magnitude: a negative group cuts only the same sample, but of either
        // sign (SuperDirt's `cut`).
        if let Some(group) = cut {
            self.pool.cut(group.abs(), offset, |v| {
                group > 0 || v.sample().is_some_and(|s| Arc::ptr_eq(s, sample))
            });
            if group > 0 {
                self.synths.cut(group, offset, |_| true);
            }
        }
        let amp = self.default_amp;
        let recipe = SampleVoice::recipe(controls);
        if let Some(twin) = self.pool.fresh_twin(offset, |v| v.is_twin(sample, &recipe)) {
            twin.add_gains(controls, amp);
            return;
        }
        let sample_rate = self.sample_rate;
        if !self
            .pool
            .start(offset, cut.map(i64::abs))
            .start(sample, controls, sample_rate, amp)
        {
            self.pool.release_fresh(offset);
        }
    }

    /// Starts a voice of `instrument` (one of SuperDirt's synths) at frame `offset` of the
    /// coming piece, as `controls` ask: its pitch from `note` (or `midinote`) and `octave`
    /// (note 0 is middle C), its length from `sustain`, or `legato` times `delta`, or `delta`
    /// (percussion plays its own), with the level and pan laws, sends and cut groups of a sample
    /// voice. Other per-event effects (filters, shape) are for samples only.
    pub fn start_instrument(&mut self, offset: usize, instrument: Instrument, controls: &Controls) {
        self.settings.take(controls);
        let c = controls;
        let cut = c.get(Control::Cut).map(|c| c as i64).filter(|&c| c != 0);
        if let Some(group) = cut.filter(|&g| g > 0) {
            self.pool.cut(group, offset, |_| true);
            self.synths.cut(group, offset, |_| true);
        }
        let midinote = c.get(Control::Midinote).unwrap_or_else(|| {
            c.or(Control::Note, 0.0) + (c.or(Control::Octave, 5.0) - 5.0) * 12.0 + 60.0
        });
        let freq = 440.0 * ((midinote - 69.0) / 12.0).exp2() * c.or(Control::Speed, 1.0).abs();
        let sr = f64::from(self.sample_rate);
        let seconds = match (c.get(Control::Sustain), c.get(Control::Legato)) {
            (Some(s), _) => s,
            (None, Some(l)) => l * c.or(Control::Delta, 0.25),
            (None, None) => c.or(Control::Delta, 0.25),
        };
        let level = event_level(c, self.default_amp);
        let gains = pan_gains(c.or(Control::Pan, 0.5) as f32).map(|g| g * level);
        self.synths_started = self.synths_started.wrapping_add(1);
        let seed = self.synths_started;
        let synth = self.synths.start(offset, cut.map(i64::abs));
        synth.voice.start(
            instrument,
            freq as f32,
            (seconds.max(0.0) * sr) as f32,
            seed,
        );
        synth.gains = gains;
        synth.sends = [
            c.or(Control::Delay, 0.0).clamp(0.0, 1.0) as f32,
            c.or(Control::Room, 0.0).clamp(0.0, 1.0) as f32,
        ];
        synth.dry_level = 1.0 - c.or(Control::Dry, 0.0).clamp(0.0, 1.0) as f32;
    }

    /// Renders the voices and the effects for `ctx.frames` frames (at most [`MAX_BLOCK`])
    /// into `out`, overwriting it.
    pub fn render(&mut self, ctx: &Context<'_>, out: [&mut [f32]; 2]) {
        let n = ctx.frames.min(MAX_BLOCK);
        let ctx = &Context::new(ctx.sample_rate, n, ctx.span, ctx.arena);
        self.delay.clear(n);
        self.reverb.clear(n);
        let [left, right] = out;
        left[..n].fill(0.0);
        right[..n].fill(0.0);
        let mut buses = Buses {
            dry: [&mut *left, &mut *right],
            delay: &mut self.delay,
            reverb: &mut self.reverb,
        };
        self.pool.render(ctx, |voice, from, played| {
            buses.mix(from, played, voice.dry_level(), voice.sends());
        });
        self.synths.render(ctx, |synth, from, played| {
            buses.mix(from, played, synth.dry_level, synth.sends);
        });
        let s = self.settings;
        let delay_time = if s.lock {
            s.delay_time / s.cps
        } else {
            s.delay_time
        };
        self.delay.run(
            ctx,
            [delay_time, s.delay_feedback],
            &mut self.wet,
            [&mut *left, &mut *right],
        );
        self.reverb
            .run(ctx, [s.size, 0.5], &mut self.wet, [&mut *left, &mut *right]);
    }

    /// Voices sounding and stolen so far.
    pub fn voices(&self) -> VoiceCount {
        let (samples, synths) = (self.pool.count(), self.synths.count());
        VoiceCount {
            sounding: samples.sounding + synths.sounding,
            stolen: samples.stolen + synths.stolen,
        }
    }

    /// Takes over what `old` (the same orbit in an earlier version of the patch) was playing:
    /// voices, effect tails and settings; `old` gets this one's silence. Nothing is allocated.
    pub fn take_over(&mut self, old: &mut Orbit) {
        if self.sample_rate == old.sample_rate && self.pool.take_over(&mut old.pool) {
            self.synths.take_over(&mut old.synths);
            self.synths_started = old.synths_started;
            std::mem::swap(&mut self.settings, &mut old.settings);
            std::mem::swap(&mut self.delay, &mut old.delay);
            std::mem::swap(&mut self.reverb, &mut old.reverb);
        }
    }
}
