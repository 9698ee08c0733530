//! Hostile input, as the issue on overload found it: each patch here froze, crashed or bloated
//! the engine before; each is now one clear error at its place (`phonon check` exits 1 with it),
//! or compiles to something the engine bounds when it plays.

use graph::diagnostic::Source;
use graph::{compile, Registry};

/// The rendered errors of a patch.
fn errors(text: &str) -> Vec<String> {
    let source = Source::new("hostile.ph", text);
    let c = compile(&source, &Registry::standard());
    assert!(c.graph.is_none() || c.diagnostics.iter().all(|d| !d.is_error()));
    c.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| source.render(d))
        .collect()
}

fn first_error(text: &str) -> String {
    errors(text).into_iter().next().unwrap_or_default()
}

#[test]
fn nesting_ten_thousand_deep_is_an_error_not_a_stack_overflow() {
    let brackets = format!(
        "out: s \"{}bd{}\"\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(
        first_error(&brackets).contains("nested at most"),
        "{}",
        first_error(&brackets)
    );
    let parens = format!(
        "out: {}sine 440{}\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert!(
        first_error(&parens).contains("nested more than"),
        "{}",
        first_error(&parens)
    );
}

#[test]
fn five_thousand_buses_in_a_row_are_one_error() {
    let mut text: String = (0..5_000)
        .map(|i| format!("~b{i}: ~b{}\n", i + 1))
        .collect();
    text.push_str("~b5000: sine 440\nout: ~b0\n");
    let e = errors(&text);
    assert_eq!(e.len(), 1, "{:?}", &e[..e.len().min(2)]);
    assert!(e[0].contains("buses read each other more than"), "{}", e[0]);
}

/// The graph of a patch that must compile.
fn graph_of(text: &str) -> graph::Graph {
    let source = Source::new("long.ph", text);
    let c = compile(&source, &Registry::standard());
    let errors: Vec<String> = c.diagnostics.iter().map(|d| source.render(d)).collect();
    c.graph
        .unwrap_or_else(|| panic!("{:?}", &errors[..errors.len().min(2)]))
}

#[test]
fn long_left_associative_chains_are_not_depth() {
    // Each of these was an error past 128 terms: a chain is evaluated in a loop, and built,
    // walked and dropped without recursion, on a test thread's small stack.
    let sum = format!("out: {}\n", vec!["sine 440"; 20_000].join(" + "));
    assert_eq!(graph_of(&sum).nodes.len(), 2 * 20_000 - 1);
    let mut buses: String = (0..10_000)
        .map(|k| format!("~b{k}: sine {} * 0.0001\n", 100 + k % 50))
        .collect();
    let terms: Vec<String> = (0..10_000).map(|k| format!("~b{k}")).collect();
    buses.push_str(&format!("out: {}\n", terms.join(" + ")));
    assert!(graph_of(&buses).nodes.len() > 20_000);
    let chain = format!("out: saw 55{}\n", " # lpf 800 0.5".repeat(5_000));
    assert!(graph_of(&chain).nodes.len() > 5_000);
    let product = format!("out: sine 440{}\n", " * 1".repeat(10_000));
    graph_of(&product);
    let arithmetic = format!(
        "tempo: {}\nout: sine 440\n",
        vec!["0.0001"; 10_000].join(" + ")
    );
    assert!((graph_of(&arithmetic).cps - 1.0).abs() < 1e-9);
    // Errors anywhere in a long chain are all reported.
    let mut typos = vec!["sine 440"; 3_000];
    typos[5] = "sinee 440";
    typos[2_500] = "sawx 1";
    let e = errors(&format!("out: {}\n", typos.join(" + ")));
    assert_eq!(e.len(), 2, "{e:?}");
}

#[test]
fn real_nesting_is_still_bounded() {
    let pipes = format!("out: {}s \"bd\"\n", "fast 1 $ ".repeat(10_000));
    assert!(
        first_error(&pipes).contains("nested more than 128 levels"),
        "{}",
        first_error(&pipes)
    );
}

#[test]
fn runaway_factors_are_errors_where_they_are_written() {
    let e = first_error("out: s \"bd*1000000000\"\n");
    assert!(
        e.starts_with(
            "hostile.ph:1:12: error: in the pattern: expected a factor that speeds up at most 4096"
        ),
        "{e}"
    );
    let e = first_error("out: fast 1e9 $ s \"bd sn\"\n");
    assert!(
        e.contains("`fast` may speed a pattern up at most 4096 times"),
        "{e}"
    );
    let e = first_error("out: s \"[bd sn]*<1e9>\"\n");
    assert!(e.contains("at most 4096"), "{e}");
    let e = first_error("out: slow 0.0000001 $ s \"bd\"\n");
    assert!(e.contains("at least 1/4096"), "{e}");
    let e = first_error("out: s \"bd(1e9,1e9)\"\n");
    assert!(e.contains("at most 4096 steps"), "{e}");
    let e = first_error("out: ply 1e9 $ s \"bd\"\n");
    assert!(e.contains("`ply`"), "{e}");
}

#[test]
fn a_runaway_written_without_a_literal_compiles_and_is_bounded_when_played() {
    // Every factor is within bounds, so this compiles; the per-block query budget bounds it
    // when it plays (runtime/tests/hostile.rs).
    assert!(errors("out: fast \"<1 4000>\" $ fast 4000 $ s \"bd*4000\"\n").is_empty());
}

#[test]
fn the_also_wrong_items_are_right() {
    let e = first_error("~a: ~a\nout: ~a\n");
    assert!(
        e.starts_with("hostile.ph:1:5: error: bus `~a` is defined as itself"),
        "{e}"
    );
    assert!(
        errors("\u{feff}out: s \"bd\"\n").is_empty(),
        "a byte-order mark"
    );
    assert!(
        errors("tempo: 1\rout: s \"bd\"\r").is_empty(),
        "lone CR line ends"
    );
}

#[test]
fn a_bus_that_is_a_step_of_its_own_pattern_is_an_error_not_a_stack_overflow() {
    // Found by the mutation fuzzer: building `~d`'s sampler built its `~d` step's sampler,
    // for ever.
    let e = first_error("~d: s \"~d*4\" # gain 0.8\nout: 0.25 <~ ~d\n");
    assert!(
        e.starts_with("hostile.ph:1:5: error: `~d` is a step of its own sound pattern"),
        "{e}"
    );
    let e = first_error("~a: s \"~b sn\"\n~b: s \"bd ~a\"\nout: ~a\n");
    assert!(e.contains("`~a` is a step of its own sound pattern"), "{e}");
    // A bus step of another bus is fine.
    assert!(errors("~a: s \"~b sn\"\n~b: s \"bd*2\"\nout: ~a\n").is_empty());
}
