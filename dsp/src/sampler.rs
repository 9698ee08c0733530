//! The sampler: plays a pattern of sounds from the sample bank on a fixed pool of voices.
//!
//! Each block it queries its pattern once for the block's cycle span and starts a voice at the
//! exact frame of every onset. Voices read their sample with linear interpolation at the event's
//! speed (negative plays backwards), between `begin` and `end`, with `gain`, equal-power `pan`,
//! `attack`, `release`, `legato` and `cut` groups. When the pool is full the oldest voice is
//! stolen with a short fade, and steals are counted. Nothing is allocated while processing.

use crate::bank::{Sample, SampleBank};
use crate::{downcast, Carry, Context, In, Node, VoiceCount};
use bumpalo::Bump;
use pattern::{Control, Pattern, Sound, Span, Value};
use std::sync::Arc;

/// The default number of voices per sampler.
pub const DEFAULT_VOICES: usize = 128;

/// Seconds over which a cut or stolen voice fades out.
const FADE_SECONDS: f32 = 0.005;

#[derive(Clone, Default)]
struct Voice {
    sample: Option<Arc<Sample>>,
    /// Read position in sample frames.
    position: f64,
    /// Sample frames advanced per output frame.
    rate: f64,
    /// The playable region of the sample, in frames.
    first: f64,
    last: f64,
    /// Frame within the current block where the voice starts (0 once running).
    start: usize,
    gains: [f32; 2],
    /// Frames played so far, for the attack ramp.
    played: f32,
    attack: f32,
    /// Frames left before the release begins (legato), if limited.
    hold: Option<f32>,
    release: f32,
    /// Level and per-frame decrement of a fade-out in progress (release, cut or steal).
    fade: Option<(f32, f32)>,
    /// Frame within the block at which a pending fade begins.
    fade_at: usize,
    cut: Option<i64>,
    age: u64,
}

impl Voice {
    fn active(&self) -> bool {
        self.sample.is_some()
    }

    fn begin_fade(&mut self, frames: f32, at: usize) {
        if self.fade.is_none() {
            self.fade = Some((1.0, 1.0 / frames.max(1.0)));
            self.fade_at = at;
        }
    }
}

/// Plays a sound pattern.
pub struct Sampler {
    pattern: Pattern<Sound>,
    bank: Arc<SampleBank>,
    voices: Box<[Voice]>,
    /// Voices that may sound at once; the rest of the pool lets stolen voices fade.
    limit: usize,
    sample_rate: f32,
    steals: u64,
    started: u64,
    /// Blocks whose query was cut at the budget.
    cut: u64,
}

impl Sampler {
    /// A sampler with `voices` voices (plus room for stolen ones to fade). Allocates.
    pub fn new(
        pattern: Pattern<Sound>,
        bank: Arc<SampleBank>,
        voices: usize,
        sample_rate: f32,
    ) -> Sampler {
        let limit = voices.max(1);
        Sampler {
            pattern,
            bank,
            voices: vec![Voice::default(); limit + limit / 8 + 1].into_boxed_slice(),
            limit,
            sample_rate,
            steals: 0,
            started: 0,
            cut: 0,
        }
    }

    /// Renders one block covering `span` (in cycles) of `left.len()` frames, adding nothing else:
    /// `left` and `right` are overwritten. Temporary lists go in `arena`.
    pub fn render(&mut self, span: Span, arena: &Bump, left: &mut [f32], right: &mut [f32]) {
        self.render_with(span, arena, &[], left, right);
    }

    /// [`Sampler::render`], with controls from signals: input k sets control
    /// `Control::ALL[k]` of each event starting in the block to its value at the onset (NaN
    /// leaves the event's own).
    pub fn render_with(
        &mut self,
        span: Span,
        arena: &Bump,
        controls: &[In<'_>],
        left: &mut [f32],
        right: &mut [f32],
    ) {
        let frames = left.len().min(right.len());
        left[..frames].fill(0.0);
        right[..frames].fill(0.0);
        if frames == 0 || span.end <= span.begin {
            return;
        }
        let events = crate::query_within_budget(&self.pattern, span, arena, &mut self.cut);
        let frames_per_cycle = frames as f64 / (span.end - span.begin).to_f64();
        for (offset, duration, event) in onsets(&events, span, frames) {
            if controls.is_empty() {
                self.start(event, offset, duration as f32, frames_per_cycle);
                continue;
            }
            let mut event = event.clone();
            for (control, input) in Control::ALL.iter().zip(controls) {
                let x = input.at(offset);
                if x.is_finite() {
                    event.set(*control, f64::from(x));
                }
            }
            self.start(&event, offset, duration as f32, frames_per_cycle);
        }
        for voice in self.voices.iter_mut().filter(|v| v.active()) {
            render(voice, &mut left[..frames], &mut right[..frames]);
        }
    }

    fn start(&mut self, event: &Sound, offset: usize, duration: f32, frames_per_cycle: f64) {
        let (name, index) = match &event.sound {
            Value::Str(name) => (&**name, 0i64),
            Value::List(items) => match (items.first(), items.get(1)) {
                (Some(Value::Str(name)), Some(n)) => (&**name, n.as_f64().unwrap_or(0.0) as i64),
                (Some(Value::Str(name)), None) => (&**name, 0),
                _ => return,
            },
            _ => return,
        };
        let n = index + event.get(Control::N).unwrap_or(0.0) as i64;
        let Some(sample) = self.bank.get(name, n) else {
            return;
        };
        let length = sample.frames() as f64;
        let fade = FADE_SECONDS * self.sample_rate;
        if let Some(group) = event.get(Control::Cut).map(|c| c as i64) {
            for v in self
                .voices
                .iter_mut()
                .filter(|v| v.active() && v.cut == Some(group))
            {
                v.begin_fade(fade, offset);
            }
        }
        let speed = f64::from(event.get(Control::Speed).unwrap_or(1.0) as f32);
        let note = event.get(Control::Note).unwrap_or(0.0);
        let begin = event.get(Control::Begin).unwrap_or(0.0).clamp(0.0, 1.0);
        let end = event.get(Control::End).unwrap_or(1.0).clamp(0.0, 1.0);
        // In cycles, speed 1 plays the part between begin and end over one cycle.
        let speed = match event.get(Control::Unit) {
            Some(u) if u == 1.0 && frames_per_cycle > 0.0 => {
                speed * (end - begin).abs() * length / frames_per_cycle
            }
            _ => speed,
        };
        let rate = speed * 2f64.powf(note / 12.0);
        let (first, last) = (begin.min(end) * length, begin.max(end) * length);
        let gain = event.get(Control::Gain).unwrap_or(1.0).max(0.0) as f32;
        let pan = event.get(Control::Pan).unwrap_or(0.5).clamp(0.0, 1.0) as f32;
        let angle = pan * std::f32::consts::FRAC_PI_2;
        // Equal power, normalised so a centred sound keeps its level on both sides.
        let gains = [
            angle.cos() * std::f32::consts::SQRT_2 * gain,
            angle.sin() * std::f32::consts::SQRT_2 * gain,
        ];
        let seconds = |c: Control| (event.get(c).unwrap_or(0.0).max(0.0) as f32) * self.sample_rate;
        let attack = seconds(Control::Attack);
        let hold = event
            .get(Control::Legato)
            .map(|l| (l as f32 * duration).max(1.0));
        let release = seconds(Control::Release).max(FADE_SECONDS * self.sample_rate);
        let cut = event.get(Control::Cut).map(|c| c as i64);
        // Stacked patterns (`stut`, `jux`, `superimpose`) often start the same sound on the same
        // frame more than once: such voices differ only in gain and pan, so one voice with the
        // summed gains plays them all exactly.
        if let Some(twin) = self.voices.iter_mut().find(|v| {
            v.start == offset
                && v.played == 0.0
                && v.fade.is_none()
                && v.rate == rate
                && v.first == first
                && v.last == last
                && v.attack == attack
                && v.hold == hold
                && v.release == release
                && v.cut == cut
                && v.sample.as_ref().is_some_and(|s| Arc::ptr_eq(s, sample))
        }) {
            twin.gains[0] += gains[0];
            twin.gains[1] += gains[1];
            self.started += 1;
            return;
        }
        let sounding = self
            .voices
            .iter()
            .filter(|v| v.active() && v.fade.is_none())
            .count();
        if sounding >= self.limit {
            if let Some(oldest) = self
                .voices
                .iter_mut()
                .filter(|v| v.active() && v.fade.is_none())
                .min_by_key(|v| v.age)
            {
                oldest.begin_fade(fade, offset);
                self.steals += 1;
            }
        }
        let slot = match self.voices.iter().position(|v| !v.active()) {
            Some(i) => i,
            // Every slot busy, even the fading room: replace the voice nearest silence.
            None => (0..self.voices.len())
                .min_by(|&a, &b| {
                    let level = |v: &Voice| v.fade.map_or(f32::MAX, |(l, _)| l);
                    level(&self.voices[a]).total_cmp(&level(&self.voices[b]))
                })
                .unwrap_or(0),
        };
        self.started += 1;
        self.voices[slot] = Voice {
            sample: Some(sample.clone()),
            position: if rate < 0.0 { last - 1.0 } else { first },
            rate,
            first,
            last,
            start: offset,
            gains,
            played: 0.0,
            attack,
            hold,
            release,
            fade: None,
            fade_at: 0,
            cut,
            age: self.started,
        };
    }
}

/// The common case, without per-frame checks: no attack ramp, fade or legato end in this block
/// and the read position safely inside the sample. Mixes as many frames as that allows and
/// returns how many; the general loop does the rest.
fn steady(
    voice: &mut Voice,
    sample: &Sample,
    stereo: bool,
    left: &mut [f32],
    right: &mut [f32],
) -> usize {
    let frames = left.len().min(right.len());
    if voice.fade.is_some()
        || voice.played < voice.attack
        || voice.hold.is_some_and(|h| h <= frames as f32)
        || voice.rate == 0.0
    {
        return 0;
    }
    let length = sample.frames() as f64;
    if voice.position < 0.0 || voice.position >= length - 1.0 {
        return 0;
    }
    // Frames until the position (and the next frame read for interpolation) would leave the
    // region or the sample.
    let room = if voice.rate > 0.0 {
        (voice.last.min(length - 1.0) - voice.position) / voice.rate
    } else {
        (voice.position - voice.first.max(0.0)) / -voice.rate
    };
    if !room.is_finite() || room < 1.0 {
        return 0;
    }
    let n = (room.floor() as usize).min(frames);
    let [gl, gr] = voice.gains;
    let mut p = voice.position;
    let first = &sample.channels[0];
    let second = &sample.channels[if stereo { 1 } else { 0 }];
    for j in 0..n {
        let k = p as usize;
        let f = (p - k as f64) as f32;
        let a = first[k] + (first[k + 1] - first[k]) * f;
        let b = if stereo {
            second[k] + (second[k + 1] - second[k]) * f
        } else {
            a
        };
        left[j] += a * gl;
        right[j] += b * gr;
        p += voice.rate;
    }
    voice.position = p;
    voice.played += n as f32;
    if let Some(hold) = voice.hold.as_mut() {
        *hold -= n as f32;
    }
    n
}

/// The events of a block that start in it: their frame offset, their whole's length in frames and
/// their value.
pub(crate) fn onsets<T>(
    events: &[pattern::Event<T>],
    span: Span,
    frames: usize,
) -> impl Iterator<Item = (usize, f64, &T)> {
    let frames_per_cycle = frames as f64 / (span.end - span.begin).to_f64();
    events.iter().filter(|e| e.has_onset()).map(move |e| {
        let offset = ((e.part.begin - span.begin).to_f64() * frames_per_cycle) as usize;
        let duration = e.whole.map_or(0.0, |w| w.duration().to_f64()) * frames_per_cycle;
        (offset.min(frames - 1), duration, &e.value)
    })
}

/// Mixes one voice into the block, ending it when it runs out or fades away.
fn render(voice: &mut Voice, left: &mut [f32], right: &mut [f32]) {
    let Some(sample) = voice.sample.clone() else {
        return;
    };
    let stereo = sample.channels.len() > 1;
    let frames = left.len();
    let mut i = voice.start;
    voice.start = 0;
    i += steady(voice, &sample, stereo, &mut left[i..], &mut right[i..]);
    while i < frames {
        let p = voice.position;
        if p < voice.first || p >= voice.last || !p.is_finite() {
            voice.sample = None;
            break;
        }
        if let Some(hold) = voice.hold.as_mut() {
            *hold -= 1.0;
            if *hold <= 0.0 && voice.fade.is_none() {
                voice.fade = Some((1.0, 1.0 / voice.release));
                voice.fade_at = i;
            }
        }
        let mut level = if voice.attack > 0.0 {
            (voice.played / voice.attack).min(1.0)
        } else {
            1.0
        };
        if let Some((fade, step)) = voice.fade {
            if i >= voice.fade_at {
                let next = fade - step;
                if next <= 0.0 {
                    voice.sample = None;
                    break;
                }
                voice.fade = Some((next, step));
            }
            level *= fade;
        }
        let whole = p.floor();
        let frac = (p - whole) as f32;
        let k = whole as usize;
        let read = |c: usize| {
            let a = sample.at(c, k);
            a + (sample.at(c, k + 1) - a) * frac
        };
        let (l, r) = if stereo {
            (read(0), read(1))
        } else {
            let m = read(0);
            (m, m)
        };
        left[i] += l * voice.gains[0] * level;
        right[i] += r * voice.gains[1] * level;
        voice.position += voice.rate;
        voice.played += 1.0;
        i += 1;
    }
    voice.fade_at = 0;
}

impl Node for Sampler {
    fn process(&mut self, ctx: &Context<'_>, inputs: &[In<'_>], out: &mut [&mut [f32]]) {
        match out {
            [left, right, ..] => self.render_with(
                ctx.span,
                ctx.arena,
                inputs,
                &mut left[..ctx.frames],
                &mut right[..ctx.frames],
            ),
            [left] => self.render_with(
                ctx.span,
                ctx.arena,
                inputs,
                &mut left[..ctx.frames],
                &mut [],
            ),
            [] => {}
        }
    }

    /// Takes over the sounding voices and counters of the older sampler without allocating, so
    /// notes ring on across an edit; the older one gets this one's silent voices. Pools of
    /// different sizes are left as they are.
    fn carry_from(&mut self, old: &mut dyn Node) -> Carry {
        if let Some(old) = downcast::<Sampler>(old) {
            if self.voices.len() == old.voices.len() {
                std::mem::swap(&mut self.voices, &mut old.voices);
                self.steals = old.steals;
                self.started = old.started;
                self.cut = old.cut;
            }
        }
        Carry::Taken
    }

    fn voices(&self) -> Option<VoiceCount> {
        Some(VoiceCount {
            sounding: self.voices.iter().filter(|v| v.active()).count(),
            stolen: self.steals,
        })
    }

    fn queries_cut(&self) -> u64 {
        self.cut
    }
}
