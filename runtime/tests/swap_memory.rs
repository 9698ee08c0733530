//! A thousand program swaps in a row lose no block and leak nothing. Alone in its binary, as it
//! reads the process's live heap size.

#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

mod common;
use common::*;

#[test]
fn a_thousand_swaps_lose_no_block_and_leak_nothing() {
    let (mut engine, mut controller) = engine(2, 256);
    let patches = [
        compile("cps: 0.5\nout: (s \"bd*4 sn\" # gain 0.5) + (saw \"c3 e3\" # lpf 900 0.6) * 0.2"),
        compile("cps: 0.5\nout: s \"bd*4 [sn cp]\" # gain 0.5 # delay 0.2 0.4 0.3"),
        compile(
            "cps: 0.5\n~a: sine 0.5 * 400 + 600\nout: saw 110 # lpf ~a 0.5 # reverb 0.5 0.5 0.2",
        ),
        compile("cps: 0.5\nout: jux rev $ s \"hh*8\" # gain 0.3"),
    ];
    let mut frames_done = 0u64;
    let mut next_report = 0u64;
    let mut swap =
        |i: usize, engine: &mut runtime::Engine, controller: &mut runtime::Controller| {
            let g = controller.load(&patches[i % patches.len()]).unwrap();
            loop {
                block(engine, 256);
                frames_done += 256;
                for report in controller.reports() {
                    assert_eq!(report.frame, next_report, "a block was lost");
                    assert_eq!(report.frames, 256);
                    assert_eq!(report.lost_reports, 0);
                    next_report += 256;
                }
                controller.collect();
                if engine.generation() == g && !engine.swapping() {
                    break;
                }
            }
            assert_eq!(engine.frame(), frames_done);
        };
    for i in 0..20 {
        swap(i, &mut engine, &mut controller);
    }
    let before = alloc_counter::live_bytes();
    for i in 20..1020 {
        swap(i, &mut engine, &mut controller);
    }
    // The programs retired by the last swaps have been collected, like every other.
    let after = alloc_counter::live_bytes();
    assert!(
        (after - before).abs() < 64 * 1024,
        "live memory moved by {} bytes over 1,000 swaps",
        after - before
    );
}
