//! The disk thread: reads the periods the audio thread handed over and writes them to one
//! stereo file per stem, every stem of a take starting on the take's first frame.

use crate::tap::{BlockHeader, Counters, TapReader};
use crate::wav::FloatWav;
use ringbuf::traits::{Consumer, Observer};
use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the files' headers are brought up to date.
const SYNC_EVERY: Duration = Duration::from_secs(1);
/// How long the thread sleeps when there is nothing to write.
const IDLE: Duration = Duration::from_millis(20);

/// What the control thread tells the disk thread.
pub(crate) enum Message {
    /// A new session (a new JACK client): its rings and sample rate. Sent once the session
    /// before it has stopped pushing.
    Session {
        reader: Box<TapReader>,
        sample_rate: u32,
    },
    /// From program `generation` on, pair `k` plays the stem `names[k]` (empty: none).
    Layout { generation: u64, names: Vec<String> },
    /// Write what is left and close the files.
    Finish,
}

/// Where and under what names the files go.
pub(crate) struct Naming {
    pub dir: PathBuf,
    /// The JACK client's name.
    pub client: String,
    /// The main mix's stem (`out`).
    pub main: String,
}

/// A stem's file, and where on the take's timeline the file's first frame is.
struct Stem {
    name: String,
    wav: Option<FloatWav>,
    /// The timeline frame of the current file's first frame.
    base: u64,
    /// Files so far (a stem continues in a new file at WAV's 4 GiB limit).
    parts: u32,
    /// A write failed: the stem is no longer written.
    failed: bool,
}

/// Files started together: a stem per output, all on one timeline.
struct Take {
    stamp: String,
    sample_rate: u32,
    stems: Vec<Stem>,
    /// Frames since the take began.
    timeline: u64,
}

/// The files the thread wrote, for the summary.
pub(crate) type Written = Vec<PathBuf>;

/// Runs until told to finish (or the control thread is gone); returns the files written.
pub(crate) fn run(naming: Naming, messages: Receiver<Message>, counters: Arc<Counters>) -> Written {
    let mut disk = Disk {
        naming,
        counters,
        reader: None,
        reader_rate: 0,
        layouts: BTreeMap::new(),
        queued: VecDeque::new(),
        take: None,
        written: Vec::new(),
        samples: Vec::new(),
        last_sync: Instant::now(),
    };
    let mut finishing = false;
    loop {
        let timeout = if disk.busy() { Duration::ZERO } else { IDLE };
        match messages.recv_timeout(timeout) {
            Ok(message) => disk.queued.push_back(message),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => finishing = true,
        }
        while let Ok(message) = messages.try_recv() {
            disk.queued.push_back(message);
        }
        finishing |= disk.apply_messages();
        disk.write_periods(&messages);
        if disk.last_sync.elapsed() >= SYNC_EVERY {
            disk.sync();
        }
        if finishing && !disk.busy() {
            disk.end_take();
            return disk.written;
        }
    }
}

struct Disk {
    naming: Naming,
    counters: Arc<Counters>,
    reader: Option<Box<TapReader>>,
    /// The current session's sample rate.
    reader_rate: u32,
    /// The current session's pair names by the generation they start at.
    layouts: BTreeMap<u64, Vec<String>>,
    /// Messages waiting for the current session's periods to be written.
    queued: VecDeque<Message>,
    take: Option<Take>,
    written: Written,
    samples: Vec<f32>,
    last_sync: Instant,
}

impl Disk {
    /// Periods are waiting in the current session's rings.
    fn busy(&self) -> bool {
        self.reader.as_ref().is_some_and(|r| !r.headers.is_empty())
    }

    /// Applies the queued messages in order; a new session or the finish waits until the
    /// current session's periods are written. True once told to finish.
    fn apply_messages(&mut self) -> bool {
        while let Some(message) = self.queued.front() {
            match message {
                Message::Layout { .. } => {
                    let Some(Message::Layout { generation, names }) = self.queued.pop_front()
                    else {
                        unreachable!("matched above")
                    };
                    self.layouts.insert(generation, names);
                }
                Message::Session { .. } | Message::Finish if self.busy() => return false,
                Message::Session { sample_rate, .. } => {
                    let rate = *sample_rate;
                    if self.take.as_ref().is_some_and(|t| t.sample_rate != rate) {
                        // A WAV file has one rate: the new rate starts a new take.
                        self.end_take();
                    }
                    let Some(Message::Session {
                        reader,
                        sample_rate,
                    }) = self.queued.pop_front()
                    else {
                        unreachable!("matched above")
                    };
                    self.reader = Some(reader);
                    self.reader_rate = sample_rate;
                    self.layouts.clear();
                }
                Message::Finish => return true,
            }
        }
        false
    }

    /// Writes every period waiting in the rings.
    fn write_periods(&mut self, messages: &Receiver<Message>) {
        while let Some(header) = self.reader.as_mut().and_then(|r| r.headers.try_pop()) {
            if self.layouts.keys().next_back() < Some(&header.generation) {
                // The layout was sent before the program played: having this period, the
                // channel has it too.
                while let Ok(message) = messages.try_recv() {
                    self.queued.push_back(message);
                }
                self.apply_layouts_only();
            }
            let count = 2 + 2 * header.pairs.count_ones() as usize;
            let frames = header.frames as usize;
            self.samples.resize(count * frames, 0.0);
            let reader = self.reader.as_mut().expect("popped from it");
            let read = reader.samples.pop_slice(&mut self.samples);
            debug_assert_eq!(read, count * frames);
            self.write_period(&header);
        }
    }

    /// Applies the layouts queued for the current session (those before any new session).
    fn apply_layouts_only(&mut self) {
        let mut rest = VecDeque::new();
        let mut blocked = false;
        while let Some(message) = self.queued.pop_front() {
            match message {
                Message::Layout { generation, names } if !blocked => {
                    self.layouts.insert(generation, names);
                }
                other => {
                    blocked = true;
                    rest.push_back(other);
                }
            }
        }
        self.queued = rest;
    }

    /// Writes one period's samples (in `self.samples`) to the stems.
    fn write_period(&mut self, header: &BlockHeader) {
        let frames = header.frames as usize;
        if self.take.is_none() {
            self.start_take();
        }
        let names = self
            .layouts
            .range(..=header.generation)
            .next_back()
            .map(|(_, names)| names.as_slice())
            .unwrap_or_default();
        let take = self.take.as_mut().expect("started above");
        take.timeline += header.dropped_before;
        let files = Files {
            naming: &self.naming,
            stamp: &take.stamp,
            sample_rate: take.sample_rate,
        };
        let channels: Vec<&[f32]> = self.samples.chunks(frames.max(1)).collect();
        let mut stems = vec![(self.naming.main.as_str(), 0)];
        let mut c = 2;
        for k in (0..64).filter(|k| header.pairs & (1 << k) != 0) {
            if let Some(name) = names.get(k).filter(|n| !n.is_empty()) {
                stems.push((name.as_str(), c));
            }
            c += 2;
        }
        for (name, c) in stems {
            let pair = [channels[c], channels[c + 1]];
            let stem = match take.stems.iter().position(|s| s.name == name) {
                Some(k) => &mut take.stems[k],
                // A stem begins when its output first sounds (the main mix at once).
                None if c == 0 || pair.iter().any(|s| s.iter().any(|&x| x != 0.0)) => {
                    take.stems.push(Stem::new(name));
                    take.stems.last_mut().expect("pushed")
                }
                None => continue,
            };
            stem.write(&pair, frames, take.timeline, &files, &mut self.written);
        }
        take.timeline += frames as u64;
        self.counters
            .written
            .store(take.timeline, Ordering::Relaxed);
        self.counters.failed_files.store(
            take.stems.iter().filter(|s| s.failed).count() as u64,
            Ordering::Relaxed,
        );
    }

    /// Starts a take: its time stamp names its files.
    fn start_take(&mut self) {
        let sample_rate = self.reader_rate;
        self.take = Some(Take {
            stamp: self.free_stamp(),
            sample_rate,
            stems: Vec::new(),
            timeline: 0,
        });
    }

    /// Now's time stamp, with `-2`, `-3`… added if a take in the folder already has it.
    fn free_stamp(&self) -> String {
        let now = crate::stamp::now();
        let taken = |stamp: &str| {
            let prefix = format!("{stamp}_{}_", self.naming.client);
            std::fs::read_dir(&self.naming.dir).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            })
        };
        let mut stamp = now.clone();
        let mut n = 1;
        while taken(&stamp) {
            n += 1;
            stamp = format!("{now}-{n}");
        }
        stamp
    }

    /// Brings every file's header up to date.
    fn sync(&mut self) {
        self.last_sync = Instant::now();
        let Some(take) = self.take.as_mut() else {
            return;
        };
        for stem in &mut take.stems {
            if let Some(Err(e)) = stem.wav.as_mut().map(FloatWav::sync) {
                stem.fail(&e);
            }
        }
    }

    /// Ends the take: every stem is brought to the take's length (silence as holes) and
    /// closed.
    fn end_take(&mut self) {
        let Some(mut take) = self.take.take() else {
            return;
        };
        for stem in &mut take.stems {
            if stem.failed {
                continue;
            }
            let result = match stem.wav.take() {
                Some(mut wav) => {
                    let short = (take.timeline - stem.base).saturating_sub(wav.frames());
                    wav.skip(short.min(wav.room())).and_then(|()| wav.finish())
                }
                None => continue,
            };
            if let Err(e) = result {
                stem.fail(&e);
            }
        }
    }
}

/// What names a take's files.
struct Files<'a> {
    naming: &'a Naming,
    stamp: &'a str,
    sample_rate: u32,
}

impl Files<'_> {
    /// `DIR/STAMP_CLIENT_STEM.wav`, and `…_STEM.2.wav` for its second part.
    fn path(&self, stem: &str, part: u32) -> PathBuf {
        let stem: String = stem
            .chars()
            .map(|c| if c == '/' || c.is_control() { '_' } else { c })
            .collect();
        let name = match part {
            1 => format!("{}_{}_{stem}.wav", self.stamp, self.naming.client),
            n => format!("{}_{}_{stem}.{n}.wav", self.stamp, self.naming.client),
        };
        self.naming.dir.join(name)
    }
}

impl Stem {
    fn new(name: &str) -> Stem {
        Stem {
            name: name.to_string(),
            wav: None,
            base: 0,
            parts: 0,
            failed: false,
        }
    }

    /// Writes `frames` frames that play at `timeline` on the take's timeline, after silence
    /// up to there; opens the stem's file (or its next part) when due.
    fn write(
        &mut self,
        pair: &[&[f32]; 2],
        frames: usize,
        timeline: u64,
        files: &Files<'_>,
        written: &mut Written,
    ) {
        if self.failed {
            return;
        }
        if let Err(e) = self.try_write(pair, frames, timeline, files, written) {
            self.fail(&e);
        }
    }

    fn try_write(
        &mut self,
        pair: &[&[f32]; 2],
        frames: usize,
        timeline: u64,
        files: &Files<'_>,
        written: &mut Written,
    ) -> std::io::Result<()> {
        let full = self
            .wav
            .as_ref()
            .is_some_and(|w| w.room() < (timeline - self.base - w.frames()) + frames as u64);
        if full {
            let wav = self.wav.take().expect("checked");
            wav.finish()?;
        }
        if self.wav.is_none() {
            // A new stem's file starts with the take (its silence so far a hole); a next part
            // starts where the last one ended.
            self.base = if self.parts == 0 { 0 } else { timeline };
            self.parts += 1;
            let path = files.path(&self.name, self.parts);
            let wav = FloatWav::create(&path, 2, files.sample_rate)?;
            tracing::info!("recording {}", path.display());
            written.push(path);
            self.wav = Some(wav);
        }
        let wav = self.wav.as_mut().expect("opened above");
        let silence = timeline - self.base - wav.frames();
        if silence > 0 {
            wav.skip(silence)?;
        }
        wav.write(pair, frames)
    }

    /// Stops writing this stem after a write error, saying so once.
    fn fail(&mut self, error: &std::io::Error) {
        if !self.failed {
            self.failed = true;
            let path = self.wav.as_ref().map(|w| w.path().display().to_string());
            tracing::warn!(
                "recording: cannot write {}: {error}; this stem stops here (the music goes on)",
                path.unwrap_or_else(|| format!("the `{}` stem", self.name))
            );
        }
    }
}
