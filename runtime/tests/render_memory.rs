//! A render's memory does not grow with its length: an hour of 16-frame blocks kept 16 bytes
//! of timing per block (162 MB). Alone in its binary, as it reads the process's live heap size.

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

mod common;
use common::*;
use runtime::render::run_offline;
use runtime::{Length, RenderSettings};

/// The most heap any thread held at the end of a block while rendering `seconds` of `graph` in
/// 16-frame blocks, over what was held before the render began.
fn peak_heap(graph: &graph::Graph, seconds: f64) -> i64 {
    let settings = RenderSettings {
        sample_rate: 48_000,
        block_size: 16,
        threads: 2,
        length: Length::Seconds(seconds),
        ..RenderSettings::default()
    };
    let before = alloc_counter::live_bytes();
    let mut peak = 0;
    let summary = run_offline(
        graph,
        bank(),
        &settings,
        Vec::new(),
        |_, _| {
            peak = peak.max(alloc_counter::live_bytes() - before);
            Ok::<(), std::convert::Infallible>(())
        },
        &mut |_, _| {},
    )
    .expect("render");
    assert_eq!(summary.block_times.count(), (seconds * 3_000.0) as u64);
    peak
}

#[test]
fn a_long_render_holds_no_more_memory_than_a_short_one() {
    let graph = compile("cps: 0.5\nout: sine 440 * 0.2 + s \"bd*4\" # gain 0.5");
    let short = peak_heap(&graph, 1.0);
    let long = peak_heap(&graph, 40.0);
    // 40 s is 120,000 blocks: 1.9 MB at 16 bytes a block.
    assert!(
        long - short < 64 * 1024,
        "1 s held {short} bytes, 40 s held {long}"
    );
}
