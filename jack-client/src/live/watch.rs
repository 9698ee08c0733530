//! Watching the patch file for saves: editors write in place, or write a temporary file and
//! rename it over the patch, so the folder is watched and events for the patch's name count.

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

/// How long the file must stay quiet before a change is reported: editors often write in
/// several steps.
const SETTLE: Duration = Duration::from_millis(30);

/// Reports when the patch file has changed and settled.
pub struct PatchWatcher {
    _watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    name: std::ffi::OsString,
    pending: Option<Instant>,
}

impl PatchWatcher {
    /// Watches `patch` (through its folder), waking `control` (the thread that asks
    /// [`PatchWatcher::changed`]) at each change.
    pub fn new(patch: &Path, control: std::thread::Thread) -> notify::Result<PatchWatcher> {
        let folder = match patch.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
            control.unpark();
        })?;
        watcher.watch(&folder, RecursiveMode::NonRecursive)?;
        Ok(PatchWatcher {
            _watcher: watcher,
            events,
            name: patch.file_name().unwrap_or_default().to_os_string(),
            pending: None,
        })
    }

    /// True while a change waits to settle: [`PatchWatcher::changed`] should be asked again
    /// soon.
    pub fn settling(&self) -> bool {
        self.pending.is_some()
    }

    /// True once the patch has changed and then stayed unchanged for a moment.
    pub fn changed(&mut self) -> bool {
        while let Ok(event) = self.events.try_recv() {
            let Ok(event) = event else { continue };
            let ours = event
                .paths
                .iter()
                .any(|p| p.file_name() == Some(self.name.as_os_str()));
            let relevant = matches!(
                event.kind,
                notify::EventKind::Create(_)
                    | notify::EventKind::Modify(_)
                    | notify::EventKind::Remove(_)
            );
            if ours && relevant {
                self.pending = Some(Instant::now());
            }
        }
        match self.pending {
            Some(at) if at.elapsed() >= SETTLE => {
                self.pending = None;
                true
            }
            _ => false,
        }
    }
}
