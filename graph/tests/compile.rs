//! Compiling patches: what compiles, what each mistake reports, and what the graph looks like.

use graph::diagnostic::Source;
use graph::ir::{GraphNodeKind, Input};
use graph::{compile, plan, Compilation, Graph, Registry};

fn build(text: &str) -> Compilation {
    compile(&Source::new("test.ph", text), &Registry::standard())
}

fn ok(text: &str) -> Graph {
    let c = build(text);
    let source = Source::new("test.ph", text);
    let errors: Vec<String> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| source.render(d))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    c.graph.expect("a graph")
}

/// Rendered errors, one string each.
fn errors(text: &str) -> Vec<String> {
    let c = build(text);
    assert!(c.graph.is_none(), "expected errors");
    let source = Source::new("test.ph", text);
    c.diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| source.render(d))
        .collect()
}

fn labels(g: &Graph) -> Vec<String> {
    g.nodes.iter().map(|n| n.kind.label()).collect()
}

#[test]
fn phonon_syntax_forms_compile() {
    let patches = [
        "tempo: 2.0\nout: sine 440 * 0.2\n",
        "cps: 0.5\n~bass: saw 55\nout: ~bass * 0.4\n",
        "tempo: 2.0  # 120 BPM\n# a comment line\n~lfo: sine 0.5 * 0.5 + 0.5\n~bass: saw 55 # lpf (~lfo * 2000 + 500) 0.8\nout: ~bass * 0.4\n",
        "cps: 1.0\nout $ sine 440\n",
        "cps: 2.0\nout $ s \"bd sn\" $ fast 2\n",
        "cps: 2.0\nout $ s \"bd sn hh cp\" $ rev\n",
        "cps: 2.0\nout $ s \"bd sn\" $ every 4 rev\n",
        "cps: 2.0\nout $ s \"bd sn hh cp\" # pan \"0 0.3 0.6 1\" # speed \"1 0.5 2\"\n",
        "bpm: 120\n~drums $ s \"bd sn hh*4 cp\"\nout $ ~drums # reverb 0.5 0.8\n",
        "tempo: 2.0\n~kick: sine 55 * 0.6\n~dub: ~kick # delay 0.375 0.75 # hpf 800 0.7\nout: ~kick * 0.5 + ~dub * 0.5\n",
        "tempo: 0.5\nout: jux rev $ stut 16 0.5 0.125 $ s \"bd*32\"\n",
        "out: s \"bd*4\" # gain \"1 0.8\" # speed 2 # n \"0 1 2\" # note \"0 12\" # cut 1\n",
        "out: every 3 (fast 2 . rev) $ 0.25 <~ s \"bd [sn cp]\"\n",
        "out: every 2 (# speed 2) $ sometimesBy 0.3 (# speed 0.5) $ s \"hh*8\"\n",
        "out: off 0.125 (# gain 0.5) $ chunk 4 (fast 2) $ s \"bd sn\"\n",
        "o1: s \"bd(3,8,<0 2>)\"\nd2: s \"hh*8?\"\n",
        "out: (saw \"c3 e3 g3\" # lpf \"<500 2000>\" 0.7) * 0.3\n",
        "out: (sine 220 + saw 110 /* detuned */ + square 55 0.3)\n  * 0.1\n",
        "out1: in 1 # distort 3 # limiter\nout2: noise # bpf 2000 4 # pan 0.5\n",
    ];
    for p in patches {
        ok(p);
    }
}

#[test]
fn constants_fold_and_tempo_reads_bpm() {
    let g = ok("bpm: 120\nout: sine (220 * 2) * (1 - 0.5)\n");
    assert_eq!(g.cps, 0.5);
    assert_eq!(labels(&g), vec!["sine", "mul"]);
    assert_eq!(g.nodes[0].inputs, vec![("freq", Input::Const(440.0))]);
    assert_eq!(g.nodes[1].inputs[1], ("b", Input::Const(0.5)));
}

#[test]
fn a_bus_read_many_times_is_computed_once() {
    let g =
        ok("~a: sine 3\n~drums: s \"bd sn\"\nout: ~a * ~a + ~drums\nout2: ~drums # lpf 300 ~a\n");
    let count = |label: &str| labels(&g).iter().filter(|l| *l == label).count();
    assert_eq!(count("sine"), 1);
    assert_eq!(count("sampler"), 1);
}

#[test]
fn buses_that_reach_no_output_warn_and_are_not_run() {
    let c = build("~unused: saw 3\nout: sine 1\n");
    let g = c.graph.expect("compiles");
    assert_eq!(labels(&g), vec!["sine"]);
    assert_eq!(c.diagnostics.len(), 1);
    assert!(!c.diagnostics[0].is_error());
    assert!(c.diagnostics[0].message.contains("~unused"));
}

#[test]
fn a_bus_that_reads_itself_is_a_one_block_feedback() {
    let g = ok("~echo: (sine 2 + ~echo # delay 0.3 0.5) * 0.5\nout: ~echo\n");
    let feedback = g
        .nodes
        .iter()
        .position(|n| matches!(n.kind, GraphNodeKind::Feedback { .. }))
        .expect("a feedback node");
    let GraphNodeKind::Feedback { source, .. } = &g.nodes[feedback].kind else {
        unreachable!()
    };
    assert_eq!(*source, g.outputs[0].node);
    // No cycle in the plan: the feedback node is a source in the first stage.
    let p = plan(&g);
    assert!(p.levels[0].iter().any(|id| id.index() == feedback));
    assert_eq!(p.stages.job_count(), g.nodes.len());
}

#[test]
fn a_bus_defined_as_itself_is_an_error_at_its_line() {
    let e = errors("cps: 1\n~a: ~a\nout: ~a\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("test.ph:2:5"), "{}", e[0]);
    assert!(e[0].contains("defined as itself"), "{}", e[0]);
}

#[test]
fn a_byte_order_mark_and_old_line_ends_compile() {
    for text in [
        "\u{feff}cps: 1\nout: sine 440\n",
        "cps: 1\r\nout: sine 440\r\n",
        "cps: 1\rout: sine 440\r",
    ] {
        let g = ok(text);
        assert_eq!(g.outputs.len(), 1, "{text:?}");
    }
    let e = errors("cps: 1\rout: sine 440 +\r");
    assert!(e[0].contains("test.ph:2:"), "{}", e[0]);
}

#[test]
fn deep_nesting_is_an_error_at_its_place_not_a_stack_overflow() {
    let depth = graph::parser::MAX_DEPTH;
    // Just inside the limit everything compiles, even on a test thread's small stack.
    let parens = format!(
        "out: {}sine 440{}\n",
        "(".repeat(depth - 2),
        ")".repeat(depth - 2)
    );
    ok(&parens);
    let pipes = format!("out: {}s \"bd\"\n", "fast 1 $ ".repeat(depth / 2 - 2));
    ok(&pipes);
    let too_deep = [
        format!("out: {}1{}\n", "(".repeat(10_000), ")".repeat(10_000)),
        format!("out: {}s \"bd\"\n", "fast 1 $ ".repeat(20_000)),
        format!("out: {}1\n", "- ".repeat(20_000)),
        format!(
            "out: s \"{}bd{}\"\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        ),
    ];
    for text in &too_deep {
        let e = errors(text);
        assert!(
            e[0].contains("test.ph:1:"),
            "{}",
            &e[0][..200.min(e[0].len())]
        );
        assert!(e[0].contains("nested"), "{}", &e[0][..200.min(e[0].len())]);
    }
}

#[test]
fn a_literal_euclid_past_the_limit_is_an_error() {
    let e = errors("out: s \"bd(1e9,1e9)\"\n");
    assert!(e[0].contains("test.ph:1:16"), "{}", e[0]);
    assert!(e[0].contains("at most 4096 steps"), "{}", e[0]);
}

#[test]
fn stages_respect_dependencies_and_are_deterministic() {
    let text = "~l: sine 1\n~a: saw 55 # lpf (~l * 100 + 200) 0.5\n~b: s \"bd*2\" # gain 0.5\nout: ~a + ~b\nout2: ~b # reverb\n";
    let (g1, g2) = (ok(text), ok(text));
    let (p1, p2) = (plan(&g1), plan(&g2));
    assert_eq!(
        graph::plan::describe(&g1, &p1),
        graph::plan::describe(&g2, &p2)
    );
    let mut stage_of = vec![0; g1.nodes.len()];
    for (k, level) in p1.levels.iter().enumerate() {
        for id in level {
            stage_of[id.index()] = k;
        }
    }
    for (i, _) in g1.nodes.iter().enumerate() {
        for dep in g1.dependencies(graph::NodeId(i as u32)) {
            assert!(stage_of[dep.index()] < stage_of[i]);
        }
    }
}

#[test]
fn identities_survive_an_edit_elsewhere() {
    let before = ok("~bass: saw 55 # lpf 800 0.7\n~hat: s \"hh*8\"\nout: ~bass + ~hat\n");
    let after = ok("~bass: saw 55 # lpf 800 0.7\n~hat: s \"hh*16\" # gain 0.8\n~kick: s \"bd*4\"\nout: ~bass + ~hat + ~kick\n");
    let bass = |g: &Graph| -> Vec<(String, String)> {
        g.nodes
            .iter()
            .filter(|n| n.identity.owner == "~bass")
            .map(|n| (n.identity.to_string(), n.kind.label()))
            .collect()
    };
    assert_eq!(bass(&before), bass(&after));
    assert_eq!(
        bass(&before),
        vec![
            ("~bass/0".into(), "saw".into()),
            ("~bass/1".into(), "lpf".into())
        ]
    );
}

#[test]
fn each_kind_of_mistake_is_reported_with_its_place() {
    let cases: &[(&str, &str)] = &[
        ("out: sine 440 +\n", "test.ph:1:16: error: expected a number, a string, a name, a bus, `(` or `[`, found the end of the line"),
        ("out: sinee 440\n", "test.ph:1:6: error: unknown function `sinee`"),
        ("out: ~nope\n", "test.ph:1:6: error: unknown bus `~nope`"),
        ("out: sine 440 880\n", "test.ph:1:15: error: too many arguments: `sine` takes 1 (freq)"),
        ("out: saw 55 # lpf \"bd sn\" 0.8\n", "test.ph:1:20: error: in the pattern: expected a frequency in Hz or a note name, found 'bd'"),
        ("out: s \"bd\" # gain \"loud\"\n", "test.ph:1:21: error: in the pattern: expected a number or a note name, found 'loud'"),
        ("out: fast \"bd\" $ s \"sn\"\n", "test.ph:1:12: error: in the pattern: expected a number or a note name, found 'bd'"),
        ("out: every rev $ s \"sn\"\n", "test.ph:1:12: error: `every` needs a number for `n`, found the function `rev`"),
        ("out: lpf 800\n", "test.ph:1:6: error: `lpf` needs an input"),
        ("out: speed 2\n", "test.ph:1:6: error: `speed` sets a control of a sound pattern"),
        ("out: sine 3 # speed 2\n", "test.ph:1:6: error: `speed` sets a control of a sound pattern, but the left side of `#` is the signal `sine`"),
        ("out: jux rev $ sine 3\n", "test.ph:1:16: error: `jux` needs a pattern for `pattern`, found the signal `sine`"),
        ("tempo: -1\nout: sine 1\n", "test.ph:1:8: error: expected a positive number of cycles per second"),
        ("out: s \"bd\nout2: 1\n", "test.ph:1:8: error: unterminated string"),
        ("foo: 1\nout: 1\n", "test.ph:1:1: error: expected a statement"),
    ];
    for (text, want) in cases {
        let got = errors(text);
        assert!(
            got.iter().any(|e| e.starts_with(want)),
            "for {text:?} wanted an error starting {want:?}, got:\n{}",
            got.join("\n")
        );
    }
}

#[test]
fn every_independent_error_is_reported_in_one_pass() {
    let got = errors("out: sinee 1\n~a: ~missing\nout2: sine 1 +\nout3: s \"bd [\"\nout4: ~a\n");
    assert_eq!(got.len(), 4, "{}", got.join("\n"));
}

#[test]
fn errors_show_the_line_and_a_caret() {
    let got = errors("tempo: 1\nout: saw 55 # lfp 800\n");
    assert_eq!(
        got[0],
        "test.ph:2:15: error: unknown function `lfp`\n  |\n2 | out: saw 55 # lfp 800\n  |               ^^^\n  = help: the closest names are `lfo`, `lpf` (`phonon functions` lists them all)"
    );
}

#[test]
fn sixteen_outputs_of_the_stress_pattern_compile() {
    let text: String = (1..=16)
        .map(|i| format!("o{i}: jux rev $ stut 16 0.5 0.125 $ s \"bd*32\"\n"))
        .collect();
    let g = ok(&text);
    assert_eq!(g.outputs.len(), 16);
    assert!(g
        .nodes
        .iter()
        .all(|n| matches!(n.kind, GraphNodeKind::Dsp(graph::dsp::Kind::Sampler(_)))));
}

#[test]
fn unknown_sounds_warn_with_the_closest_names() {
    let source = Source::new("test.ph", "out: s \"bd*2 [snn cp:3] bd? hhh\"\n");
    let c = graph::compile_with_sounds(
        &source,
        &Registry::standard(),
        &["bd", "sn", "cp", "hh", "oh"],
    );
    assert!(c.graph.is_some(), "warnings do not stop the patch");
    let rendered: Vec<String> = c.diagnostics.iter().map(|d| source.render(d)).collect();
    assert_eq!(rendered.len(), 2, "{rendered:?}");
    assert!(
        rendered[0].starts_with("test.ph:1:15: warning: sound `snn` is not in the sample bank"),
        "{}",
        rendered[0]
    );
    assert!(
        rendered[0].contains("the closest sounds are `sn`"),
        "{}",
        rendered[0]
    );
    assert!(
        rendered[1].starts_with("test.ph:1:29: warning: sound `hhh`"),
        "{}",
        rendered[1]
    );
}

#[test]
fn a_registered_function_with_a_required_parameter_reports_it_missing() {
    use graph::registry::{Function, ParamKind, ParamSpec, Role};
    const PITCH: &[ParamSpec] = &[ParamSpec::required("pitch", ParamKind::Signal, "Hz")];
    let mut registry = Registry::standard();
    registry.register(Function {
        name: "drone",
        aliases: &[],
        role: Role::Source,
        params: PITCH,
        node: Some(graph::dsp::Kind::Node(&graph::dsp::oscillators::SINE)),
        pattern: None,
        control: None,
        doc: "A test source with a required parameter.",
        example: "",
    });
    let source = Source::new("test.ph", "out: drone\nout2: drone 55\n");
    let c = compile(&source, &registry);
    let errors: Vec<String> = c.diagnostics.iter().map(|d| source.render(d)).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("test.ph:1:6: error: `drone` needs a value for `pitch`"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_chain_of_buses_too_deep_is_one_error_not_a_stack_overflow() {
    let mut text: String = (0..100_000)
        .map(|i| format!("~b{i}: ~b{}\n", i + 1))
        .collect();
    text.push_str("~b100000: s \"bd\"\nout: ~b0\n");
    let source = Source::new("chain.ph", text);
    let c = compile(&source, &Registry::standard());
    let rendered: Vec<String> = c.diagnostics.iter().map(|d| source.render(d)).collect();
    assert_eq!(
        rendered.len(),
        1,
        "{:?}",
        &rendered[..rendered.len().min(3)]
    );
    assert!(
        rendered[0].starts_with("chain.ph:128:8: error: buses read each other more than 128 deep"),
        "{}",
        rendered[0]
    );
    // A chain within the limit compiles.
    let mut short: String = (0..120).map(|i| format!("~b{i}: ~b{}\n", i + 1)).collect();
    short.push_str("~b120: s \"bd\"\nout: ~b0\n");
    assert!(
        compile(&Source::new("short.ph", short), &Registry::standard())
            .graph
            .is_some()
    );
}

#[test]
fn buses_of_deep_expressions_are_bounded_together() {
    // 100 buses, each reading the next under 60 negations: 6,000 levels in all. (A chain of
    // additions is not depth: it is evaluated in a loop.)
    let deep = |inner: &str| format!("{}{inner}", "- ".repeat(60));
    let mut text: String = (0..100)
        .map(|i| format!("~b{i}: {}\n", deep(&format!("~b{} * 1", i + 1))))
        .collect();
    text.push_str("~b100: sine 440\nout: ~b0\n");
    let source = Source::new("deep.ph", text);
    let c = compile(&source, &Registry::standard());
    let errors: Vec<String> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| source.render(d))
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", &errors[..errors.len().min(3)]);
    assert!(
        errors[0].contains("nest more than 256 deep"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_later_definition_replaces_an_earlier_one_with_a_warning() {
    let source = Source::new(
        "twice.ph",
        "out: sine 440\n~a: saw 55\n~a: sine 220\nout: ~a\n",
    );
    let c = compile(&source, &Registry::standard());
    let rendered: Vec<String> = c.diagnostics.iter().map(|d| source.render(d)).collect();
    assert!(c.graph.is_some(), "{rendered:?}");
    assert_eq!(rendered.len(), 2, "{rendered:?}");
    assert!(rendered[0].starts_with("twice.ph:3:1: warning: bus `~a` is defined again: this definition replaces the one on line 2"), "{}", rendered[0]);
    assert!(rendered[1].starts_with("twice.ph:4:1: warning: output `out` is defined again: this definition replaces the one on line 1"), "{}", rendered[1]);
    let g = c.graph.unwrap();
    assert_eq!(g.outputs.len(), 1);
    assert!(
        g.nodes.iter().all(|n| n.kind.label() != "saw"),
        "the replaced bus is gone"
    );
}

#[test]
fn a_patch_of_buses_without_an_output_plays_their_mix() {
    let source = Source::new("buses.ph", "~b: ~a * 0.5\n~a: sine 440\n~c: s \"bd\"\n");
    let c = compile(&source, &Registry::standard());
    let rendered: Vec<String> = c.diagnostics.iter().map(|d| source.render(d)).collect();
    let g = c.graph.unwrap_or_else(|| panic!("{rendered:?}"));
    assert_eq!(g.outputs.len(), 1);
    assert_eq!(g.outputs[0].name, "out");
    assert_eq!(rendered.len(), 1, "{rendered:?}");
    assert!(
        rendered[0].contains("no `out:` line: playing the mix of the buses `~b`, `~a`, `~c`"),
        "{}",
        rendered[0]
    );
    assert_eq!(
        g.nodes.iter().filter(|n| n.kind.label() == "add").count(),
        2,
        "three buses summed"
    );
    // Nothing at all plays silence (see below).
    let empty = compile(
        &Source::new("empty.ph", "-- nothing\n"),
        &Registry::standard(),
    );
    assert!(!empty.has_errors());
}

#[test]
fn dollar_pipes_a_pattern_through_functions_left_to_right_as_in_phonon() {
    use graph::query::{evaluate, render, Format};
    use pattern::mini::ValueType;
    use pattern::{Span, Time};
    let events = |expr: &str| {
        let p = evaluate(
            &Source::new("q", expr),
            &Registry::standard(),
            ValueType::Untyped,
        )
        .unwrap_or_else(|d| panic!("{expr}: {d:?}"));
        render(&p, Span::new(Time::ZERO, Time::from_int(4)), Format::Json)
    };
    let piped = events("s \"bd sn\" $ fast 2 $ every 2 rev $ degradeBy 0.3");
    let haskell = events("degradeBy 0.3 $ every 2 rev $ fast 2 $ s \"bd sn\"");
    assert_eq!(piped, haskell);
    assert!(!piped.is_empty());
    // A function given the function it asks for is still plain application.
    assert_eq!(events("jux rev $ s \"a b\""), events("jux rev (s \"a b\")"));
}

#[test]
fn keyword_arguments_name_their_mistakes() {
    let registry = Registry::standard();
    let errors = |text: &str| {
        let source = Source::new("k.ph", text);
        let c = graph::compile(&source, &registry);
        assert!(c.graph.is_none(), "{text} compiles");
        c.diagnostics
            .iter()
            .map(|d| source.render(d))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let wrong = errors("out: saw 55 # lpf 1000 :res 0.8\n");
    assert!(
        wrong.contains("k.ph:1:24")
            && wrong.contains("`lpf` has no parameter `res`; it has `cutoff`, `q`"),
        "{wrong}"
    );
    let twice = errors("out: saw 55 # lpf 1000 0.7 :q 0.8\n");
    assert!(twice.contains("`q` is given twice"), "{twice}");
    let pattern = errors("out: fast 2 :n 3 $ s \"bd\"\n");
    assert!(
        pattern.contains("takes its arguments in order"),
        "{pattern}"
    );
    let bare = errors("out: saw 55 # lpf 1000 :\n");
    assert!(
        bare.contains("expected a parameter's name after `:`"),
        "{bare}"
    );
}

#[test]
fn the_original_library_reports_its_mistakes_where_they_are_written() {
    let e = errors("out: segments \"0 1\" \"0.1 0.2\"\n");
    assert!(
        e[0].contains(
            "needs 2 to 32 levels and one time fewer than levels: found 2 levels and 2 times"
        ),
        "{e:?}"
    );
    let e = errors("out: additive 220 \"1 a\"\n");
    assert!(
        e[0].contains("test.ph:1:19") && e[0].contains("found `a`"),
        "{e:?}"
    );
    let e = errors("out: saw 110 # env_trig \"x(3,8\" 0.01 0.1 0 0.1\n");
    assert!(
        e[0].contains("test.ph:1:31") && e[0].contains("Euclidean"),
        "{e:?}"
    );
    let e = errors("out: s \"bd\" # convolve :ir \"bd sn\"\n");
    assert!(e[0].contains("`ir` names one sound"), "{e:?}");
    let e = errors("out: \"0 1\" $ scale \"bogus\" # sine\n");
    assert!(
        e[0].contains("`scale` has no scale `bogus`") && e[0].contains("`major`"),
        "{e:?}"
    );
    let e = errors("out: superkick \"c2\" :pitch 3\n");
    assert!(
        e[0].contains("has no parameter `pitch`") && e[0].contains("`pitch_env`"),
        "{e:?}"
    );
    let e = errors("out: shuffle 100 $ s \"bd\"\n");
    assert!(e[0].contains("at most 64 parts"), "{e:?}");
}

#[test]
fn a_bus_step_names_a_bus_that_exists() {
    let e = errors("~bass: saw 55\nout: s \"~bas sn\"\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("test.ph:2:9: error: unknown bus `~bas`"),
        "{e:?}"
    );
    assert!(e[0].contains("did you mean `~bass`?"), "{e:?}");
    // A rest before a name is still a rest and a sample.
    ok("out: s \"~ bd\"\n");
}

#[test]
fn an_effect_without_its_input_says_how_to_send_to_it() {
    let e = errors("~fx: delay 0.25 0.5\nout: ~fx\n");
    assert!(e[0].contains("`delay` needs an input"), "{e:?}");
    assert!(e[0].contains("send to it with `signal # ~fx`"), "{e:?}");
    // With a sender it is an effect bus, and the sender is not reported as unused.
    let c = build("~fx: delay 0.25 0.5\n~d: s \"bd\" # ~fx\nout: ~fx\n");
    assert!(c.graph.is_some());
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn voices_and_envelopes_compile_to_their_nodes() {
    let g = ok("out: superkick \"c2 c2\" 0.5 # lpf 800 0.5\n");
    assert!(
        labels(&g).contains(&"superkick".to_string()),
        "{:?}",
        labels(&g)
    );
    let g = ok("out: saw \"55 110\" # env 0.01 0.1 0.5 0.1\n");
    assert!(labels(&g).contains(&"env".to_string()), "{:?}", labels(&g));
    let g = ok("~e: adsr 0.01 0.1 0.5 0.1\nout: saw 55 * ~e\n");
    assert!(labels(&g).contains(&"env".to_string()), "{:?}", labels(&g));
    let g = ok("out: s \"bd*4\" # speed (sine 1 + 1.5)\n");
    let sampler = g
        .nodes
        .iter()
        .find(|n| n.kind.label() == "sampler")
        .unwrap();
    assert_eq!(sampler.inputs[2].0, "speed");
    assert!(matches!(sampler.inputs[2].1, Input::Node(_)));
}

#[test]
fn code_after_a_hash_is_never_dropped_silently() {
    // Each of these passed `check` and played a dry saw: the unknown name made the rest of the
    // line a comment.
    for (code, name) in [
        ("formantz 900 20 * 0.3", "formantz"),
        ("svf_lp 1000 0.5", "svf_lp"),
        ("bq_lp 800 0.7", "bq_lp"),
        ("allpass 0.01 0.5", "allpass"),
        ("combo (0.01) 0.5", "combo"),
        ("expander 0.5 0.2", "expander"),
        ("lfp 800", "lfp"),
    ] {
        let text = format!("out: saw 55 # {code}\n");
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{text}: {e:?}");
        assert!(
            e[0].contains(&format!("test.ph:1:15: error: unknown function `{name}`")),
            "{}",
            e[0]
        );
        assert!(e[0].contains("phonon functions"), "{}", e[0]);
    }
    // The original's comments still read as comments: a number, or a line's start, quietly.
    let quiet = build("tempo: 2  # 120 BPM\n# a drum patch\nout: s \"bd*4\" # 4/4 kick\n");
    assert!(quiet.diagnostics.is_empty(), "{:?}", quiet.diagnostics);
    assert!(quiet.graph.is_some());
    // Words after code that name no function are a comment, with a warning at its place.
    let source = Source::new("test.ph", "out: saw 55 # bright lead\n");
    let c = build(&source.text);
    assert!(c.graph.is_some());
    let warnings: Vec<String> = c.diagnostics.iter().map(|d| source.render(d)).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "test.ph:1:13: warning: `# bright lead` is read as a comment: no function has its first word's name"
        ),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].contains("start it with `--`"),
        "{}",
        warnings[0]
    );
}

#[test]
fn a_patch_without_outputs_plays_silence_and_says_so() {
    for text in ["", "-- nothing yet\n", "tempo: 1\n"] {
        let c = build(text);
        let source = Source::new("test.ph", text);
        let said: Vec<String> = c.diagnostics.iter().map(|d| source.render(d)).collect();
        assert!(
            said.iter()
                .any(|d| d.contains("warning: the patch has no output: it plays silence")),
            "{text:?}: {said:?}"
        );
        assert!(ok(text).outputs.is_empty());
    }
}

/// The events a `midi:` statement plays in the first cycle: (onset, control values).
fn midi_events(g: &Graph, k: usize) -> Vec<(f64, Vec<(pattern::Control, f64)>)> {
    let arena = bumpalo::Bump::new();
    let span = pattern::Span::new(pattern::Time::from_int(0), pattern::Time::from_int(1));
    let events = g.midi[k].pattern.query(span, &arena);
    let found = events
        .iter()
        .filter(|e| e.has_onset())
        .map(|e| {
            let controls = pattern::Control::ALL
                .iter()
                .filter_map(|&c| e.value.get(c).map(|x| (c, x)))
                .collect();
            (e.part.begin.to_f64(), controls)
        })
        .collect();
    found
}

#[test]
fn midi_statements_are_control_patterns_or_notes_and_play_no_audio() {
    use pattern::Control::{Ccn, Ccv, Midichan, Midicmd, N};
    let g = ok("midi: n \"0 4\" # midichan 2\nmidi3: \"c e g\"\nmidi2: ccv \"0 127\" # ccn 74 # midicmd \"stop\"\nout: sine 440\n");
    assert_eq!(
        g.midi.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["midi", "midi3", "midi2"]
    );
    assert_eq!(g.outputs.len(), 1, "MIDI statements are not audio outputs");
    assert_eq!(
        midi_events(&g, 0),
        [
            (0.0, vec![(N, 0.0), (Midichan, 2.0)]),
            (0.5, vec![(N, 4.0), (Midichan, 2.0)])
        ]
    );
    let notes: Vec<_> = midi_events(&g, 1).into_iter().map(|(_, c)| c).collect();
    assert_eq!(notes, [vec![(N, 0.0)], vec![(N, 4.0)], vec![(N, 7.0)]]);
    assert_eq!(
        midi_events(&g, 2)[1].1,
        [(Ccn, 74.0), (Ccv, 127.0), (Midicmd, 3.0)]
    );
    // A patch of MIDI alone is not a silent patch, and `hush` silences MIDI too.
    let c = build("midi: n \"0\"\n");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert!(ok("midi: n \"0\"\nhush\n").midi.is_empty());
    // A statement defined twice: the later one, with a warning.
    let c = build("midi: n \"0\"\nmidi: n \"7\"\n");
    assert_eq!(c.graph.expect("a graph").midi.len(), 1);
    assert!(c.diagnostics.iter().any(|d| d.message.contains("line 1")));
}

#[test]
fn a_midi_statement_of_a_signal_is_an_error_at_its_place() {
    let e = errors("midi: n \"0\"\nmidi2: sine 440\n");
    assert!(e.iter().any(|e| e.contains("test.ph:2:")), "{e:?}");
}

#[test]
fn keys_play_a_synth_by_its_name_and_say_which_there_are() {
    let g = ok("out: keys \"superpiano\" :channel 2 + keys \"sawtooth\" :release 0.5\n");
    assert_eq!(labels(&g).iter().filter(|l| *l == "keys").count(), 2);
    let e = errors("out: keys \"hoover\"\n");
    assert!(
        e[0].contains("test.ph:1:11")
            && e[0].contains("not `hoover`")
            && e[0].contains("superpiano"),
        "{e:?}"
    );
}
