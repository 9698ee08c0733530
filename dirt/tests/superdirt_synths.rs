//! SuperDirt's synths with reverbs inside (`supergrind`, `superprimes`, `superwavemechanics`),
//! its drum skin (`superhex`) and the synths of its own `default-synths.scd` (`imp`, `psin`,
//! `pmsin`, `gabor`, `dirac`, `cyclo`), against what the real SuperDirt played.

mod common;

use common::*;
use dirt::Control;
use rustfft::num_complex::Complex32;
use rustfft::FftPlanner;
use std::f32::consts::TAU;

/// The strongest frequency of `x` between `lo` and `hi` Hz: the peak of a four-times
/// zero-padded FFT under a Hann window.
fn strongest(x: &[f32], lo: f32, hi: f32) -> f32 {
    let n = (4 * x.len()).next_power_of_two();
    let mut bins: Vec<Complex32> = (0..n)
        .map(|i| {
            let hann = |i: usize| 0.5 - 0.5 * (TAU * i as f32 / x.len() as f32).cos();
            Complex32::new(x.get(i).map_or(0.0, |&v| v * hann(i)), 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut bins);
    let width = RATE as f32 / n as f32;
    let peak = ((lo / width) as usize..(hi / width) as usize)
        .max_by(|&a, &b| bins[a].norm().total_cmp(&bins[b].norm()))
        .unwrap();
    peak as f32 * width
}

fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
}

/// How bright: the RMS of the first difference over the RMS.
fn brightness(x: &[f32]) -> f32 {
    let diff: Vec<f32> = x.windows(2).map(|w| w[1] - w[0]).collect();
    rms(&diff) / rms(x)
}

struct Heard {
    length: f32,
    peak: f32,
    rms: [f32; 2],
    pitch: f32,
    brightness: f32,
}

fn play(sound: &str, note: f64, sustain: f64, more: &[(Control, f64)]) -> Heard {
    let (mut engine, mut sender, _, table) = engine(1, 1);
    let mut controls = vec![(Control::N, note), (Control::Sustain, sustain)];
    controls.extend_from_slice(more);
    sender.send(event(&table, sound, 0, 0, &controls));
    let out = render(&mut engine, (RATE as f64 * (sustain + 0.5)) as usize, 256);
    let (l, r) = (&out[2], &out[3]);
    let loud: Vec<usize> = (0..l.len())
        .filter(|&i| l[i].abs().max(r[i].abs()) > 1e-3)
        .collect();
    let (first, last) = (loud[0], *loud.last().unwrap());
    let mid: Vec<f32> = (first..=last).map(|i| 0.5 * (l[i] + r[i])).collect();
    Heard {
        length: (last - first + 1) as f32 / RATE as f32,
        peak: l[first..=last]
            .iter()
            .chain(&r[first..=last])
            .fold(0.0, |m, x| m.max(x.abs())),
        rms: [rms(&l[first..=last]), rms(&r[first..=last])],
        // (A sound of a few frames has none.)
        pitch: if mid.len() < 256 {
            0.0
        } else {
            strongest(&mid[..mid.len().min(RATE as usize / 2)], 100.0, 4_000.0)
        },
        brightness: brightness(&mid),
    }
}

/// What the real SuperDirt played: SuperDirt (HEAD of 2026) on SuperCollider 3.13 with
/// sc3-plugins, 48 kHz on a dummy jackd, one event at a time on orbit 0 captured from JACK, four
/// runs each. Figures from the first to the last frame over 1e-3: length in seconds, peak, RMS
/// (ranges over the runs where they differ), the strongest partial between 100 Hz and 4 kHz,
/// and brightness. `superwavemechanics` draws its resonances at random, so its partial is one
/// of those it can draw.
struct SuperDirts {
    sound: &'static str,
    note: f64,
    sustain: f64,
    /// Other controls of the event.
    more: &'static [(Control, f64)],
    length: f32,
    peak: [f32; 2],
    rms: [f32; 2],
    pitch: Option<f32>,
    /// Not taken for the synths of `default-synths.scd`.
    brightness: Option<[f32; 2]>,
}

const SUPERDIRTS: [SuperDirts; 14] = [
    SuperDirts {
        sound: "superhex",
        note: 0.0,
        sustain: 1.0,
        more: &[],
        length: 0.997,
        peak: [1.0, 1.0],
        rms: [0.3266, 0.3281],
        pitch: Some(283.5),
        brightness: Some([0.064, 0.085]),
    },
    SuperDirts {
        sound: "supergrind",
        note: 0.0,
        sustain: 2.0,
        more: &[],
        length: 1.994,
        peak: [0.234, 0.234],
        rms: [0.0650, 0.0650],
        pitch: Some(267.5),
        brightness: Some([0.661, 0.661]),
    },
    SuperDirts {
        sound: "supergrind",
        note: 12.0,
        sustain: 2.0,
        more: &[],
        length: 1.996,
        peak: [0.232, 0.232],
        rms: [0.0681, 0.0681],
        pitch: Some(526.5),
        brightness: Some([0.883, 0.883]),
    },
    SuperDirts {
        sound: "superprimes",
        note: 0.0,
        sustain: 2.0,
        more: &[],
        length: 1.990,
        peak: [0.251, 0.258],
        rms: [0.0687, 0.0693],
        pitch: None,
        brightness: Some([0.101, 0.103]),
    },
    SuperDirts {
        sound: "superprimes",
        note: 12.0,
        sustain: 2.0,
        more: &[],
        length: 1.992,
        peak: [0.226, 0.238],
        rms: [0.0612, 0.0626],
        pitch: None,
        brightness: Some([0.204, 0.212]),
    },
    SuperDirts {
        sound: "superwavemechanics",
        note: 0.0,
        sustain: 2.0,
        more: &[],
        length: 1.905,
        peak: [0.260, 0.414],
        rms: [0.0428, 0.0682],
        pitch: None,
        brightness: Some([0.113, 0.158]),
    },
    SuperDirts {
        sound: "superwavemechanics",
        note: 12.0,
        sustain: 2.0,
        more: &[],
        length: 1.915,
        peak: [0.304, 0.455],
        rms: [0.0423, 0.0785],
        pitch: None,
        brightness: Some([0.175, 0.313]),
    },
    // SuperDirt's `default-synths.scd`, two runs each, alike. `imp` draws how many harmonics
    // it reaches, so its strongest partial is not compared.
    SuperDirts {
        sound: "imp",
        note: 0.0,
        sustain: 0.5,
        more: &[],
        length: 0.4967,
        peak: [0.685, 0.685],
        rms: [0.0748, 0.0748],
        pitch: None,
        brightness: None,
    },
    SuperDirts {
        sound: "psin",
        note: 0.0,
        sustain: 0.5,
        more: &[],
        length: 0.4994,
        peak: [1.0, 1.0],
        rms: [0.2888, 0.2894],
        pitch: Some(261.8),
        brightness: None,
    },
    SuperDirts {
        sound: "pmsin",
        note: 0.0,
        sustain: 0.5,
        more: &[],
        length: 0.4995,
        peak: [1.0, 1.0],
        rms: [0.3201, 0.3202],
        pitch: Some(290.8),
        brightness: None,
    },
    SuperDirts {
        sound: "gabor",
        note: 0.0,
        sustain: 0.1,
        more: &[],
        length: 0.0924,
        peak: [0.2828, 0.2828],
        rms: [0.1066, 0.1066],
        pitch: Some(262.5),
        brightness: None,
    },
    SuperDirts {
        sound: "cyclo",
        note: 0.0,
        sustain: 0.5,
        more: &[(Control::Cycle, 0.0)],
        length: 0.4956,
        peak: [0.2825, 0.2825],
        rms: [0.1020, 0.1020],
        pitch: Some(261.8),
        brightness: None,
    },
    SuperDirts {
        sound: "cyclo",
        note: 0.0,
        sustain: 0.5,
        more: &[(Control::Cycle, 5.5)],
        length: 0.4958,
        peak: [0.2404, 0.2404],
        rms: [0.0727, 0.0727],
        pitch: Some(1700.5),
        brightness: None,
    },
    SuperDirts {
        sound: "dirac",
        note: 0.0,
        sustain: 0.1,
        more: &[],
        length: 1.0 / 48_000.0,
        peak: [0.2828, 0.2828],
        rms: [0.2828, 0.2828],
        pitch: None,
        brightness: None,
    },
];

fn within(x: f32, [lo, hi]: [f32; 2], below: f32, above: f32) -> bool {
    (lo * below..=hi * above).contains(&x)
}

/// Each plays as SuperDirt's did: its length within 20 ms; its RMS within 1.5 dB of SuperDirt's
/// range; its peak within 20% of it; the deterministic ones' strongest partial within 1% and
/// their brightness within 10%. `superhex` is limited by the orbit's limiter as SuperDirt's is
/// by its own, so its brightness may differ by half; `superwavemechanics`' limiter follows
/// peaks where SuperCollider's `Limiter` looks ahead, so it may be darker by up to half.
#[test]
fn they_sound_as_superdirts_did() {
    let db = 10f32.powf(1.5 / 20.0);
    for s in SUPERDIRTS {
        let what = format!("{} n {} {:?}", s.sound, s.note, s.more);
        let heard = play(s.sound, s.note, s.sustain, s.more);
        assert!(
            (heard.length - s.length).abs() < 0.02,
            "{what}: {} s",
            heard.length
        );
        let rms = (0.5 * (heard.rms[0].powi(2) + heard.rms[1].powi(2))).sqrt();
        assert!(within(rms, s.rms, 1.0 / db, db), "{what}: RMS {rms}");
        assert!(
            within(heard.peak, s.peak, 0.8, 1.2),
            "{what}: peak {}",
            heard.peak
        );
        let loose = if s.sound == "supergrind" || s.sound == "superprimes" {
            [0.9, 1.1]
        } else {
            [0.5, 1.5]
        };
        if let Some(bright) = s.brightness {
            assert!(
                within(heard.brightness, bright, loose[0], loose[1]),
                "{what}: brightness {}",
                heard.brightness
            );
        }
        let partials: Vec<f32> = match (s.pitch, s.sound) {
            (Some(f), _) => vec![f],
            (None, "imp" | "dirac") => continue,
            // Its partials: half the note times 1 to 9.
            (None, "superprimes") => (1..=9)
                .map(|k| 261.63 * (s.note as f32 / 12.0).exp2() * k as f32 / 2.0)
                .collect(),
            // The note times 3/8, 5/8, 1 or 9/8, times 1.5, 1.75, 3.25, 3.5, 4.75 or 5.
            _ => [0.375, 0.625, 1.0, 1.125]
                .iter()
                .flat_map(|r| {
                    [1.5, 1.75, 3.25, 3.5, 4.75, 5.0]
                        .map(|d| 261.63 * (s.note as f32 / 12.0).exp2() * r * d)
                })
                .collect(),
        };
        assert!(
            partials
                .iter()
                .any(|f| (heard.pitch / f - 1.0).abs() < 0.01),
            "{what}: strongest partial {} Hz, not one of {partials:?}",
            heard.pitch
        );
    }
}
