//! Compile time (parse → Plan) of a 16-output patch, so a live reload is never held up by the
//! compiler.
//!
//! `cargo bench -p benches --bench compile`

use criterion::{criterion_group, criterion_main, Criterion};
use graph::diagnostic::Source;
use graph::{compile, plan, Registry};
use std::hint::black_box;

fn stress_patch() -> String {
    let mut text = String::from("cps: 0.5\n");
    for i in 1..=16 {
        text.push_str(&format!(
            "o{i}: jux rev $ stut 16 0.5 0.125 $ s \"bd*32\"\n"
        ));
    }
    text
}

fn compile_patch(c: &mut Criterion) {
    let registry = Registry::standard();
    let source = Source::new("stress.ph", stress_patch());
    c.bench_function("compile/stress_16_outputs", |b| {
        b.iter(|| {
            let compiled = compile(black_box(&source), &registry);
            let graph = compiled.graph.expect("the stress patch compiles");
            black_box(plan(&graph));
        })
    });
    let mixed = Source::new(
        "mixed.ph",
        "tempo: 0.5\n~lfo: sine 0.25 * 0.5 + 0.5\n~bass: saw \"55 82.5 c2\" # lpf (~lfo * 2000 + 500) 0.8\n\
         ~drums: every 3 (fast 2) $ s \"bd*2 [sn cp] hh(5,8)\" # gain \"1 0.8\"\n\
         ~echo: (~drums + ~echo # delay 0.375 0.6) * 0.5\nout: ~bass * 0.3 + ~drums + ~echo # reverb 0.5 0.5 0.2\n",
    );
    c.bench_function("compile/mixed_patch", |b| {
        b.iter(|| {
            let compiled = compile(black_box(&mixed), &registry);
            black_box(plan(&compiled.graph.expect("compiles")));
        })
    });
}

criterion_group!(benches, compile_patch);
criterion_main!(benches);
