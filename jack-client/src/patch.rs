//! Reading and compiling a patch file, with its diagnostics printed the same way everywhere, and
//! finding and loading the samples it plays.

use dsp::bank::{LoadWarning, SampleBank, SampleIndex};
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
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return None;
        }
    };
    compile_text(path, text, registry, known)
}

/// Compiles patch text read from `path`, printing its diagnostics to stderr.
pub fn compile_text(
    path: &Path,
    text: String,
    registry: &Registry,
    known: Option<&[String]>,
) -> Option<Patch> {
    let source = Source::new(path.display().to_string(), text);
    let result = match known {
        Some(names) => {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            compile_with_sounds(&source, registry, &names)
        }
        None => graph::compile(&source, registry),
    };
    for d in &result.diagnostics {
        eprintln!("{}\n", source.render(d));
    }
    let errors = result.diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        eprintln!(
            "{}: {errors} error{} found",
            path.display(),
            if errors == 1 { "" } else { "s" }
        );
    }
    let sounds = result.sounds;
    result.graph.map(|graph| Patch { graph, sounds })
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

/// Every sound a patch can name: the folders' and the built-in kit's.
pub fn known_sounds(index: &SampleIndex) -> Vec<String> {
    let kit = SampleBank::builtin(8_000);
    let mut names: Vec<String> = index
        .names()
        .chain(kit.names())
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
