//! `phonon functions`: every function a patch can call, with its parameters, units, what it
//! does and an example that compiles — as text, or as the Markdown of `docs/functions.md`.

use graph::diagnostic::Source;
use graph::{Function, ParamKind, ParamSpec, Registry, Role};

/// A value to show for a parameter in an example.
fn argument(p: &ParamSpec, last: bool) -> String {
    let number = |fallback: f64| p.default.unwrap_or(fallback).to_string();
    match p.kind {
        ParamKind::Input => String::new(),
        ParamKind::Signal | ParamKind::Number => number(match (p.unit, p.name) {
            ("Hz", _) => 440.0,
            (_, "high" | "max" | "to") => 2.0,
            _ => 1.0,
        }),
        ParamKind::Time => match p.default {
            Some(d) => d.to_string(),
            None if p.name.contains("factor") || p.name == "n" => "2".into(),
            None => "0.25".into(),
        },
        ParamKind::Count => p.default.filter(|&d| d > 1.0).unwrap_or(4.0).to_string(),
        ParamKind::Numbers => number(0.5),
        ParamKind::Sounds if p.name == "ir" => "\"cp\"".into(),
        ParamKind::Sounds => "\"bd sn\"".into(),
        ParamKind::Transform => "rev".into(),
        ParamKind::Pattern if last => "$ s \"bd sn\"".into(),
        ParamKind::Pattern => "(s \"hh*4\")".into(),
        ParamKind::Bools => "\"t f t t\"".into(),
        ParamKind::Words => "\"minor\"".into(),
        // Lists of numbers (a scale's steps, values to choose from).
        ParamKind::Patterns if matches!(p.name, "steps" | "values") => "[0, 2, 4]".into(),
        ParamKind::Patterns if matches!(p.name, "list" | "periods") => "[3, 5]".into(),
        ParamKind::Transforms => "[rev, fast 2]".into(),
        ParamKind::Patterns => "[s \"bd*2\", s \"sn\"]".into(),
        ParamKind::Steps => "[(1, s \"bd*2\"), (0.5, s \"sn\")]".into(),
        ParamKind::Weighted => "[(s \"bd*2\", 3), (s \"sn\", 1)]".into(),
        ParamKind::Span => "(0.25, 0.75)".into(),
        ParamKind::Levels if p.name == "times" => "\"0.1 0.2\"".into(),
        ParamKind::Levels => "\"0 1 0\"".into(),
        ParamKind::Triggers => "\"x ~ x x\"".into(),
        ParamKind::Notes => "\"c3 e3 g3\"".into(),
    }
}

/// Candidate one-line patches showing `f`, most natural first: its declared example, then ones
/// made from its parameters.
fn candidates(f: &Function) -> Vec<String> {
    let declared = (!f.example.is_empty()).then(|| f.example.to_string());
    let last = f.params.len().saturating_sub(1);
    let args: Vec<String> = f
        .params
        .iter()
        .enumerate()
        .map(|(k, p)| argument(p, k == last))
        .filter(|a| !a.is_empty())
        .collect();
    let call = if args.is_empty() {
        f.name.to_string()
    } else {
        format!("{} {}", f.name, args.join(" "))
    };
    let made = match f.role {
        Role::Source => vec![format!("out: {call} * 0.2")],
        Role::Processor => vec![format!("out: saw 110 # {call} * 0.2")],
        Role::Sound => vec![format!("out: {call}")],
        Role::Control => vec![format!("out: s \"bd*4\" # {call}")],
        Role::Transform => vec![
            format!("out: {call}"),
            // A transform of values: shown on the speeds of a sound pattern.
            format!(
                "out: s \"bd*4\" # speed ({})",
                call.replace("$ s \"bd sn\"", "\"1 1.5\"")
            ),
        ],
        Role::Pattern => {
            let of_patterns = f.params.iter().any(|p| {
                matches!(
                    p.kind,
                    ParamKind::Patterns
                        | ParamKind::Steps
                        | ParamKind::Weighted
                        | ParamKind::Pattern
                )
            });
            let sounds = format!("out: {call}");
            let values = format!("out: s \"bd*4\" # n ({call})");
            if of_patterns {
                vec![sounds, values]
            } else {
                vec![values, format!("out: s \"bd*4\" # speed ({call})"), sounds]
            }
        }
    };
    declared.into_iter().chain(made).collect()
}

/// An example patch line for `f` that compiles.
pub fn example(registry: &Registry, f: &Function) -> Option<String> {
    candidates(f).into_iter().find(|text| {
        graph::compile(&Source::new("example.ph", format!("{text}\n")), registry)
            .graph
            .is_some()
    })
}

fn params(f: &Function) -> String {
    f.params
        .iter()
        .map(|p| {
            let mut unit = if p.unit.is_empty() {
                String::new()
            } else {
                format!(" {}", p.unit)
            };
            if let Some((low, high)) = p.range {
                let bound = |x: f64| {
                    if x.is_finite() {
                        x.to_string()
                    } else {
                        String::new()
                    }
                };
                unit.push_str(&format!(" [{}..{}]", bound(low), bound(high)));
            }
            match p.default {
                Some(d) if p.kind == ParamKind::Triggers && d == 0.0 => format!("{}=once", p.name),
                Some(_) if p.kind == ParamKind::Triggers => format!("{}=every-cycle", p.name),
                Some(_) if p.kind == ParamKind::Sounds => format!("{}=built-in", p.name),
                Some(d) => format!("{}={d}{unit}", p.name),
                None => format!("{}{unit}", p.name),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The plain listing: name, parameters, aliases, what it does, an example.
pub fn text(registry: &Registry) -> String {
    let mut out = String::new();
    for f in registry.functions() {
        let aliases = if f.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also {})", f.aliases.join(", "))
        };
        out.push_str(&format!(
            "{} {}{aliases}\n    {}\n",
            f.name,
            params(f),
            f.doc
        ));
        if let Some(e) = example(registry, f) {
            out.push_str(&format!("    e.g. {e}\n"));
        }
    }
    out
}

fn role_title(role: Role) -> &'static str {
    match role {
        Role::Source => "Sources",
        Role::Processor => "Processors (after `#`)",
        Role::Sound => "Sound patterns",
        Role::Control => "Controls of sound patterns (after `#`)",
        Role::Transform => "Transforms",
        Role::Pattern => "Pattern functions",
    }
}

/// Tidal 1.7.10's exports (module, name), as its `ghci` lists them.
const TIDAL_EXPORTS: &str = include_str!("tidal_exports.txt");

/// How Phonon has a Tidal export: a function of the same name (or alias), a chord name of the
/// mini-notation (`"c'major"`), or not yet.
fn tidal_counterpart(registry: &Registry, module: &str, name: &str) -> Option<String> {
    if let Some(f) = registry.get(name) {
        return Some(if f.name == name {
            format!("`{name}`")
        } else {
            format!("`{}`", f.name)
        });
    }
    (module == "Chords" && pattern::chord(name).is_some())
        .then(|| format!("the chord name, `\"c'{name}\"`"))
}

/// The table of Tidal's exports and Phonon's counterparts, with the share covered.
fn tidal_coverage(registry: &Registry) -> String {
    let exports: Vec<(&str, &str)> = TIDAL_EXPORTS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.split_once(' '))
        .collect();
    let rows: Vec<(&str, &str, Option<String>)> = exports
        .iter()
        .map(|&(module, name)| (module, name, tidal_counterpart(registry, module, name)))
        .collect();
    let covered = rows.iter().filter(|r| r.2.is_some()).count();
    let mut out = format!(
        "\n## Tidal's library\n\nOf the {} functions and values Tidal 1.7.10 exports from \
         `Sound.Tidal.Core`, `UI`, `Control`, `Scales` and `Chords` (leaving out its internals, \
         operators and control-bus readers), Phonon has {covered} ({:.0}%): a function of the \
         same name or an alias, or a chord name of the mini-notation. The rest are not built \
         yet.\n\n| module | Tidal | Phonon |\n|---|---|---|\n",
        rows.len(),
        100.0 * covered as f64 / rows.len().max(1) as f64
    );
    for (module, name, ours) in rows {
        let ours = ours.unwrap_or_else(|| "not yet".into());
        out.push_str(&format!("| {module} | `{name}` | {ours} |\n"));
    }
    out
}

/// `docs/functions.md`, generated from the registry.
pub fn markdown(registry: &Registry) -> String {
    let mut out = String::from(
        "# Functions\n\nEvery function a patch can call, generated from the registry by \
         `phonon functions --markdown` (a test keeps this file in step). Parameters show their \
         defaults and units; a parameter without a default is required. Node functions also \
         take their parameters by name: `lpf 1000 :q 0.8`.\n",
    );
    let roles = [
        Role::Source,
        Role::Processor,
        Role::Sound,
        Role::Control,
        Role::Transform,
        Role::Pattern,
    ];
    for role in roles {
        out.push_str(&format!("\n## {}\n\n", role_title(role)));
        out.push_str("| function | parameters | what it does | example |\n|---|---|---|---|\n");
        for f in registry.functions().iter().filter(|f| f.role == role) {
            let name = if f.aliases.is_empty() {
                format!("`{}`", f.name)
            } else {
                format!(
                    "`{}` (also {})",
                    f.name,
                    f.aliases
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            let example = example(registry, f)
                .map_or_else(String::new, |e| format!("`{}`", e.replace('|', "\\|")));
            out.push_str(&format!(
                "| {name} | {} | {} | {example} |\n",
                match params(f) {
                    p if p.is_empty() => "—".to_string(),
                    p => format!("`{p}`"),
                },
                f.doc.replace('|', "\\|"),
            ));
        }
    }
    out.push_str(&tidal_coverage(registry));
    out
}
