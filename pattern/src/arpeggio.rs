//! Chords played one note at a time: Tidal's `arpeggiate`/`arp` (the notes of each chord spread
//! over its event, in a mode's order) and `rolled`/`rolledBy` (strummed over a fraction of it).
//! "A chord" is the events that share a whole, in the order the pattern gives them (a chord
//! name's notes low to high). Everything is built in the query's arena.

use crate::event::Event;
use crate::pattern::{patterned, Events, Item, Pattern};
use crate::time::{Span, Time};
use crate::transform::sort_stable_in;
use bumpalo::collections::Vec as BVec;
use bumpalo::Bump;

/// An order to play a chord's notes in (Tidal's `arp` modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpMode {
    /// Low to high.
    Up,
    /// High to low.
    Down,
    /// Up, then down, neither end repeated.
    UpDown,
    /// Down, then up, neither end repeated.
    DownUp,
    /// Up, then down, both ends repeated.
    UpAndDown,
    /// Down, then up, both ends repeated.
    DownAndUp,
    /// From the outside in, lowest first.
    Converge,
    /// From the inside out.
    Diverge,
    /// In, then out again.
    Disconverge,
    /// Each note but the top, each followed by the top.
    PinkyUp,
    /// Pinky up, then back down.
    PinkyUpDown,
    /// The bottom before each other note.
    ThumbUp,
    /// Thumb up, then back down.
    ThumbUpDown,
}

impl ArpMode {
    /// Every mode with its name, as Tidal spells it.
    pub const ALL: [(&'static str, ArpMode); 13] = [
        ("up", ArpMode::Up),
        ("down", ArpMode::Down),
        ("updown", ArpMode::UpDown),
        ("downup", ArpMode::DownUp),
        ("up&down", ArpMode::UpAndDown),
        ("down&up", ArpMode::DownAndUp),
        ("converge", ArpMode::Converge),
        ("diverge", ArpMode::Diverge),
        ("disconverge", ArpMode::Disconverge),
        ("pinkyup", ArpMode::PinkyUp),
        ("pinkyupdown", ArpMode::PinkyUpDown),
        ("thumbup", ArpMode::ThumbUp),
        ("thumbupdown", ArpMode::ThumbUpDown),
    ];

    /// The mode called `name`.
    pub fn from_name(name: &str) -> Option<ArpMode> {
        ArpMode::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, mode)| mode)
    }

    /// The order of `d` notes (0 lowest) in this mode, into `out`. As Tidal's, some modes drop
    /// a single note (`updown` of one note is nothing).
    fn order(self, d: usize, out: &mut BVec<'_, usize>) {
        let up = 0..d;
        let down = (0..d).rev();
        let without_last = |n: usize| n.saturating_sub(1);
        match self {
            ArpMode::Up => out.extend(up),
            ArpMode::Down => out.extend(down),
            ArpMode::UpDown => {
                out.extend(up.take(without_last(d)));
                out.extend(down.take(without_last(d)));
            }
            ArpMode::DownUp => {
                out.extend(down.take(without_last(d)));
                out.extend(up.take(without_last(d)));
            }
            ArpMode::UpAndDown => {
                out.extend(up);
                out.extend(down);
            }
            ArpMode::DownAndUp => {
                out.extend(down);
                out.extend(up);
            }
            ArpMode::Converge | ArpMode::Diverge | ArpMode::Disconverge => {
                let from = out.len();
                converge(d, out);
                if self == ArpMode::Diverge {
                    out[from..].reverse();
                } else if self == ArpMode::Disconverge {
                    let end = out.len();
                    for k in (from..end).rev().skip(1) {
                        out.push(out[k]);
                    }
                }
            }
            ArpMode::PinkyUp | ArpMode::PinkyUpDown => {
                let from = out.len();
                for k in 0..without_last(d) {
                    out.extend([k, d - 1]);
                }
                if self == ArpMode::PinkyUpDown {
                    there_and_back(out, from);
                }
            }
            ArpMode::ThumbUp | ArpMode::ThumbUpDown => {
                let from = out.len();
                for k in 1..d {
                    out.extend([0, k]);
                }
                if self == ArpMode::ThumbUpDown {
                    there_and_back(out, from);
                }
            }
        }
    }
}

/// Tidal's `converge`: the lowest, the highest, the second lowest, the second highest, …
fn converge(d: usize, out: &mut BVec<'_, usize>) {
    let (mut low, mut high) = (0, d);
    while low < high {
        out.push(low);
        low += 1;
        if low < high {
            high -= 1;
            out.push(high);
        }
    }
}

/// `init xs ++ init (reverse xs)` of what `out` holds from `from`.
fn there_and_back(out: &mut BVec<'_, usize>, from: usize) {
    let end = out.len();
    if end == from {
        return;
    }
    for k in (from + 1..end).rev() {
        out.push(out[k]);
    }
    out.remove(end - 1);
}

/// Calls `each` with the events of `events` that share a whole, one chord at a time, in order
/// of their wholes (the events' own order within a chord). Events without a whole are passed
/// over.
fn chords<'a, T: Item>(
    events: &mut BVec<'a, Event<T>>,
    arena: &'a Bump,
    mut each: impl FnMut(Span, &[Event<T>]),
) {
    events.retain(|e| e.whole.is_some());
    sort_stable_in(events, arena, |e| e.whole.map(|w| (w.begin, w.end)));
    let mut start = 0;
    while start < events.len() {
        let whole = events[start].whole;
        let end = start
            + events[start..]
                .iter()
                .take_while(|e| e.whole == whole)
                .count();
        if let Some(whole) = whole {
            each(whole, &events[start..end]);
        }
        start = end;
    }
}

/// `p`'s chords over `span` with their notes one after another in `mode`'s order, into `out`.
fn arp_into<'a, T: Item>(
    p: &Pattern<T>,
    mode: ArpMode,
    span: Span,
    arena: &'a Bump,
    out: &mut Events<'a, T>,
) {
    let mut events = p.query(span, arena);
    let mut order = BVec::new_in(arena);
    chords(&mut events, arena, |whole, chord| {
        order.clear();
        mode.order(chord.len(), &mut order);
        let step = whole.duration() / Time::from(order.len().max(1) as i64);
        for (n, &k) in order.iter().enumerate() {
            let begin = whole.begin + step * Time::from(n as i64);
            let note = Span::new(begin, begin + step);
            if let Some(part) = note.intersect(chord[k].part) {
                out.push(Event {
                    whole: Some(note),
                    part,
                    value: chord[k].value.clone(),
                });
            }
        }
    });
}

/// `p`'s chords over `span` strummed over `fraction` of their events, into `out`.
fn rolled_into<'a, T: Item>(
    p: &Pattern<T>,
    fraction: Time,
    span: Span,
    arena: &'a Bump,
    out: &mut Events<'a, T>,
) {
    if fraction == Time::ZERO {
        p.query_into(span, arena, out);
        return;
    }
    let length = if fraction < Time::ZERO {
        Time::ZERO - fraction
    } else {
        fraction
    };
    let mut events = p.query(span, arena);
    chords(&mut events, arena, |whole, chord| {
        let spread = whole.duration() * length / Time::from(chord.len() as i64);
        for (n, e) in chord.iter().enumerate() {
            let place = if fraction < Time::ZERO {
                chord.len() - 1 - n
            } else {
                n
            };
            let note = Span::new(whole.begin + spread * Time::from(place as i64), whole.end);
            if let Some(part) = note.intersect(e.part) {
                out.push(Event {
                    whole: Some(note),
                    part,
                    value: e.value.clone(),
                });
            }
        }
    });
}

impl<T: Item> Pattern<T> {
    /// Each chord's notes one after another over its event, in `mode`'s order (Tidal's `arp`).
    pub fn arp(&self, mode: ArpMode) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| arp_into(&p, mode, span, arena, out))
    }

    /// [`Pattern::arp`] with a mode per event of `modes` (Tidal's patterned `arp`).
    pub fn arp_p(&self, modes: &Pattern<ArpMode>) -> Pattern<T> {
        let p = self.clone();
        patterned(modes, move |&mode, span, arena, out| {
            arp_into(&p, mode, span, arena, out);
        })
    }

    /// Each chord's notes started one after another over `fraction` of its event, all ending
    /// with it; a negative fraction plays them high to low (Tidal's `rolledBy`).
    pub fn rolled_by(&self, fraction: Time) -> Pattern<T> {
        let p = self.clone();
        Pattern::from_fn(move |span, arena, out| rolled_into(&p, fraction, span, arena, out))
    }

    /// [`Pattern::rolled_by`] with the fraction of each cycle given by `fractions` (sampled
    /// once a cycle, as Tidal's `segment 1`).
    pub fn rolled_by_p(&self, fractions: &Pattern<Time>) -> Pattern<T> {
        let p = self.clone();
        patterned(
            &fractions.segment(Time::from(1)),
            move |&f, span, arena, out| {
                rolled_into(&p, f, span, arena, out);
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(mode: ArpMode, d: usize) -> Vec<usize> {
        let arena = Bump::new();
        let mut out = BVec::new_in(&arena);
        mode.order(d, &mut out);
        out.to_vec()
    }

    /// The orders Tidal's definitions give four notes `[0, 1, 2, 3]`.
    #[test]
    fn each_mode_orders_a_chord_as_tidal_does() {
        use ArpMode::*;
        assert_eq!(order(Up, 4), [0, 1, 2, 3]);
        assert_eq!(order(Down, 4), [3, 2, 1, 0]);
        assert_eq!(order(UpDown, 4), [0, 1, 2, 3, 2, 1]);
        assert_eq!(order(DownUp, 4), [3, 2, 1, 0, 1, 2]);
        assert_eq!(order(UpAndDown, 4), [0, 1, 2, 3, 3, 2, 1, 0]);
        assert_eq!(order(DownAndUp, 4), [3, 2, 1, 0, 0, 1, 2, 3]);
        assert_eq!(order(Converge, 4), [0, 3, 1, 2]);
        assert_eq!(order(Diverge, 4), [2, 1, 3, 0]);
        assert_eq!(order(Disconverge, 4), [0, 3, 1, 2, 1, 3, 0]);
        assert_eq!(order(PinkyUp, 4), [0, 3, 1, 3, 2, 3]);
        assert_eq!(order(PinkyUpDown, 4), [0, 3, 1, 3, 2, 3, 2, 3, 1, 3]);
        assert_eq!(order(ThumbUp, 4), [0, 1, 0, 2, 0, 3]);
        assert_eq!(order(ThumbUpDown, 4), [0, 1, 0, 2, 0, 3, 0, 2, 0, 1]);
        assert_eq!(order(Converge, 5), [0, 4, 1, 3, 2]);
        assert_eq!(order(UpDown, 1), Vec::<usize>::new());
    }
}
