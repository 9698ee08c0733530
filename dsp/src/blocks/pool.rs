//! A fixed pool of voices with one steal policy: when `limit` voices sound, the oldest is
//! faded out over [`DECLICK_SECONDS`] and counted as stolen; the pool keeps spare slots so
//! stolen and cut voices can finish their fade while new ones start. Nothing is allocated once
//! the pool is made.

use crate::blocks::laws::DECLICK_SECONDS;
use crate::{Context, VoiceCount};

/// The most frames a pool, a voice or an orbit renders at once; longer blocks are rendered in
/// pieces by their callers, starting each piece's events before rendering it.
pub const MAX_BLOCK: usize = 1024;

/// A voice a [`VoicePool`] plays.
pub trait Voice {
    /// Renders the next `ctx.frames` frames into every channel of `out` (overwriting them) and
    /// returns how many it produced: fewer means it has ended.
    fn render(&mut self, ctx: &Context<'_>, out: &mut [&mut [f32]]) -> usize;
}

/// A fade-out in progress: level, step per frame, and the frame of the block it begins at.
#[derive(Clone, Copy, Debug)]
struct Fade {
    level: f32,
    step: f32,
    at: usize,
}

struct Slot<V> {
    voice: V,
    sounding: bool,
    /// Started in the coming block and not rendered yet.
    fresh: bool,
    /// Order of starting, for stealing the oldest.
    age: u64,
    /// Cut group, if any.
    cut: Option<i64>,
    /// Frame of the coming block it starts at.
    start: usize,
    fade: Option<Fade>,
}

impl<V> Slot<V> {
    fn fade_from(&mut self, at: usize, frames: f32) {
        if self.fade.is_none() {
            self.fade = Some(Fade {
                level: 1.0,
                step: 1.0 / frames.max(1.0),
                at,
            });
        }
    }
}

/// Voices of one kind, their cut groups and their steal policy.
pub struct VoicePool<V> {
    slots: Box<[Slot<V>]>,
    limit: usize,
    channels: usize,
    declick: f32,
    started: u64,
    stolen: u64,
    /// Slots sounding: with none, a block walks no slot (they are large, and an idle orbit's
    /// walk through hundreds of them missed the cache every block).
    live: usize,
    scratch: [Box<[f32]>; 2],
}

impl<V: Voice> VoicePool<V> {
    /// A pool of which `limit` voices may sound at once, rendering `channels` (1 or 2) channels
    /// at `sample_rate`, its voices made by `make`. Allocates.
    pub fn new(
        limit: usize,
        channels: usize,
        sample_rate: f32,
        mut make: impl FnMut() -> V,
    ) -> VoicePool<V> {
        let limit = limit.max(1);
        VoicePool {
            slots: (0..limit + limit / 8 + 1)
                .map(|_| Slot {
                    voice: make(),
                    sounding: false,
                    fresh: false,
                    age: 0,
                    cut: None,
                    start: 0,
                    fade: None,
                })
                .collect(),
            limit,
            channels: channels.clamp(1, 2),
            declick: DECLICK_SECONDS * sample_rate,
            started: 0,
            stolen: 0,
            live: 0,
            scratch: std::array::from_fn(|_| vec![0.0; MAX_BLOCK].into_boxed_slice()),
        }
    }

    /// The voice to start at frame `offset` of the coming block, in cut group `cut`: a free
    /// slot's, once the oldest sounding voice has been stolen if `limit` sound. The caller sets
    /// it up; a voice that will not sound is let go with [`VoicePool::release_fresh`].
    pub fn start(&mut self, offset: usize, cut: Option<i64>) -> &mut V {
        let sounding = self
            .slots
            .iter()
            .filter(|s| s.sounding && s.fade.is_none())
            .count();
        if sounding >= self.limit {
            if let Some(oldest) = self
                .slots
                .iter_mut()
                .filter(|s| s.sounding && s.fade.is_none())
                .min_by_key(|s| s.age)
            {
                oldest.fade_from(offset, self.declick);
                self.stolen += 1;
            }
        }
        let index = match self.slots.iter().position(|s| !s.sounding) {
            Some(i) => i,
            // Every slot busy, the fading ones too: take the one nearest silence.
            None => (0..self.slots.len())
                .min_by(|&a, &b| {
                    let level = |s: &Slot<V>| s.fade.map_or(f32::MAX, |f| f.level);
                    level(&self.slots[a]).total_cmp(&level(&self.slots[b]))
                })
                .unwrap_or(0),
        };
        self.started += 1;
        let slot = &mut self.slots[index];
        self.live += usize::from(!slot.sounding);
        slot.sounding = true;
        slot.fresh = true;
        slot.age = self.started;
        slot.cut = cut;
        slot.start = offset;
        slot.fade = None;
        &mut slot.voice
    }

    /// Every voice not sounding.
    pub fn idle_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.slots
            .iter_mut()
            .filter(|s| !s.sounding)
            .map(|s| &mut s.voice)
    }

    /// Lets the voice just started at `offset` go without sounding (its setup found nothing to
    /// play).
    pub fn release_fresh(&mut self, offset: usize) {
        if let Some(slot) = self
            .slots
            .iter_mut()
            .filter(|s| s.fresh && s.start == offset)
            .max_by_key(|s| s.age)
        {
            if slot.sounding {
                self.live -= 1;
            }
            slot.sounding = false;
            slot.fresh = false;
        }
    }

    /// Fades out, from frame `offset`, every sounding voice of cut group `group` that `also`
    /// accepts.
    pub fn cut(&mut self, group: i64, offset: usize, also: impl Fn(&V) -> bool) {
        if self.live == 0 {
            return;
        }
        let declick = self.declick;
        for slot in self.slots.iter_mut() {
            if slot.sounding && slot.cut == Some(group) && also(&slot.voice) {
                slot.fade_from(offset, declick);
            }
        }
    }

    /// Fades out every sounding voice from frame `offset`.
    pub fn cut_all(&mut self, offset: usize) {
        let declick = self.declick;
        for slot in self.slots.iter_mut().filter(|s| s.sounding) {
            slot.fade_from(offset, declick);
        }
    }

    /// A voice started at `offset` in the coming block that `same` accepts and that will sound
    /// exactly like the one about to start but for its gains: one voice with the gains summed
    /// plays both (stacked patterns start the same sound on the same frame often).
    pub fn fresh_twin(&mut self, offset: usize, same: impl Fn(&V) -> bool) -> Option<&mut V> {
        self.slots
            .iter_mut()
            .find(|s| s.fresh && s.start == offset && s.fade.is_none() && same(&s.voice))
            .map(|s| &mut s.voice)
    }

    /// Renders every sounding voice for the block `ctx` covers (at most [`MAX_BLOCK`] frames),
    /// handing each one's output, faded where it is being cut, to `mix` with the frame of the
    /// block it starts at.
    pub fn render(&mut self, ctx: &Context<'_>, mut mix: impl FnMut(&V, usize, &[&mut [f32]])) {
        if self.live == 0 {
            return;
        }
        let frames = ctx.frames.min(MAX_BLOCK);
        let [a, b] = &mut self.scratch;
        for slot in self.slots.iter_mut().filter(|s| s.sounding) {
            let from = slot.start.min(frames);
            let n = frames - from;
            slot.start = 0;
            slot.fresh = false;
            if n == 0 {
                continue;
            }
            let mut channels: [&mut [f32]; 2] = [&mut a[..n], &mut b[..n]];
            let out = &mut channels[..self.channels];
            let piece = Context::new(ctx.sample_rate, n, ctx.span, ctx.arena);
            let mut produced = slot.voice.render(&piece, out).min(n);
            if let Some(fade) = slot.fade.as_mut() {
                for i in 0..produced {
                    if from + i >= fade.at {
                        fade.level -= fade.step;
                        if fade.level <= 0.0 {
                            produced = i;
                            break;
                        }
                    }
                    for channel in out.iter_mut() {
                        channel[i] *= fade.level;
                    }
                }
                fade.at = 0;
            }
            if produced > 0 {
                let played: [&mut [f32]; 2] = {
                    let [x, y] = &mut channels;
                    [&mut x[..produced], &mut y[..produced]]
                };
                mix(&slot.voice, from, &played[..self.channels]);
            }
            if produced < n {
                slot.sounding = false;
                self.live -= 1;
            }
        }
    }

    /// Voices sounding now and voices stolen so far.
    pub fn count(&self) -> VoiceCount {
        VoiceCount {
            sounding: self.live,
            stolen: self.stolen,
        }
    }

    /// The sounding voices, in slot order.
    pub fn sounding(&self) -> impl Iterator<Item = &V> {
        self.slots.iter().filter(|s| s.sounding).map(|s| &s.voice)
    }

    /// Takes over the voices and counts of `old` (a pool of the same size), giving it this
    /// one's silent voices: notes ring on across an edit, with nothing allocated. False, and
    /// nothing done, when the sizes differ.
    pub fn take_over(&mut self, old: &mut VoicePool<V>) -> bool {
        if self.slots.len() != old.slots.len() || self.channels != old.channels {
            return false;
        }
        std::mem::swap(&mut self.slots, &mut old.slots);
        std::mem::swap(&mut self.live, &mut old.live);
        self.started = old.started;
        self.stolen = old.stolen;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bumpalo::Bump;
    use pattern::{Span, Time};

    /// Sounds for `left` frames, then ends.
    struct Countdown {
        left: usize,
    }

    impl Voice for Countdown {
        fn render(&mut self, ctx: &Context<'_>, out: &mut [&mut [f32]]) -> usize {
            let n = ctx.frames.min(self.left);
            for channel in out.iter_mut() {
                channel[..n].fill(1.0);
            }
            self.left -= n;
            n
        }
    }

    fn recount(pool: &VoicePool<Countdown>) -> usize {
        pool.sounding().count()
    }

    #[test]
    fn the_count_of_sounding_voices_follows_every_start_and_end() {
        let arena = Bump::new();
        let span = Span::new(Time::new(0, 1), Time::new(1, 1));
        let ctx = Context::new(48_000.0, 64, span, &arena);
        let mut pool = VoicePool::new(4, 1, 48_000.0, || Countdown { left: 0 });
        for (k, length) in [100, 30, 500].into_iter().enumerate() {
            pool.start(k, None).left = length;
        }
        // One that found nothing to play.
        pool.start(7, None);
        pool.release_fresh(7);
        assert_eq!(pool.count().sounding, 3);
        // Past the limit: the oldest fades while the new one starts.
        for k in 0..3 {
            pool.start(10 + k, Some(1)).left = 1_000;
        }
        assert_eq!(pool.count().sounding, recount(&pool));
        let mut frames = 0;
        while pool.count().sounding > 0 {
            pool.render(&ctx, |_, _, _| {});
            assert_eq!(pool.count().sounding, recount(&pool));
            frames += 64;
            assert!(frames < 10_000, "every voice ends");
        }
        let mut other = VoicePool::new(4, 1, 48_000.0, || Countdown { left: 0 });
        other.start(0, None).left = 1_000;
        pool.take_over(&mut other);
        assert_eq!((pool.count().sounding, other.count().sounding), (1, 0));
        assert_eq!(pool.count().sounding, recount(&pool));
    }
}
