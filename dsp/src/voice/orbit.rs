//! An orbit, as SuperDirt's `DirtOrbit`: sample and instrument voices, their cut groups, a
//! global reverb fed by the voices' `room` sends, a global delay, the rotary speaker
//! ([`Leslie`]) and a limiter, with the orbit-wide settings each event sets (`delay`,
//! `delaytime`, `delayfeedback`, `lock`, `size`, `leslie`, `lrate`, `lsize`). A patch's sampler plays through one; so does each orbit of `phonon dirt`.
//!
//! The delay is SuperDirt's `dirt_delay`: it takes the orbit's whole dry sound and gives back
//! that sound plus its echoes, scaled by the `delay` of the latest event (0 when it has none,
//! so an event without `delay` silences the echoes at once, and `delay 0.5` makes the sound
//! 1.5 times as loud). While the latest `delay` is 0 the delay line stands still, as SuperDirt
//! pauses it, and goes on from where it stood when a later event turns it up.

use super::leslie::Leslie;
use super::memory::Shelf;
use super::sample::{Linen, SampleVoice};
use crate::blocks::laws::{event_level, pan_gains};
use crate::blocks::pool::MAX_BLOCK;
use crate::blocks::pool::{Voice, VoicePool};
use crate::delays::make_delay;
use crate::dynamics::PeakLimiter;
use crate::instruments::halls::LENT_HALLS;
use crate::instruments::voice::InstrumentVoice;
use crate::instruments::Instrument;
use crate::reverbs::dirt::make_dirt_reverb;
use crate::samples::bank::Sample;
use crate::{Context, In, Node, VoiceCount};
use pattern::{Control, Controls};
use std::sync::Arc;

/// How long the reverb keeps running after its last send, in seconds.
const TAIL_SECONDS: f32 = 20.0;

/// How long the delay's level takes to reach a new event's `delay` (SuperDirt lags it by
/// 10 ms, to 60 dB).
const DELAY_LAG_SECONDS: f32 = 0.01;

/// The most an orbit's output reaches: SuperDirt limits each orbit to 1.
const ORBIT_CEILING: f32 = 1.0;

/// How fast the orbit's limiter lets go, in seconds (SuperDirt's `Limiter` looks 10 ms ahead).
const LIMITER_RELEASE_SECONDS: f32 = 0.01;

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
    /// The latest event's `delay`: how loud the delay's output (the sound and its echoes) is.
    delay_level: f32,
}

impl Settings {
    /// Takes the orbit-wide settings an event carries (SuperDirt sets them per event). Every
    /// event sets the delay's level, to 0 when it has no `delay`.
    fn take(&mut self, c: &Controls) {
        let get = |control: Control| c.get(control).map(|v| v as f32);
        self.delay_level = get(Control::Delay).unwrap_or(0.0).max(0.0);
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

    /// True when nothing waits on the bus and the effect's tail is over: running it would
    /// neither sound nor change it.
    fn is_quiet(&self) -> bool {
        !self.sent && self.tail == 0
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

/// The orbit's delay: the orbit's dry sound and its echoes, at the latest event's level.
struct OrbitDelay {
    /// The feedback delay, run wet only.
    line: Box<dyn Node>,
    /// The level now, gliding to the latest event's `delay`.
    level: f32,
    /// Frames the line still runs for: its longest delay after anything last went in or came
    /// out.
    ringing: u64,
}

impl OrbitDelay {
    fn new(sample_rate: f32) -> OrbitDelay {
        OrbitDelay {
            line: make_delay(sample_rate, 2),
            level: 0.0,
            ringing: 0,
        }
    }

    /// True while the level is 0 and stays there (the latest event's `delay`, `target`, is 0):
    /// the delay adds nothing and its line stands still.
    fn is_paused(&self, target: f32) -> bool {
        target == 0.0 && self.level == 0.0
    }

    /// Adds the delay's output for the orbit's dry sound `out` to `out`: the sound and its
    /// echoes times the level, which glides to `target`.
    fn run(
        &mut self,
        ctx: &Context<'_>,
        target: f32,
        params: [f32; 2],
        wet: &mut Pair,
        out: [&mut [f32]; 2],
    ) {
        let n = ctx.frames;
        if self.is_paused(target) {
            // As SuperDirt pauses a silent delay: the line stands still.
            return;
        }
        let sounding = out.iter().any(|c| c[..n].iter().any(|&x| x != 0.0));
        let [left, right] = out;
        let [wl, wr] = wet;
        let longest = (crate::delays::MAX_DELAY_SECONDS * ctx.sample_rate) as u64;
        if sounding {
            self.ringing = longest;
        }
        if self.ringing > 0 {
            self.line.process(
                ctx,
                &[
                    In::Stereo(&left[..n], &right[..n]),
                    In::Const(params[0]),
                    In::Const(params[1]),
                    In::Const(1.0),
                ],
                &mut [&mut wl[..n], &mut wr[..n]],
            );
            self.ringing = if wl[..n].iter().chain(&wr[..n]).any(|&x| x.abs() > 1e-7) {
                longest
            } else {
                self.ringing.saturating_sub(n as u64)
            };
        } else {
            wl[..n].fill(0.0);
            wr[..n].fill(0.0);
        }
        let glide = 1.0 - (0.001f32.ln() / (DELAY_LAG_SECONDS * ctx.sample_rate)).exp();
        for i in 0..n {
            self.level += (target - self.level) * glide;
            if (self.level - target).abs() < 1e-6 {
                self.level = target;
            }
            left[i] += self.level * (left[i] + wl[i]);
            right[i] += self.level * (right[i] + wr[i]);
        }
    }
}

/// Instrument voices an orbit plays at once (SuperDirt's synths: `s "superkick"`).
pub const SYNTH_VOICES: usize = 16;

/// An instrument voice of an orbit: the voice, with its event's level and place and its send to
/// the reverb.
pub struct OrbitSynth {
    voice: InstrumentVoice,
    gains: [f32; 2],
    reverb_send: f32,
    /// SuperDirt's envelope (`attack`, `hold`, `release`), as on samples, and frames played.
    linen: Option<Linen>,
    played: u64,
}

impl Voice for OrbitSynth {
    fn render(&mut self, ctx: &Context<'_>, out: &mut [&mut [f32]]) -> usize {
        let [left, right, ..] = out else { return 0 };
        let produced = self.voice.render(ctx, &mut [&mut left[..], &mut right[..]]);
        let [gl, gr] = self.gains;
        // A stereo synth is balanced (`Balance2`), a mono one panned (`Pan2`): the same gains.
        let stereo = self.voice.is_stereo();
        for (l, r) in left[..produced].iter_mut().zip(right.iter_mut()) {
            if let Some(linen) = self.linen {
                let level = linen.at(self.played as f64);
                *l *= level;
                *r *= level;
                self.played += 1;
            }
            if !stereo {
                *r = *l;
            }
            *r *= gr;
            *l *= gl;
        }
        produced
    }
}

/// Where a voice's output goes: the orbit's dry mix and its reverb.
struct Buses<'a> {
    dry: [&'a mut [f32]; 2],
    reverb: &'a mut Send,
}

impl Buses<'_> {
    /// Adds a voice's `played` channels from frame `from` to the dry mix, and `reverb_send`
    /// of them to the reverb.
    fn mix(&mut self, from: usize, played: &[&mut [f32]], reverb_send: f32) {
        for (c, x) in played.iter().enumerate() {
            for (y, x) in self.dry[c][from..from + x.len()].iter_mut().zip(x.iter()) {
                *y += x;
            }
            if reverb_send > 0.0 {
                self.reverb.add(c, from, x, reverb_send);
            }
        }
    }
}

/// How much of an event goes to its orbit's reverb: its `room`, less its `dry` (SuperDirt turns
/// the reverb's output down by `dry`; here each event turns down its own share).
pub(crate) fn reverb_send(c: &Controls) -> f32 {
    let room = c.or(Control::Room, 0.0).clamp(0.0, 1.0);
    let dry = c.or(Control::Dry, 0.0).clamp(0.0, 1.0);
    (room * (1.0 - dry)) as f32
}

/// One orbit.
pub struct Orbit {
    sample_rate: f32,
    default_amp: f32,
    pool: VoicePool<SampleVoice>,
    /// The memory the pitch shifter, `squiz`, the band delay and the spectral effects borrow.
    shelf: Shelf,
    synths: VoicePool<OrbitSynth>,
    /// Instrument voices started so far (their noise seeds).
    synths_started: u32,
    settings: Settings,
    wet: Pair,
    delay: OrbitDelay,
    reverb: Send,
    leslie: Leslie,
    /// The dry sound of the piece, kept for the leslie while the delay and reverb are added.
    dry: Pair,
    limiter: PeakLimiter,
}

impl Orbit {
    /// An orbit of which `voices` may sound at once, playing events at `default_amp` when
    /// they set no `amp`. Allocates.
    pub fn new(sample_rate: f32, voices: usize, default_amp: f32) -> Orbit {
        Orbit {
            sample_rate,
            default_amp,
            pool: VoicePool::new(voices, 2, sample_rate, || SampleVoice::new(sample_rate)),
            shelf: Shelf::new(sample_rate),
            synths: VoicePool::new(SYNTH_VOICES, 2, sample_rate, || OrbitSynth {
                voice: InstrumentVoice::any(sample_rate),
                gains: [0.0; 2],
                reverb_send: 0.0,
                linen: None,
                played: 0,
            }),
            synths_started: 0,
            settings: Settings {
                delay_time: 0.25,
                delay_feedback: 0.5,
                lock: false,
                cps: 0.5625,
                // SuperDirt's reverb's own default.
                size: 0.1,
                delay_level: 0.0,
            },
            wet: pair(),
            delay: OrbitDelay::new(sample_rate),
            reverb: Send::new(make_dirt_reverb(sample_rate, 2)),
            leslie: Leslie::new(sample_rate),
            dry: pair(),
            limiter: PeakLimiter::default(),
        }
    }

    /// Starts `sample` at frame `offset` of the coming piece (under [`MAX_BLOCK`]) as
    /// `controls` ask: takes the orbit settings it carries, cuts its cut group (a negative
    /// group only the same sample) and plays it on a voice, stealing the oldest if all sound.
    pub fn start(&mut self, offset: usize, sample: &Arc<Sample>, controls: &Controls) {
        self.settings.take(controls);
        self.leslie.take(controls);
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
        let voice = self.pool.start(offset, cut.map(i64::abs));
        voice.suit(controls, &mut self.shelf);
        if !voice.start(sample, controls, sample_rate, amp) {
            self.pool.release_fresh(offset);
        }
    }

    /// Starts a voice of `instrument` (one of SuperDirt's synths) at frame `offset` of the
    /// coming piece, as `controls` ask: its pitch from `note` or `n` (or `midinote`) and `octave`
    /// (note 0 is middle C), its length from `sustain`, or `legato` times `delta`, or `delta`
    /// (percussion plays its own), with the level and pan laws, SuperDirt's envelope, sends
    /// and cut groups of a sample voice. Other per-event effects (filters, shape) are for
    /// samples only.
    pub fn start_instrument(&mut self, offset: usize, instrument: Instrument, controls: &Controls) {
        self.settings.take(controls);
        self.leslie.take(controls);
        let c = controls;
        let cut = c.get(Control::Cut).map(|c| c as i64).filter(|&c| c != 0);
        if let Some(group) = cut.filter(|&g| g > 0) {
            self.pool.cut(group, offset, |_| true);
            self.synths.cut(group, offset, |_| true);
        }
        // A synth's `n` is its note, as in SuperDirt (`n "0 4 7" # s "superpiano"`).
        let note = c.get(Control::Note).or(c.get(Control::N)).unwrap_or(0.0);
        let midinote = c
            .get(Control::Midinote)
            .unwrap_or_else(|| note + (c.or(Control::Octave, 5.0) - 5.0) * 12.0 + 60.0);
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
        let linen = Linen::of(c, self.sample_rate, seconds.max(0.0) * sr);
        // Past the end of its envelope a synth is silent: the voice ends there.
        let frames = linen.map_or(seconds.max(0.0) * sr, |l| {
            (seconds.max(0.0) * sr).min(l.total())
        });
        let synth = self.synths.start(offset, cut.map(i64::abs));
        let instrument = instrument.for_event(c);
        synth.voice.suit_hall(&instrument, &mut self.shelf.halls);
        synth
            .voice
            .start(instrument, freq as f32, frames as f32, seed);
        synth.gains = gains;
        synth.reverb_send = reverb_send(c);
        synth.linen = linen;
        synth.played = 0;
    }

    /// SuperDirt's `superpanic`: every sounding voice fades out from frame `offset` (over the
    /// declick) and the delay's echoes stop, as after an event without `delay`; the reverb's
    /// tail rings out.
    pub fn hush(&mut self, offset: usize) {
        self.pool.cut_all(offset);
        self.synths.cut_all(offset);
        self.settings.delay_level = 0.0;
    }

    /// True when rendering would give silence and change nothing later blocks hear: no voice
    /// sounds, the reverb's tail is over, the delay is paused, the rotary speaker is off, the
    /// limiter has let go and nothing is out on loan. An idle orbit then costs a fill of zeros.
    pub fn is_at_rest(&self) -> bool {
        self.pool.count().sounding == 0
            && self.synths.count().sounding == 0
            && self.reverb.is_quiet()
            && self.delay.is_paused(self.settings.delay_level)
            && !self.leslie.is_on()
            && self.limiter.has_let_go(ORBIT_CEILING)
            && !self.shelf.lending()
            && self.shelf.halls.len() >= LENT_HALLS
    }

    /// Renders the voices and the effects for `ctx.frames` frames (at most [`MAX_BLOCK`])
    /// into `out`, overwriting it.
    pub fn render(&mut self, ctx: &Context<'_>, out: [&mut [f32]; 2]) {
        let n = ctx.frames.min(MAX_BLOCK);
        if self.is_at_rest() {
            for channel in out {
                channel[..n].fill(0.0);
            }
            return;
        }
        self.render_all(ctx, out);
    }

    /// [`Orbit::render`] without the shortcut for an orbit at rest.
    fn render_all(&mut self, ctx: &Context<'_>, out: [&mut [f32]; 2]) {
        let n = ctx.frames.min(MAX_BLOCK);
        let ctx = &Context::new(ctx.sample_rate, n, ctx.span, ctx.arena);
        self.reverb.clear(n);
        let [left, right] = out;
        left[..n].fill(0.0);
        right[..n].fill(0.0);
        let mut buses = Buses {
            dry: [&mut *left, &mut *right],
            reverb: &mut self.reverb,
        };
        self.pool.render(ctx, |voice, from, played| {
            buses.mix(from, played, voice.reverb_send());
        });
        self.synths.render(ctx, |synth, from, played| {
            buses.mix(from, played, synth.reverb_send);
        });
        if self.shelf.lending() {
            for voice in self.pool.idle_mut() {
                voice.give_back(&mut self.shelf);
            }
        }
        if self.shelf.halls.len() < LENT_HALLS {
            for synth in self.synths.idle_mut() {
                synth.voice.give_back_hall(&mut self.shelf.halls);
            }
        }
        if self.leslie.is_on() {
            for (kept, now) in self.dry.iter_mut().zip([&*left, &*right]) {
                kept[..n].copy_from_slice(&now[..n]);
            }
        }
        let s = self.settings;
        let delay_time = if s.lock {
            s.delay_time / s.cps
        } else {
            s.delay_time
        };
        self.delay.run(
            ctx,
            s.delay_level,
            [delay_time, s.delay_feedback],
            &mut self.wet,
            [&mut *left, &mut *right],
        );
        self.reverb
            .run(ctx, [s.size, 0.5], &mut self.wet, [&mut *left, &mut *right]);
        self.leslie.process(
            [&self.dry[0][..n], &self.dry[1][..n]],
            [&mut left[..n], &mut right[..n]],
        );
        self.limiter.limit(
            [&mut left[..n], &mut right[..n]],
            ORBIT_CEILING,
            LIMITER_RELEASE_SECONDS,
            ctx.sample_rate,
        );
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
            // The voices hold what they borrowed: their lender goes with them.
            std::mem::swap(&mut self.shelf, &mut old.shelf);
            self.synths.take_over(&mut old.synths);
            self.synths_started = old.synths_started;
            std::mem::swap(&mut self.settings, &mut old.settings);
            std::mem::swap(&mut self.delay, &mut old.delay);
            std::mem::swap(&mut self.reverb, &mut old.reverb);
            std::mem::swap(&mut self.leslie, &mut old.leslie);
            std::mem::swap(&mut self.limiter, &mut old.limiter);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bumpalo::Bump;
    use pattern::{Span, Time};

    const RATE: f32 = 8_000.0;
    const BLOCK: usize = 128;

    fn controls(pairs: &[(Control, f64)]) -> Controls {
        let mut c = Controls::default();
        for &(control, value) in pairs {
            c.set(control, value);
        }
        c
    }

    #[test]
    fn an_orbit_at_rest_renders_what_the_whole_render_would() {
        let noise: Vec<f32> = (0..800u32)
            .map(|i| ((i.wrapping_mul(2_654_435_761) >> 8) as f32 / (1u32 << 24) as f32) - 0.5)
            .collect();
        let sample = Arc::new(Sample {
            channels: vec![noise.into_boxed_slice()],
        });
        // A plain hit; echoes; an event without `delay` that pauses them; one into the reverb
        // (its tail runs 20 s); a hit loud enough to limit; the rotary speaker, which stays on.
        let events = [
            (0, controls(&[])),
            (
                20,
                controls(&[(Control::Delay, 0.5), (Control::Delaytime, 0.1)]),
            ),
            (40, controls(&[])),
            (60, controls(&[(Control::Room, 0.3)])),
            (
                1_400,
                controls(&[(Control::Gain, 2.0), (Control::Amp, 4.0)]),
            ),
            (1_500, controls(&[(Control::Leslie, 0.5)])),
        ];
        let mut resting = Orbit::new(RATE, 8, 1.0);
        let mut whole = Orbit::new(RATE, 8, 1.0);
        let arena = Bump::new();
        let span = Span::new(Time::new(0, 1), Time::new(1, 1));
        let ctx = Context::new(RATE, BLOCK, span, &arena);
        let (mut at_rest, mut limited) = (0, false);
        for block in 0..1_600 {
            for (_, c) in events.iter().filter(|(at, _)| *at == block) {
                resting.start(5, &sample, c);
                whole.start(5, &sample, c);
            }
            at_rest += usize::from(resting.is_at_rest());
            let mut a = [[0.0f32; BLOCK]; 2];
            let mut b = [[0.0f32; BLOCK]; 2];
            let [al, ar] = &mut a;
            resting.render(&ctx, [&mut al[..], &mut ar[..]]);
            let [bl, br] = &mut b;
            whole.render_all(&ctx, [&mut bl[..], &mut br[..]]);
            let bits = |x: &[[f32; BLOCK]; 2]| x.map(|c| c.map(f32::to_bits));
            assert_eq!(bits(&a), bits(&b), "block {block}");
            limited |= !whole.limiter.has_let_go(ORBIT_CEILING);
        }
        assert!(limited, "the loud hit went through the limiter");
        // At rest between the paused echoes and the reverb's hit, and between the reverb's tail
        // and the loud hit.
        assert!((100..1_000).contains(&at_rest), "{at_rest} blocks at rest");
        assert!(
            !resting.is_at_rest(),
            "the rotary speaker keeps the orbit awake"
        );
    }
}
