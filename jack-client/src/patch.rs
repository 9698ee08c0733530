//! Reading and compiling a patch file, with its diagnostics printed the same way everywhere, and
//! finding and loading the samples it plays.

use dsp::samples::bank::{LoadWarning, SampleBank, SampleIndex};
use graph::{compile_with_sounds, diagnostic::Source, Graph, Registry};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A compiled patch and the sounds it plays.
pub struct Patch {
    /// The graph.
    pub graph: Graph,
    /// Sound names its sound patterns use, the samples to load.
    pub sounds: Vec<String>,
}

/// Reads and compiles a patch, printing its diagnostics to stderr; `None` if it has errors or
/// cannot be read. With `known` (the sounds the samples folders and the kit hold), sounds
/// missing from it are warned about.
pub fn load(path: &Path, registry: &Registry, known: Option<&[String]>) -> Option<Patch> {
    load_noting_error(path, registry, known).0
}

/// [`load`], also giving the first error (with the line it points into) for a view to show.
pub fn load_noting_error(
    path: &Path,
    registry: &Registry,
    known: Option<&[String]>,
) -> (Option<Patch>, Option<String>) {
    let text = match read(path) {
        Ok(text) => text,
        Err(e) => {
            let error = format!("error: cannot read {}: {e}", path.display());
            eprintln!("{error}");
            return (None, Some(error));
        }
    };
    let (patch, diagnostics) = compile_report(path, text, registry, known);
    print_diagnostics(path, &diagnostics);
    let error = diagnostics.into_iter().find(|d| d.contains(": error: "));
    (patch, error)
}

/// The largest patch file read: far above any written or generated patch (a 10,000-bus patch
/// is about 300 KB), far below what could exhaust memory.
pub const MAX_PATCH_BYTES: u64 = 8 << 20;

/// Reads a patch's text: only a regular file (a FIFO, a device or a folder is refused without
/// blocking on it) of at most [`MAX_PATCH_BYTES`], in UTF-8.
pub fn read(path: &Path) -> Result<String, String> {
    use std::io::Read;
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    // Non-blocking, so opening a FIFO with no writer returns at once; it changes nothing for a
    // regular file. The type is checked on the opened file, so a swap after a check cannot
    // slip a device in.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    let kind = meta.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a folder"
        } else if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_char_device() || kind.is_block_device() {
            "a device"
        } else if kind.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        };
        return Err(format!("it is {what}; a patch must be a regular file"));
    }
    let too_big = || {
        format!(
            "larger than {} MiB; a patch is text of at most that size",
            MAX_PATCH_BYTES >> 20
        )
    };
    if meta.len() > MAX_PATCH_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // A file still growing stops at the limit too.
    file.take(MAX_PATCH_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_PATCH_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not UTF-8 text (byte {} is not); save the patch as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Prints diagnostics to stderr, then how many errors there were.
fn print_diagnostics(path: &Path, diagnostics: &[String]) {
    for d in diagnostics {
        eprintln!("{d}\n");
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.contains(": error: "))
        .count();
    if errors > 0 {
        eprintln!(
            "{}: {errors} error{} found",
            path.display(),
            if errors == 1 { "" } else { "s" }
        );
    }
}

/// Compiles patch text read from `path`: the patch if it has no errors, and its diagnostics,
/// each rendered as `file:line:column: error: …` with the line it points into.
pub fn compile_report(
    path: &Path,
    text: String,
    registry: &Registry,
    known: Option<&[String]>,
) -> (Option<Patch>, Vec<String>) {
    let source = Source::new(path.display().to_string(), text);
    let result = match known {
        Some(names) => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            compile_with_sounds(&source, registry, &names)
        }
        None => graph::compile(&source, registry),
    };
    let diagnostics = result
        .diagnostics
        .iter()
        .map(|d| source.render(d))
        .collect();
    let sounds = result.sounds;
    (
        result.graph.map(|graph| Patch { graph, sounds }),
        diagnostics,
    )
}

/// Lists the samples in `--samples` and the usual places, without reading any audio. An
/// explicit `--samples` folder that does not exist is an error.
pub fn index(samples: Option<&Path>) -> Result<SampleIndex, String> {
    if let Some(dir) = samples {
        if !dir.is_dir() {
            return Err(format!(
                "--samples {}: no such folder (give a folder of sound folders: bd/*.wav, sn/*.wav, …)",
                dir.display()
            ));
        }
    }
    let dirs: Vec<PathBuf> = SampleBank::search_path(samples);
    let (index, warnings) = SampleIndex::scan(&dirs);
    warn(&warnings);
    Ok(index)
}

/// Every sound a patch can name: the folders', the built-in kit's and the synths'.
pub fn known_sounds(index: &SampleIndex) -> Vec<String> {
    let kit = SampleBank::builtin(8_000);
    let synths = dsp::instruments::Instrument::SOUNDS.map(|(name, _)| name);
    let mut names: Vec<String> = index
        .names()
        .chain(kit.names())
        .chain(synths)
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The built-in kit with the sounds of `sounds` loaded from `index`, at `sample_rate`.
pub fn bank_with(index: &SampleIndex, sample_rate: u32, sounds: &[String]) -> Arc<SampleBank> {
    let mut warnings = Vec::new();
    let bank = SampleBank::builtin(sample_rate).with_sounds(index, sounds, &mut warnings);
    warn(&warnings);
    Arc::new(bank)
}

/// Prints sample-loading warnings.
pub fn warn(warnings: &[LoadWarning]) {
    for w in warnings {
        eprintln!("warning: {}: {}", w.path.display(), w.message);
    }
}
