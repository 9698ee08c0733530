//! Loading samples off the control thread: the sounds a patch plays are read and resampled on a
//! thread of their own, so the control loop keeps following edits, the server and signals while
//! a large folder loads. Only the newest request is served; a stale one is skipped.

use dsp::samples::bank::{LoadWarning, SampleBank, SampleIndex};
use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Request {
    id: u64,
    base: Arc<SampleBank>,
    sounds: Vec<String>,
}

/// A bank with more sounds loaded.
pub struct Loaded {
    /// The request it answers.
    pub id: u64,
    /// `base` with the sounds asked for.
    pub bank: Arc<SampleBank>,
    /// Files that could not be loaded, and why.
    pub warnings: Vec<LoadWarning>,
    /// How long it took.
    pub spent: Duration,
    /// Sounds read from their folders.
    pub sounds: usize,
}

/// The loading thread and its mailboxes.
pub struct SampleLoader {
    index: Arc<SampleIndex>,
    requests: Sender<Request>,
    replies: Receiver<Loaded>,
    next_id: u64,
    /// The newest request sent, until answered.
    waiting: Option<u64>,
}

impl SampleLoader {
    /// Starts the thread, which ends when the loader is dropped.
    pub fn new(index: Arc<SampleIndex>) -> std::io::Result<SampleLoader> {
        let (requests, inbox) = channel::<Request>();
        let (outbox, replies) = channel();
        let thread_index = index.clone();
        std::thread::Builder::new()
            .name("phonon-samples".into())
            .spawn(move || {
                while let Ok(mut request) = inbox.recv() {
                    // Only the newest request matters.
                    while let Ok(newer) = inbox.try_recv() {
                        request = newer;
                    }
                    let started = Instant::now();
                    let mut warnings = Vec::new();
                    let bank =
                        request
                            .base
                            .with_sounds(&thread_index, &request.sounds, &mut warnings);
                    let sounds = request
                        .sounds
                        .iter()
                        .filter(|s| !request.base.has_loaded(s) && bank.has_loaded(s))
                        .count();
                    let reply = Loaded {
                        id: request.id,
                        bank: Arc::new(bank),
                        warnings,
                        spent: started.elapsed(),
                        sounds,
                    };
                    if outbox.send(reply).is_err() {
                        return;
                    }
                }
            })?;
        Ok(SampleLoader {
            index,
            requests,
            replies,
            next_id: 0,
            waiting: None,
        })
    }

    /// The sounds of `sounds` that have folders but are not loaded in `bank`.
    pub fn missing(&self, bank: &SampleBank, sounds: &[String]) -> Vec<String> {
        sounds
            .iter()
            .filter(|s| self.index.contains(s) && !bank.has_loaded(s))
            .cloned()
            .collect()
    }

    /// Asks for `base` with `sounds` loaded; a later request supersedes this one.
    pub fn request(&mut self, base: Arc<SampleBank>, sounds: Vec<String>) {
        self.next_id += 1;
        self.waiting = Some(self.next_id);
        let _ = self.requests.send(Request {
            id: self.next_id,
            base,
            sounds,
        });
    }

    /// The answer to the newest request, once it is ready; older answers are dropped.
    pub fn poll(&mut self) -> Option<Loaded> {
        loop {
            match self.replies.try_recv() {
                Ok(loaded) if Some(loaded.id) == self.waiting => {
                    self.waiting = None;
                    return Some(loaded);
                }
                Ok(_) => continue,
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return None,
            }
        }
    }
}
