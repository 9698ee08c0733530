//! The `phonon` binary's check, graph and functions commands, as a user runs them.

use std::path::PathBuf;
use std::process::{Command, Output};

fn phonon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phonon"))
        .args(args)
        .output()
        .expect("run phonon")
}

fn patch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("phonon-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_accepts_a_good_patch() {
    let p = patch(
        "good.ph",
        "tempo: 0.5\nout: s \"bd*2 [sn cp]\" # gain 0.8\n",
    );
    let out = phonon(&["check", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with("good.ph: ok\n"));
}

#[test]
fn check_reports_every_error_with_its_place_and_exits_1() {
    let p = patch("bad.ph", "out: sinee 440\nout2: s \"bd [sn\"\n");
    let out = phonon(&["check", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.ph:1:6: error: unknown function `sinee`"),
        "{err}"
    );
    assert!(
        err.contains("bad.ph:2:16: error: in the pattern: expected ']'"),
        "{err}"
    );
    assert!(err.contains("2 errors found"), "{err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn a_missing_file_is_one_clear_line() {
    let out = phonon(&["check", "/nonexistent/patch.ph"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: cannot read /nonexistent/patch.ph"));
}

#[test]
fn graph_prints_stages_and_dot() {
    let p = patch("g.ph", "~a: saw 55 # lpf 800 0.7\nout: ~a * 0.5\n");
    let out = phonon(&["graph", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let listing = text(&out.stdout);
    assert!(listing.starts_with("3 nodes in 3 stages"), "{listing}");
    assert!(
        listing.contains("#1   lpf(input=#0, cutoff=800, q=0.7) mono [~a/1]"),
        "{listing}"
    );
    assert!(listing.contains("output out <- #2"));
    let dot = text(&phonon(&["graph", "--dot", p.to_str().unwrap()]).stdout);
    assert!(
        dot.starts_with("digraph phonon {") && dot.contains("n0 -> n1"),
        "{dot}"
    );
}

#[test]
fn functions_lists_the_registry() {
    let out = phonon(&["functions"]);
    assert_eq!(out.status.code(), Some(0));
    let listing = text(&out.stdout);
    for name in [
        "sine freq=440 Hz",
        "lpf input cutoff=1000 Hz [10..24000] q=0.707 [0.05..40]",
        "jux function pattern",
        "speed value",
        "s sounds (also sound)",
    ] {
        assert!(listing.contains(name), "missing {name:?}");
    }
}

#[test]
fn bad_flags_get_clap_usage_and_exit_2() {
    let out = phonon(&["check", "--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unexpected argument '--frobnicate'"));
    for sub in ["check", "graph", "functions"] {
        let help = phonon(&[sub, "--help"]);
        assert_eq!(help.status.code(), Some(0));
        assert!(text(&help.stdout).contains("Usage: phonon"));
    }
}

#[test]
fn a_cpu_list_the_process_may_not_use_is_refused_by_name() {
    for command in [&["live", "x.ph"][..], &["dirt"][..]] {
        let mut args = command.to_vec();
        args.extend(["--cpus", "4095"]);
        let out = phonon(&args);
        assert_eq!(out.status.code(), Some(2), "{command:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains("CPU 4095 is not one this process may use (it may use 0"),
            "{err}"
        );
        args.pop();
        args.push("2-0");
        assert!(text(&phonon(&args).stderr).contains("runs backwards"));
    }
}

#[test]
fn query_prints_events_as_text_json_and_a_grid() {
    let out = phonon(&[
        "query",
        "every 2 (fast 2) \"a [b c]\"",
        "--span",
        "0",
        "2",
        "--draw",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "|a-bca-bc|a---b-c-|\n");
    let out = phonon(&["query", "\"1 2\" |+| \"10\"", "--type", "int", "--json"]);
    assert_eq!(
        text(&out.stdout),
        "{\"whole\": [\"0\", \"1/2\"], \"part\": [\"0\", \"1/2\"], \"value\": 11}\n\
         {\"whole\": [\"1/2\", \"1\"], \"part\": [\"1/2\", \"1\"], \"value\": 12}\n"
    );
    let out = phonon(&[
        "query", "rev saw", "--type", "double", "--span", "1/4", "1/4",
    ]);
    assert_eq!(text(&out.stdout), "~ [1/4, 1/4] 0.75\n");
}

#[test]
fn query_errors_say_where_and_exit_1() {
    let out = phonon(&["query", "fast 2 (rev \"a b\""]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("query:1:18: error: expected `)`"),
        "{}",
        text(&out.stderr)
    );
    let out = phonon(&["query", "every \"q\" rev \"a b\""]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("query:1:8: error: in the pattern: expected a whole number"),
        "{}",
        text(&out.stderr)
    );
    let out = phonon(&["query", "\"a\"", "--span", "1", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("expected a number such as 1, 0.5 or 1/3"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bench_nodes_names_the_heaviest_node_by_its_line_and_the_critical_path() {
    // A reverb is far heavier than the sine feeding it, and both lie on the only chain.
    let p = patch(
        "meter.ph",
        "~tone: sine 220 * 0.2\n\nout: ~tone # reverb 0.8 0.5 0.5\n",
    );
    let out = phonon(&[
        "bench",
        p.to_str().unwrap(),
        "--nodes",
        "--block-size",
        "256",
        "--threads",
        "1",
        "--seconds",
        "0.5",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let table: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("node "))
        .collect();
    assert!(table.len() >= 4, "{stdout}");
    assert!(
        table[1].starts_with("reverb (out)") && table[1].split_whitespace().nth(2) == Some("3"),
        "the reverb, on line 3, is heaviest: {stdout}"
    );
    let path = table.last().unwrap();
    assert!(
        path.starts_with("critical path") && path.contains("reverb (out, line 3)"),
        "{stdout}"
    );
}

#[test]
fn docs_functions_md_is_the_registry_and_every_function_has_an_example_that_compiles() {
    let out = phonon(&["functions", "--markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let generated = text(&out.stdout);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/functions.md");
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        generated == committed,
        "docs/functions.md is out of date: run `phonon functions --markdown > docs/functions.md`"
    );
    // Every row of the functions' tables ends with its example (the generator keeps only
    // examples that compile); the tables of Tidal's library and of names follow them.
    let rows: Vec<&str> = generated
        .lines()
        .take_while(|l| !l.starts_with("## Tidal's library"))
        .filter(|l| l.starts_with("| `"))
        .collect();
    assert!(rows.len() >= 90, "{} functions", rows.len());
    for row in rows {
        assert!(row.trim_end().ends_with("` |"), "no example: {row}");
    }
    // The plain listing shows the same examples.
    let plain = text(&phonon(&["functions"]).stdout);
    assert!(
        plain.contains("    e.g. out: saw 55 # lpf (sine 0.25 * 800 + 1200) 4 * 0.2"),
        "{plain}"
    );
}

#[test]
fn only_regular_files_of_bounded_size_are_read_as_patches() {
    let dir = patch("x.ph", "").parent().unwrap().join("special");
    std::fs::create_dir_all(&dir).unwrap();
    // A symlink to /dev/urandom grew memory at 300 MB/s until the read failed.
    let random = dir.join("random.ph");
    let _ = std::fs::remove_file(&random);
    std::os::unix::fs::symlink("/dev/urandom", &random).unwrap();
    // A FIFO with no writer blocked the read (and with it SIGTERM) forever.
    let fifo = dir.join("fifo.ph");
    let _ = std::fs::remove_file(&fifo);
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let big = dir.join("big.ph");
    let mut body = String::from("out: sine 440\n");
    while body.len() <= 8 << 20 {
        body.push_str("-- a comment line that is long enough to grow the file quickly ----\n");
    }
    std::fs::write(&big, body).unwrap();
    let binary = dir.join("binary.ph");
    std::fs::write(&binary, [b'o', b'u', b't', 0xff, 0xfe]).unwrap();
    for (path, says) in [
        (&random, "it is a device; a patch must be a regular file"),
        (&fifo, "it is a FIFO; a patch must be a regular file"),
        (&dir, "it is a folder; a patch must be a regular file"),
        (&big, "larger than 8 MiB"),
        (&binary, "not UTF-8 text"),
    ] {
        let out = phonon(&["check", path.to_str().unwrap()]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {err}", path.display());
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("error: cannot read "), "{err}");
        assert!(err.contains(says), "{err}");
    }
}

#[test]
fn a_bad_or_busy_control_port_is_refused_before_anything_starts() {
    let path = patch("control.ph", "out: sine 440\n");
    let path = path.to_str().unwrap();
    let out = phonon(&["live", path, "--control", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("`nonsense` is not a port or an address:port"),
        "{}",
        text(&out.stderr)
    );
    let busy = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    for args in [
        vec!["live", path, "--control", &port],
        vec!["dirt", "--control", &port],
    ] {
        let out = phonon(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("cannot open the control port on UDP 127.0.0.1:")
                && stderr.contains("choose another --control"),
            "{stderr}"
        );
    }
}
