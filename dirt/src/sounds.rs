//! Sound lookup by name and number, done off the audio thread: events carry an index into a
//! table the engine holds, never a name. The samples come first; after them, SuperDirt's synths
//! Phonon plays (`s "superkick"`).

use dsp::instruments::Instrument;
use dsp::samples::bank::{Sample, SampleBank};
use std::collections::HashMap;
use std::sync::Arc;

/// What an event's sound index names.
#[derive(Clone, Copy, Debug)]
pub enum TableSound<'a> {
    /// A sample.
    Sample(&'a Arc<Sample>),
    /// One of SuperDirt's synths.
    Synth(Instrument),
}

/// Every sample of a bank, flattened, with each sound's place in the list.
pub struct SoundTable {
    samples: Vec<Arc<Sample>>,
    sounds: HashMap<String, (u32, u32)>,
    sample_rate: u32,
}

impl SoundTable {
    /// The table of `bank`'s samples.
    pub fn from_bank(bank: &SampleBank) -> SoundTable {
        let mut names: Vec<&str> = bank.names().collect();
        names.sort_unstable();
        let mut samples = Vec::new();
        let mut sounds = HashMap::new();
        for name in names {
            let count = bank.count(name);
            let start = samples.len() as u32;
            for k in 0..count {
                if let Some(sample) = bank.get(name, k as i64) {
                    samples.push(sample.clone());
                }
            }
            sounds.insert(name.to_string(), (start, samples.len() as u32 - start));
        }
        SoundTable {
            samples,
            sounds,
            sample_rate: bank.sample_rate(),
        }
    }

    /// The sample `n` of sound `name` (wrapping in its folder, as SuperDirt does), or the synth
    /// `name` when no folder has that name.
    pub fn resolve(&self, name: &str, n: f64) -> Option<u32> {
        let Some(&(start, count)) = self.sounds.get(name) else {
            let k = Instrument::SOUNDS.iter().position(|(s, _)| *s == name)?;
            return Some((self.samples.len() + k) as u32);
        };
        if count == 0 {
            return None;
        }
        let n = if n.is_finite() { n.floor() as i64 } else { 0 };
        Some(start + n.rem_euclid(i64::from(count)) as u32)
    }

    /// The sample with index `id`.
    #[inline]
    pub fn sample(&self, id: u32) -> Option<&Sample> {
        self.samples.get(id as usize).map(|s| &**s)
    }

    /// The sound with index `id`: a sample, shared for a voice to hold, or a synth.
    #[inline]
    pub fn sound(&self, id: u32) -> Option<TableSound<'_>> {
        let id = id as usize;
        match self.samples.get(id) {
            Some(sample) => Some(TableSound::Sample(sample)),
            None => Instrument::SOUNDS
                .get(id - self.samples.len())
                .map(|&(_, instrument)| TableSound::Synth(instrument)),
        }
    }

    /// The sample with index `id`, shared, for a voice to hold.
    #[inline]
    pub fn shared(&self, id: u32) -> Option<&Arc<Sample>> {
        self.samples.get(id as usize)
    }

    /// The rate the samples were read at.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// How many sounds the table knows.
    pub fn sounds(&self) -> usize {
        self.sounds.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn n_wraps_in_the_folder() {
        let mut bank = SampleBank::new(48_000);
        let one = |x: f32| Sample {
            channels: vec![vec![x; 4].into_boxed_slice()],
        };
        bank.insert("k", vec![one(0.1), one(0.2), one(0.3)]);
        let table = SoundTable::from_bank(&bank);
        let level = |id: u32| table.sample(id).unwrap().at(0, 0);
        assert_eq!(level(table.resolve("k", 0.0).unwrap()), 0.1);
        assert_eq!(level(table.resolve("k", 4.0).unwrap()), 0.2);
        assert_eq!(level(table.resolve("k", -1.0).unwrap()), 0.3);
        assert_eq!(level(table.resolve("k", 2.7).unwrap()), 0.3);
        assert!(table.resolve("nope", 0.0).is_none());
    }
}
