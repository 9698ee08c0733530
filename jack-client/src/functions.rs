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
        ParamKind::Curried => "fast".into(),
        ParamKind::Text => "\"x-x-\"".into(),
        ParamKind::Rows => "[[0.3, 0.7], [0.5, 0.5]]".into(),
        ParamKind::Tuples => "[(\"a\", 1), (\"b\", 2)]".into(),
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

/// Why Phonon has no counterpart of some of Tidal's exports; the rest of those missing are not
/// built yet.
const TIDAL_LEFT_OUT: &[(&str, &str)] = &[
    (
        "cS",
        "not yet: the control port's table holds numbers, not words",
    ),
    (
        "cS0",
        "not yet: the control port's table holds numbers, not words",
    ),
    (
        "cS_",
        "not yet: the control port's table holds numbers, not words",
    ),
    (
        "fromMaybes",
        "left out: the language has no `Maybe`; a `~` step is a rest",
    ),
    (
        "sig",
        "left out: takes a Haskell function of time; the signals (`saw`, `perlin`…) are patterns",
    ),
    (
        "when",
        "left out: takes a Haskell test of cycle numbers; `whenmod`, `while` and `every` do",
    ),
    (
        "whenT",
        "left out: takes a Haskell test of times; `while`, `within` and `sew` do",
    ),
    (
        "ifp",
        "left out: takes a Haskell test of cycle numbers; `whenmod` and `every` do",
    ),
    (
        "arpWith",
        "left out: takes a Haskell function of event lists; `arp` has its thirteen modes",
    ),
    (
        "contrastBy",
        "left out: takes a Haskell comparison; `contrast` compares by equality",
    ),
    (
        "triggerWith",
        "left out: takes a Haskell function of time; the other triggers are here",
    ),
    ("squeezeJoinUp", "internal (`chew` is built on it)"),
    (
        "runMarkov",
        "internal: a Haskell list; `markovPat` plays it",
    ),
    (
        "randArcs",
        "internal: a pattern of Haskell lists of arcs; `randStruct` plays it",
    ),
    ("enclosingArc", "internal: a function of arcs"),
    ("chopArc", "internal: a function of arcs"),
    (
        "mergePlayRange",
        "internal: a function of one event's controls",
    ),
    ("parseLMRule", "internal: `lindenmayer` reads its rules"),
    ("parseLMRule'", "internal: `lindenmayer` reads its rules"),
    (
        "timeToRands",
        "internal: a Haskell list; `randrun` and the random functions use it",
    ),
    (
        "timeToRands'",
        "internal: a Haskell list; `randrun` and the random functions use it",
    ),
    (
        "deconstruct",
        "left out: a string for printing; `phonon query --draw` draws a pattern",
    ),
    (
        "scaleTable",
        "left out: a Haskell table; `scale` takes its names, listed below",
    ),
    (
        "scaleList",
        "left out: a string of names; `scale` takes them, listed below",
    ),
    (
        "chordTable",
        "left out: a Haskell table; chord names are mini-notation (`\"c'major\"`), listed below",
    ),
    (
        "chordList",
        "left out: a string of names; the chord names are listed below",
    ),
];

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
         operators and the 128 bus readers `in0`…`in127`), Phonon has {covered} ({:.0}%): a \
         function of the same name or an alias, or a chord name of the mini-notation. The table \
         says why each of the others is left out or not built yet.\n\n| module | Tidal | \
         Phonon |\n|---|---|---|\n",
        rows.len(),
        100.0 * covered as f64 / rows.len().max(1) as f64
    );
    for (module, name, ours) in rows {
        let ours = ours.unwrap_or_else(|| {
            TIDAL_LEFT_OUT
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("not yet".into(), |(_, why)| (*why).to_string())
        });
        out.push_str(&format!("| {module} | `{name}` | {ours} |\n"));
    }
    out.push_str("\n## Scale and chord names\n\n`scale` takes these names (Tidal's):\n");
    let scales: Vec<String> = pattern::scale::SCALES
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    let original: Vec<String> = pattern::scale::ORIGINAL_SCALES
        .iter()
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    out.push_str(&format!(
        "{}; and these, the original Phonon's: {}.\n\nChords in mini-notation (`\"c'major e'min7\"`), each with its other spellings and \
         its notes in semitones (Tidal's table):\n\n| chord | notes |\n|---|---|\n",
        scales.join(", "),
        original.join(", ")
    ));
    for (names, notes) in pattern::chords() {
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let notes: Vec<String> = notes.iter().map(i8::to_string).collect();
        out.push_str(&format!("| {} | {} |\n", names.join(", "), notes.join(" ")));
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
