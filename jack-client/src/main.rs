//! `phonon`: check, inspect, query, render and play live-coded patches.

mod dirt;
mod functions;
mod host;
mod live;
mod meter;
mod patch;
mod query;
mod render;

use clap::{Parser, Subcommand};
use graph::{plan, Registry};
use patch::load;
use std::path::PathBuf;
use std::process::ExitCode;

/// Phonon: a live-coding audio engine for Linux studios.
#[derive(Parser)]
#[command(name = "phonon", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a patch for errors; exit 0 if it compiles, 1 with its errors if not.
    Check {
        /// The patch file (.ph).
        patch: PathBuf,
    },
    /// Show the compiled graph: its stages and nodes.
    Graph {
        /// The patch file (.ph).
        patch: PathBuf,
        /// Print Graphviz dot instead of text.
        #[arg(long)]
        dot: bool,
    },
    /// List every function a patch can call, with its parameters, what it does and an example.
    Functions {
        /// Print the Markdown of docs/functions.md instead.
        #[arg(long)]
        markdown: bool,
    },
    /// Evaluate a pattern expression and print its events (text, JSON lines or a grid).
    Query(query::QueryArgs),
    /// Render a patch to a WAV file.
    Render(render::RenderArgs),
    /// Time a patch's blocks at several block sizes and worker counts.
    Bench(render::BenchArgs),
    /// Play a patch as a JACK client, following edits to the file.
    Live(live::LiveArgs),
    /// Play what Tidal or Strudel send to SuperDirt (OSC on UDP 57120), as a JACK client.
    Dirt(dirt::DirtArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let registry = Registry::standard();
    match cli.command {
        Command::Check { patch } => match load(&patch, &registry, None) {
            Some(_) => {
                println!("{}: ok", patch.display());
                ExitCode::SUCCESS
            }
            None => ExitCode::FAILURE,
        },
        Command::Graph { patch, dot } => match load(&patch, &registry, None) {
            Some(patch::Patch { graph: g, .. }) => {
                if dot {
                    print!("{}", graph::plan::dot(&g));
                } else {
                    print!("{}", graph::plan::describe(&g, &plan(&g)));
                }
                ExitCode::SUCCESS
            }
            None => ExitCode::FAILURE,
        },
        Command::Functions { markdown } => {
            if markdown {
                print!("{}", functions::markdown(&registry));
            } else {
                print!("{}", functions::text(&registry));
            }
            ExitCode::SUCCESS
        }
        Command::Query(args) => query::query(args),
        Command::Render(args) => render::render(args),
        Command::Bench(args) => render::bench(args),
        Command::Live(args) => live::live(args),
        Command::Dirt(args) => dirt::dirt(args),
    }
}
