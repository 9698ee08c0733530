//! While the view owns the terminal, whatever phonon (or libjack) writes to stderr goes to a
//! pipe instead, and the view shows the last lines; the terminal gets stderr back at the end.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Lines kept.
const KEEP: usize = 200;

/// Stderr taken over: the lines written to it since, the last [`KEEP`] of them kept.
pub struct StderrCapture {
    /// The original stderr, put back by [`StderrCapture::restore`].
    saved: OwnedFd,
    lines: Arc<Mutex<VecDeque<String>>>,
    reader: Option<JoinHandle<()>>,
}

impl StderrCapture {
    /// Points file descriptor 2 at a pipe read by a thread of its own.
    pub fn start() -> std::io::Result<StderrCapture> {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors pipe2 writes.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: pipe2 just returned these two descriptors, owned by nothing else.
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        // SAFETY: duplicates stderr, which is open for the whole process.
        let saved = unsafe { libc::fcntl(2, libc::F_DUPFD_CLOEXEC, 3) };
        if saved < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: fcntl just returned this descriptor, owned by nothing else.
        let saved = unsafe { OwnedFd::from_raw_fd(saved) };
        // SAFETY: both descriptors are open; dup2 replaces fd 2 atomically.
        if unsafe { libc::dup2(write.as_raw_fd(), 2) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        drop(write);
        let lines = Arc::new(Mutex::new(VecDeque::new()));
        let sink = lines.clone();
        let reader = std::thread::Builder::new()
            .name("phonon-view-log".into())
            .spawn(move || {
                for line in BufReader::new(std::fs::File::from(read)).lines() {
                    let Ok(line) = line else { break };
                    let mut lines = sink.lock().unwrap_or_else(|e| e.into_inner());
                    if lines.len() == KEEP {
                        lines.pop_front();
                    }
                    lines.push_back(line);
                }
            })?;
        Ok(StderrCapture {
            saved,
            lines,
            reader: Some(reader),
        })
    }

    /// The last `count` lines written to stderr.
    pub fn last(&self, count: usize) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines
            .iter()
            .skip(lines.len().saturating_sub(count))
            .cloned()
            .collect()
    }

    /// Gives stderr back to where it pointed before.
    pub fn restore(mut self) {
        self.put_back();
    }

    fn put_back(&mut self) {
        // SAFETY: `saved` is open; dup2 replaces fd 2, closing the pipe's last writer.
        unsafe { libc::dup2(self.saved.as_raw_fd(), 2) };
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for StderrCapture {
    fn drop(&mut self) {
        self.put_back();
    }
}
