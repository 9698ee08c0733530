//! The layout `DESIGN.md` promises, checked from the source: `dsp` knows nothing of the
//! language, neither crate's modules depend on each other in a circle (a module's
//! dependencies are the `crate::name` paths its files use), a public type name means one thing
//! across the libraries, and no function outside tests is over a hundred lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each top-level module of the crate at `src` and the modules it uses.
fn modules(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let relative = path.strip_prefix(src).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a name")
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("readable");
        let used = graph.entry(top.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if name != top {
                used.insert(name);
            }
        }
    }
    let names: BTreeSet<String> = graph.keys().cloned().collect();
    for used in graph.values_mut() {
        used.retain(|m| names.contains(m));
    }
    graph
}

/// A circle of modules, if there is one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in &graph[node] {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn crate_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
}

#[test]
fn no_module_depends_on_itself_through_others() {
    for name in ["graph", "dsp"] {
        let graph = modules(&crate_dir(name).join("src"));
        assert!(graph.len() > 5, "{name}: modules found");
        assert_eq!(circle(&graph), None, "{name}: {graph:#?}");
    }
}

#[test]
fn dsp_knows_nothing_of_the_language() {
    let manifest = std::fs::read_to_string(crate_dir("dsp").join("Cargo.toml")).unwrap();
    assert!(!manifest.contains("graph"), "dsp depends on graph");
    let mut files = Vec::new();
    rust_files(&crate_dir("dsp").join("src"), &mut files);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("graph::"), "{} uses graph", path.display());
    }
}

#[test]
fn the_circle_check_finds_a_circle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(from, to)| (from.to_string(), BTreeSet::from([to.to_string()])))
        .collect();
    assert_eq!(
        circle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

/// The library crates, whose public types make up the workspace's vocabulary.
const LIBRARIES: [&str; 7] = [
    "pattern",
    "dsp",
    "graph",
    "scheduler",
    "runtime",
    "dirt",
    "alloc-counter",
];

/// Names defined in more than one library crate on purpose.
const SHARED_NAMES: [&str; 0] = [];

/// The public types (`pub struct`, `enum`, `trait`, `type`, `union`) `text` defines.
fn public_types(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("pub ")?;
            let rest = ["struct ", "enum ", "trait ", "type ", "union "]
                .iter()
                .find_map(|k| rest.strip_prefix(k))?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// Each public type name defined in more than one crate of `crates`, with those crates.
fn shared_names(crates: &[(&str, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut defined: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, text) in crates {
        for ty in public_types(text) {
            defined.entry(ty).or_default().insert(name.to_string());
        }
    }
    defined.retain(|ty, crates| crates.len() > 1 && !SHARED_NAMES.contains(&ty.as_str()));
    defined
}

#[test]
fn each_public_type_name_means_one_thing_across_the_libraries() {
    let crates: Vec<(&str, String)> = LIBRARIES
        .iter()
        .map(|&name| {
            let mut files = Vec::new();
            rust_files(&crate_dir(name).join("src"), &mut files);
            let text: String = files
                .iter()
                .map(|f| std::fs::read_to_string(f).expect("readable"))
                .collect();
            (name, text)
        })
        .collect();
    assert!(public_types(&crates[1].1).len() > 20, "dsp's types found");
    assert_eq!(
        shared_names(&crates),
        BTreeMap::new(),
        "give each a name that says which thing it is"
    );
}

#[test]
fn the_shared_name_check_finds_a_shared_name() {
    let crates = [
        (
            "a",
            "pub struct Voice;\npub(crate) struct Line;\n".to_string(),
        ),
        (
            "b",
            "    pub enum Voice {}\npub trait Line {}\n".to_string(),
        ),
    ];
    let found = shared_names(&crates);
    assert_eq!(found.keys().collect::<Vec<_>>(), ["Voice"]);
}

/// The longest a function may be, in lines, outside tests: past it, split it into named steps.
const LONGEST_FUNCTION: usize = 100;

/// The functions of `text` (before its `#[cfg(test)]` module) longer than `LONGEST_FUNCTION`
/// lines, with their lengths. Braces in strings, characters and comments are not counted.
fn long_functions(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text
        .lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .collect();
    let code = |line: &str| -> String {
        let mut out = String::new();
        let mut chars = line.chars().peekable();
        let mut in_string = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' if in_string => {
                    chars.next();
                }
                '"' => in_string = !in_string,
                '/' if !in_string && chars.peek() == Some(&'/') => break,
                '\'' if !in_string => {
                    // A character literal ('{', '\'') or a lifetime ('a).
                    let rest: String = chars.clone().take(3).collect();
                    if rest.starts_with('\\') {
                        chars.nth(2);
                    } else if rest.chars().nth(1) == Some('\'') {
                        chars.nth(1);
                    }
                }
                c if !in_string => out.push(c),
                _ => {}
            }
        }
        out
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let head = lines[i].trim_start();
        let name = head
            .split_once("fn ")
            .filter(|(before, _)| {
                before.split_whitespace().all(|w| {
                    w.starts_with("pub") || ["const", "unsafe", "async", "extern"].contains(&w)
                })
            })
            .map(|(_, after)| after.split(['(', '<']).next().unwrap_or("").to_string());
        let Some(name) = name else {
            i += 1;
            continue;
        };
        let (mut depth, mut opened, mut j) = (0i32, false, i);
        while j < lines.len() {
            let line = code(lines[j]);
            for c in line.chars() {
                match c {
                    '{' => (depth, opened) = (depth + 1, true),
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            if (opened && depth == 0) || (!opened && line.trim_end().ends_with(';')) {
                break;
            }
            j += 1;
        }
        if opened && j - i + 1 > LONGEST_FUNCTION {
            found.push((name, j - i + 1));
        }
        i = j + 1;
    }
    found
}

#[test]
fn no_function_outside_tests_is_over_a_hundred_lines() {
    let mut long = Vec::new();
    let mut counted = 0;
    for name in LIBRARIES.iter().chain(&["jack-client", "benches"]) {
        let mut files = Vec::new();
        rust_files(&crate_dir(name).join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).expect("readable");
            counted += text.matches("fn ").count();
            for (function, lines) in long_functions(&text) {
                long.push(format!("{} {function}: {lines} lines", file.display()));
            }
        }
    }
    assert!(counted > 500, "functions found: {counted}");
    assert!(long.is_empty(), "split these into named steps: {long:#?}");
}

#[test]
fn the_length_check_finds_a_long_function_and_skips_braces_in_strings() {
    let body = "    let x = \"}\";\n    let c = '{';\n".repeat(60);
    let text = format!("pub(crate) fn long<'a>(a: &'a str) {{\n{body}}}\nfn short() {{}}\n");
    assert_eq!(long_functions(&text), [("long".to_string(), 122)]);
    let short = format!("fn fine() {{\n{}}}\n", "    x();\n".repeat(98));
    assert_eq!(long_functions(&short), []);
}
