//! The memory four kinds of SuperDirt's effects need, too much to give every voice: `squiz`'s
//! tenth of a second, the spectral effects' FFT frames (together about 120 KB a voice), the
//! band delay's fifth of a second (`tsdelay`, 77 KB) and the pitch shifter's 0.72 s (`psrate`,
//! 280 KB). An orbit keeps [`LENT_VOICES`] of the first three and [`LENT_SHIFTERS`] of the
//! last, and lends them to the voices whose events ask, taking them back when those voices
//! fall silent. Past that many at once in an orbit, an event plays without the effect.
//! The library synths with reverbs inside (`superprimes`…) borrow a [`Hall`] from here the
//! same way. Nothing is allocated once the orbit is made.

use super::band_delay::BandDelay;
use super::grains::GrainShifter;
use super::spectral::{Spectral, SpectralSettings};
use super::squiz::Squiz;
use crate::instruments::halls::{Hall, LENT_HALLS};
use pattern::{Control, Controls};
use rustfft::FftPlanner;

/// How many voices of an orbit may use `squiz`, how many the spectral effects and how many the
/// band delay, at once.
pub const LENT_VOICES: usize = 8;

/// How many voices of an orbit may use the pitch shifter (`psrate`) at once.
pub const LENT_SHIFTERS: usize = 4;

/// What an orbit has to lend. Each piece is boxed so a voice holds a pointer, not the piece:
/// the pool walks every voice each block, and a voice kilobytes long would make that walk
/// miss the cache all the way.
#[allow(clippy::vec_box)]
pub(crate) struct Shelf {
    squiz: Vec<Box<Squiz>>,
    spectral: Vec<Box<Spectral>>,
    band_delays: Vec<Box<BandDelay>>,
    shifters: Vec<Box<GrainShifter>>,
    /// Pieces out on loan.
    lent: usize,
    /// The reverbs and memory of the library synths that need them (`superprimes`…), lent to
    /// synth voices.
    pub(crate) halls: Vec<Box<Hall>>,
}

impl Shelf {
    /// [`LENT_VOICES`] of each (the pitch shifter: [`LENT_SHIFTERS`]) at `sample_rate`.
    /// Allocates.
    pub(crate) fn new(sample_rate: f32) -> Shelf {
        let mut planner = FftPlanner::new();
        Shelf {
            squiz: (0..LENT_VOICES)
                .map(|_| Box::new(Squiz::new(sample_rate)))
                .collect(),
            spectral: (0..LENT_VOICES)
                .map(|_| Box::new(Spectral::new(&mut planner)))
                .collect(),
            band_delays: (0..LENT_VOICES)
                .map(|_| Box::new(BandDelay::new(sample_rate)))
                .collect(),
            shifters: (0..LENT_SHIFTERS)
                .map(|_| Box::new(GrainShifter::new(sample_rate)))
                .collect(),
            lent: 0,
            halls: (0..LENT_HALLS)
                .map(|_| Box::new(Hall::new(sample_rate)))
                .collect(),
        }
    }

    /// True while any piece is out on loan.
    pub(crate) fn lending(&self) -> bool {
        self.lent > 0
    }
}

/// What one voice has borrowed.
#[derive(Default)]
pub(crate) struct Borrowed {
    pub(crate) squiz: Option<Box<Squiz>>,
    pub(crate) spectral: Option<Box<Spectral>>,
    pub(crate) band_delay: Option<Box<BandDelay>>,
    pub(crate) shifter: Option<Box<GrainShifter>>,
}

impl Borrowed {
    /// Borrows what an event's controls `c` need and the voice lacks, and gives back what it
    /// holds and they do not need.
    pub(crate) fn suit(&mut self, c: &Controls, shelf: &mut Shelf) {
        let wants = [
            c.get(Control::Squiz).is_some(),
            SpectralSettings::of(c).is_some(),
            c.get(Control::Tsdelay).is_some() || c.get(Control::Xsdelay).is_some(),
            c.get(Control::Psrate).is_some(),
        ];
        self.exchange(wants, shelf);
    }

    /// Gives everything back.
    pub(crate) fn give_back(&mut self, shelf: &mut Shelf) {
        self.exchange([false; 4], shelf);
    }

    fn exchange(&mut self, wants: [bool; 4], shelf: &mut Shelf) {
        let [squiz, spectral, band_delay, shifter] = wants;
        let lent = &mut shelf.lent;
        swap(&mut self.squiz, squiz, &mut shelf.squiz, lent);
        swap(&mut self.spectral, spectral, &mut shelf.spectral, lent);
        swap(
            &mut self.band_delay,
            band_delay,
            &mut shelf.band_delays,
            lent,
        );
        swap(&mut self.shifter, shifter, &mut shelf.shifters, lent);
    }
}

/// Takes a piece from `pile` into `held` if `wanted` and none is held (when one is left), or
/// puts the held one back if not `wanted`. The pile never outgrows what it was made with, so
/// putting back never allocates; moving a box moves a pointer.
fn swap<T>(held: &mut Option<T>, wanted: bool, pile: &mut Vec<T>, lent: &mut usize) {
    match (wanted, held.is_some()) {
        (true, false) => {
            *held = pile.pop();
            *lent += usize::from(held.is_some());
        }
        (false, true) => {
            pile.extend(held.take());
            *lent -= 1;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_go_out_to_the_first_askers_and_come_back() {
        let mut shelf = Shelf::new(48_000.0);
        let mut asks = Controls::default();
        asks.set(Control::Squiz, 2.0);
        asks.set(Control::Comb, 0.5);
        asks.set(Control::Psrate, 2.0);
        asks.set(Control::Tsdelay, 0.5);
        let mut voices: Vec<Borrowed> = (0..LENT_VOICES + 1).map(|_| Borrowed::default()).collect();
        for voice in &mut voices {
            voice.suit(&asks, &mut shelf);
        }
        assert!(voices[..LENT_VOICES]
            .iter()
            .all(|v| v.squiz.is_some() && v.spectral.is_some() && v.band_delay.is_some()));
        assert!(voices[..LENT_SHIFTERS].iter().all(|v| v.shifter.is_some()));
        assert!(voices[LENT_SHIFTERS..].iter().all(|v| v.shifter.is_none()));
        assert!(voices[LENT_VOICES].squiz.is_none() && voices[LENT_VOICES].spectral.is_none());
        // An event without them gives its pieces back; the one left out gets them next time.
        voices[0].suit(&Controls::default(), &mut shelf);
        assert!(voices[0].squiz.is_none());
        voices[LENT_VOICES].suit(&asks, &mut shelf);
        assert!(voices[LENT_VOICES].squiz.is_some());
        for voice in &mut voices {
            voice.give_back(&mut shelf);
        }
        assert!(!shelf.lending());
        assert_eq!(shelf.squiz.len(), LENT_VOICES);
        assert_eq!(shelf.spectral.len(), LENT_VOICES);
        assert_eq!(shelf.shifters.len(), LENT_SHIFTERS);
        assert_eq!(shelf.band_delays.len(), LENT_VOICES);
    }
}
