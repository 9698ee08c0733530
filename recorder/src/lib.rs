//! Recording what plays: the audio thread hands each period's channels to a disk thread
//! through lock-free rings ([`Tap`]); the disk thread writes a 32-bit float stereo WAV file
//! per stem (the main mix and each output), all of a take starting on its first frame.
//!
//! The audio thread never waits: when the rings are full (a slow or full disk) the period is
//! counted as dropped and recorded as silence, so the files keep their timing. File headers
//! are brought up to date every second, so a killed process leaves files that play, and
//! [`Recorder::finish`] closes them properly.

mod disk;
mod stamp;
mod tap;
mod wav;

pub use tap::Tap;
pub use wav::FloatWav;

use disk::{Message, Naming};
use ringbuf::traits::{Consumer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use tap::{BlockHeader, Counters, TapReader};

/// Samples the ring between the audio and disk threads holds: 16 MiB, 43 s of the main mix
/// alone at 48 kHz, over 3 s of a dozen stereo stems.
pub const RING_SAMPLES: usize = 1 << 22;
/// Periods the ring holds.
const RING_PERIODS: usize = 8192;

/// A ring of `len` slots whose memory has been written once, here: the audio thread's first
/// lap around it takes no page faults.
fn prefaulted<T: Copy>(len: usize, fill: T) -> (HeapProd<T>, HeapCons<T>) {
    let (mut producer, mut consumer) = HeapRb::new(len).split();
    producer.push_iter(std::iter::repeat_n(fill, len));
    consumer.clear();
    (producer, consumer)
}

/// A recording in progress: the disk thread and what the control thread tells it.
pub struct Recorder {
    messages: Sender<Message>,
    thread: Option<JoinHandle<Vec<PathBuf>>>,
    counters: Arc<Counters>,
    /// The current session's pairs to record.
    pairs: Arc<AtomicU64>,
}

/// What a recording has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordStatus {
    /// Frames of the take so far (on disk, or in holes for silence).
    pub frames: u64,
    /// Frames the audio thread dropped because the disk fell behind.
    pub dropped: u64,
    /// Files that stopped on a write error.
    pub failed_files: u64,
}

impl Recorder {
    /// Starts recording into `dir` (created if missing) under the JACK client's name `client`;
    /// the main mix is the stem `main`. Fails at once if the folder cannot be written.
    pub fn start(dir: &Path, client: &str, main: &str) -> Result<Recorder, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the recording folder {}: {e}", dir.display()))?;
        let probe = dir.join(format!(".phonon-probe-{}", std::process::id()));
        std::fs::write(&probe, b"").map_err(|e| {
            format!(
                "cannot write to the recording folder {}: {e}",
                dir.display()
            )
        })?;
        let _ = std::fs::remove_file(&probe);
        let (messages, received) = channel();
        let counters = Arc::new(Counters::default());
        let naming = Naming {
            dir: dir.to_path_buf(),
            client: client.to_string(),
            main: main.to_string(),
        };
        let thread = std::thread::Builder::new()
            .name("phonon-record".into())
            .spawn({
                let counters = counters.clone();
                move || disk::run(naming, received, counters)
            })
            .map_err(|e| format!("cannot start the recording thread: {e}"))?;
        Ok(Recorder {
            messages,
            thread: Some(thread),
            counters,
            pairs: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The tap for a new session at `sample_rate`, given to its audio thread. Call once the
    /// session before (if any) has stopped pushing; a new rate starts a new take.
    pub fn tap(&mut self, sample_rate: u32) -> Tap {
        self.tap_holding(sample_rate, RING_SAMPLES)
    }

    /// [`Recorder::tap`] with a ring of `samples` samples.
    fn tap_holding(&mut self, sample_rate: u32, samples: usize) -> Tap {
        let (headers, header_reader) = prefaulted(RING_PERIODS, BlockHeader::default());
        let (samples, sample_reader) = prefaulted(samples, 0.0);
        // A new session's pairs are its own (its program's names come with its layouts).
        self.pairs = Arc::new(AtomicU64::new(0));
        let reader = Box::new(TapReader {
            headers: header_reader,
            samples: sample_reader,
        });
        let _ = self.messages.send(Message::Session {
            reader,
            sample_rate,
        });
        Tap::new(headers, samples, self.pairs.clone(), self.counters.clone())
    }

    /// Names the pairs from program `generation` on: `names[k]` is pair `k`'s stem (empty:
    /// not recorded). Call before the program is sent, so its periods find their names.
    pub fn layout(&mut self, generation: u64, names: &[String]) {
        let mask = names
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, n)| !n.is_empty())
            .fold(0u64, |mask, (k, _)| mask | 1 << k);
        // Pairs once named stay recorded for the session: the program before may still play
        // a pair for a few periods after its name goes.
        self.pairs.fetch_or(mask, Ordering::Relaxed);
        let _ = self.messages.send(Message::Layout {
            generation,
            names: names.to_vec(),
        });
    }

    /// What the recording has done so far.
    pub fn status(&self) -> RecordStatus {
        RecordStatus {
            frames: self.counters.written.load(Ordering::Relaxed),
            dropped: self.counters.dropped.load(Ordering::Relaxed),
            failed_files: self.counters.failed_files.load(Ordering::Relaxed),
        }
    }

    /// Writes what is left and closes the files; returns their paths. Call once the audio
    /// thread has stopped pushing.
    pub fn finish(mut self) -> Vec<PathBuf> {
        self.stop()
    }

    fn stop(&mut self) -> Vec<PathBuf> {
        let _ = self.messages.send(Message::Finish);
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder for one test's recording.
    fn folder(test: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("phonon-rec-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn read(path: &Path) -> (u32, Vec<f32>, Vec<f32>) {
        let mut reader = hound::WavReader::open(path).expect("a readable WAV");
        let rate = reader.spec().sample_rate;
        let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
        let left = samples.iter().step_by(2).copied().collect();
        let right = samples.iter().skip(1).step_by(2).copied().collect();
        (rate, left, right)
    }

    fn named<'a>(files: &'a [PathBuf], stem: &str) -> &'a Path {
        files
            .iter()
            .find(|p| {
                p.to_string_lossy()
                    .ends_with(&format!("_phonon_{stem}.wav"))
            })
            .unwrap_or_else(|| panic!("no `{stem}` file in {files:?}"))
    }

    /// A period of `frames` frames: a ramp from `at`, scaled by `gain`.
    fn ramp(at: usize, frames: usize, gain: f32) -> Vec<f32> {
        (at..at + frames)
            .map(|i| gain * (i % 1000) as f32 / 1000.0)
            .collect()
    }

    #[test]
    fn each_stem_starts_with_the_take_and_only_sounding_outputs_get_files() {
        let dir = folder("stems");
        let mut recorder = Recorder::start(&dir, "phonon", "out").unwrap();
        let mut tap = recorder.tap(48_000);
        let names = ["drums".to_string(), String::new(), "bass".to_string()];
        recorder.layout(1, &names);
        let silent = vec![0.0; 64];
        for period in 0..10 {
            let main = ramp(64 * period, 64, 1.0);
            // The drums start in the fourth period; the bass never sounds.
            let drums = if period >= 3 {
                ramp(64 * period, 64, -0.5)
            } else {
                silent.clone()
            };
            let channels = [
                &main, &main, &drums, &drums, &silent, &silent, &silent, &silent,
            ];
            tap.push(1, 64, &channels);
        }
        drop(tap);
        let files = recorder.finish();
        assert_eq!(files.len(), 2, "{files:?}");
        let (rate, left, right) = read(named(&files, "out"));
        assert_eq!(rate, 48_000);
        assert_eq!(left, ramp(0, 640, 1.0));
        assert_eq!(right, left);
        let (_, drums, _) = read(named(&files, "drums"));
        assert_eq!(drums.len(), 640, "as long as the take");
        assert!(drums[..192].iter().all(|&x| x == 0.0));
        assert_eq!(&drums[192..], &ramp(192, 448, -0.5)[..]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_pair_renamed_by_a_later_program_goes_to_the_new_stem_from_its_generation() {
        let dir = folder("layout");
        let mut recorder = Recorder::start(&dir, "phonon", "out").unwrap();
        let mut tap = recorder.tap(44_100);
        recorder.layout(1, &["a".to_string()]);
        let one = vec![1.0; 32];
        for _ in 0..2 {
            tap.push(1, 32, &[&one, &one, &one, &one]);
        }
        // Sent before program 2 plays: the periods of generation 1 keep the old name.
        recorder.layout(2, &["b".to_string()]);
        tap.push(1, 32, &[&one, &one, &one, &one]);
        let half = vec![0.5; 32];
        tap.push(2, 32, &[&one, &one, &half, &half]);
        drop(tap);
        let files = recorder.finish();
        let (_, a, _) = read(named(&files, "a"));
        let (_, b, _) = read(named(&files, "b"));
        assert_eq!(a.len(), 128, "padded to the take's end");
        assert!(a[..96].iter().all(|&x| x == 1.0) && a[96..].iter().all(|&x| x == 0.0));
        assert!(b[..96].iter().all(|&x| x == 0.0) && b[96..].iter().all(|&x| x == 0.5));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn periods_dropped_on_a_full_ring_are_silence_and_counted() {
        let dir = folder("dropped");
        let mut recorder = Recorder::start(&dir, "phonon", "out").unwrap();
        // Room for two periods of the main pair; the disk thread drains every 20 ms.
        let mut tap = recorder.tap_holding(48_000, 256);
        recorder.layout(1, &[]);
        let one = vec![1.0; 64];
        for _ in 0..4 {
            tap.push(1, 64, &[&one, &one]);
        }
        let status = recorder.status();
        assert!(status.dropped >= 128, "{status:?}");
        let dropped = status.dropped as usize;
        std::thread::sleep(std::time::Duration::from_millis(100));
        tap.push(1, 64, &[&one, &one]);
        drop(tap);
        let files = recorder.finish();
        let (_, left, _) = read(named(&files, "out"));
        assert_eq!(left.len(), 5 * 64, "the timing kept");
        assert_eq!(left.iter().filter(|&&x| x == 0.0).count(), dropped);
        assert!(left[left.len() - 64..].iter().all(|&x| x == 1.0));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_new_sample_rate_starts_a_new_take_and_the_same_rate_carries_on() {
        let dir = folder("rates");
        let mut recorder = Recorder::start(&dir, "phonon", "out").unwrap();
        let one = vec![1.0; 16];
        for rate in [48_000, 48_000, 44_100] {
            let mut tap = recorder.tap(rate);
            recorder.layout(1, &[]);
            tap.push(1, 16, &[&one, &one]);
        }
        let files = recorder.finish();
        assert_eq!(files.len(), 2, "{files:?}");
        let takes: Vec<(u32, usize)> = files
            .iter()
            .map(|f| {
                let (rate, left, _) = read(f);
                (rate, left.len())
            })
            .collect();
        assert_eq!(takes, [(48_000, 32), (44_100, 16)]);
        assert_ne!(files[0], files[1]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unwritable_folder_is_an_error_at_start() {
        let error = Recorder::start(Path::new("/proc/phonon-recordings"), "phonon", "out")
            .err()
            .expect("refused");
        assert!(
            error.starts_with("cannot create the recording folder"),
            "{error}"
        );
    }
}
