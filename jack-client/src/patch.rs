//! Reading and compiling a patch file, with its diagnostics printed the same way everywhere.

use dsp::bank::SampleBank;
use graph::{compile_with_sounds, diagnostic::Source, Graph, Registry};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reads and compiles a patch, printing its diagnostics to stderr; `None` if it has errors or
/// cannot be read. Sound names missing from `bank` are warned about.
pub fn load(path: &Path, registry: &Registry, bank: Option<&SampleBank>) -> Option<Graph> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", path.display());
            return None;
        }
    };
    compile_text(path, text, registry, bank)
}

/// Compiles patch text read from `path`, printing its diagnostics to stderr.
pub fn compile_text(
    path: &Path,
    text: String,
    registry: &Registry,
    bank: Option<&SampleBank>,
) -> Option<Graph> {
    let source = Source::new(path.display().to_string(), text);
    let names: Vec<&str> = bank.map(|b| b.names().collect()).unwrap_or_default();
    let result = match bank {
        Some(_) => compile_with_sounds(&source, registry, &names),
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
    result.graph
}

/// Loads the sample bank for `--samples` and the usual places, printing load warnings. An
/// explicit `--samples` folder that does not exist is an error.
pub fn bank(samples: Option<&Path>, sample_rate: u32) -> Result<Arc<SampleBank>, String> {
    if let Some(dir) = samples {
        if !dir.is_dir() {
            return Err(format!(
                "--samples {}: no such folder (give a folder of sound folders: bd/*.wav, sn/*.wav, …)",
                dir.display()
            ));
        }
    }
    let dirs: Vec<PathBuf> = SampleBank::search_path(samples);
    let (bank, warnings) = SampleBank::load(&dirs, sample_rate);
    for w in warnings {
        eprintln!("warning: {}: {}", w.path.display(), w.message);
    }
    Ok(Arc::new(bank))
}
