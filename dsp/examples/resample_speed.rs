//! Seconds to convert one megabyte of 16-bit mono audio (524,288 frames) from 48 kHz to 44.1 kHz.
//!
//! `cargo run --release -p dsp --example resample_speed`

fn main() {
    let input: Vec<f32> = (0..524_288)
        .map(|i| (i as f32 * 0.01).sin() * 0.5)
        .collect();
    let start = std::time::Instant::now();
    let out = dsp::samples::bank::resample(&input, 48_000, 44_100);
    let spent = start.elapsed();
    println!(
        "{} → {} frames in {:.3} s ({:.1} M frames/s)",
        input.len(),
        out.len(),
        spent.as_secs_f64(),
        out.len() as f64 / spent.as_secs_f64() / 1e6
    );
}
