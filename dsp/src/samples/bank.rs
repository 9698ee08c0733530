//! The sample bank: sounds by name, each a list of samples in file-name order (the Dirt-Samples
//! layout, `bd/*.wav`), resampled to the engine's rate when loaded, plus a built-in kit
//! synthesised in code so a fresh install makes sound with no download.

use std::collections::{HashMap, HashSet};
use std::f32::consts::TAU;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::samples::resample::resample;

/// One sample: one or two channels of audio at the bank's rate.
#[derive(Debug, PartialEq)]
pub struct Sample {
    /// The channels (one for mono, two for stereo), all the same length.
    pub channels: Vec<Box<[f32]>>,
}

impl Sample {
    /// Frames in the sample.
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, |c| c.len())
    }

    /// Channel `channel` (mono samples answer for both) at frame `i`, or silence outside.
    #[inline]
    pub fn at(&self, channel: usize, i: usize) -> f32 {
        let c = &self.channels[channel.min(self.channels.len() - 1)];
        c.get(i).copied().unwrap_or(0.0)
    }
}

/// A problem met while loading samples: reported, never fatal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadWarning {
    /// The file or folder concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

/// Sounds by name.
pub struct SampleBank {
    sample_rate: u32,
    sounds: HashMap<String, Vec<Arc<Sample>>>,
    /// Sounds whose folder has been read.
    from_files: HashSet<String>,
}

/// Where each sound's files are: the sample folders listed (`bd/*.wav`), no audio read. Earlier
/// folders win a name; files are in name order (`bd:3` is the fourth).
#[derive(Clone, Debug, Default)]
pub struct SampleIndex {
    files: HashMap<String, Vec<PathBuf>>,
}

impl SampleIndex {
    /// Lists every `sound/*.wav` under each folder of `dirs` that exists.
    pub fn scan(dirs: &[PathBuf]) -> (SampleIndex, Vec<LoadWarning>) {
        let mut index = SampleIndex::default();
        let mut warnings = Vec::new();
        for dir in dirs.iter().rev().filter(|d| d.is_dir()) {
            index.scan_dir(dir, &mut warnings);
        }
        (index, warnings)
    }

    fn scan_dir(&mut self, dir: &Path, warnings: &mut Vec<LoadWarning>) {
        let warn = |warnings: &mut Vec<LoadWarning>, path: &Path, message: String| {
            warnings.push(LoadWarning {
                path: path.to_path_buf(),
                message,
            })
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => return warn(warnings, dir, format!("cannot read the folder: {e}")),
        };
        let folders: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        for folder in folders {
            let Some(name) = folder
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            let mut files: Vec<PathBuf> = match std::fs::read_dir(&folder) {
                Ok(e) => e
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| {
                        p.extension()
                            .and_then(|x| x.to_str())
                            .is_some_and(|x| x.eq_ignore_ascii_case("wav"))
                    })
                    .collect(),
                Err(e) => {
                    warn(warnings, &folder, format!("cannot read the folder: {e}"));
                    continue;
                }
            };
            files.sort();
            if !files.is_empty() {
                self.files.insert(name, files);
            }
        }
    }

    /// Every sound name found.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// True if a folder holds `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }
}

impl SampleBank {
    /// An empty bank at `sample_rate`.
    pub fn new(sample_rate: u32) -> SampleBank {
        SampleBank {
            sample_rate,
            sounds: HashMap::new(),
            from_files: HashSet::new(),
        }
    }

    /// The folders to search, in order: `--samples`, `PHONON_SAMPLES`, then
    /// `$XDG_DATA_HOME/phonon/samples` (or `~/.local/share/phonon/samples`).
    pub fn search_path(cli: Option<&Path>) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = cli.map(Path::to_path_buf).into_iter().collect();
        if let Some(env) = std::env::var_os("PHONON_SAMPLES") {
            dirs.push(PathBuf::from(env));
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
        if let Some(data) = data {
            dirs.push(data.join("phonon/samples"));
        }
        dirs
    }

    /// The built-in kit, then every sound of every folder of `dirs` that exists (earlier
    /// folders win a name), all loaded now. [`SampleIndex`] and [`SampleBank::with_sounds`] load
    /// only the sounds a patch uses.
    pub fn load(dirs: &[PathBuf], sample_rate: u32) -> (SampleBank, Vec<LoadWarning>) {
        let (index, mut warnings) = SampleIndex::scan(dirs);
        let names: Vec<String> = index.names().map(str::to_string).collect();
        let bank = SampleBank::builtin(sample_rate).with_sounds(&index, &names, &mut warnings);
        (bank, warnings)
    }

    /// This bank plus the sounds of `names` that `index` has and this bank has not loaded from
    /// it yet (a folder replaces a built-in sound of the same name). Loaded samples are shared,
    /// not copied. Reads and resamples files: call off the audio and control threads.
    pub fn with_sounds(
        &self,
        index: &SampleIndex,
        names: &[String],
        warnings: &mut Vec<LoadWarning>,
    ) -> SampleBank {
        let mut bank = SampleBank {
            sample_rate: self.sample_rate,
            sounds: self.sounds.clone(),
            from_files: self.from_files.clone(),
        };
        for name in names {
            if bank.from_files.contains(name) {
                continue;
            }
            let Some(files) = index.files.get(name) else {
                continue;
            };
            let mut samples = Vec::with_capacity(files.len());
            for file in files {
                match read_wav(file, self.sample_rate) {
                    Ok(sample) => samples.push(Arc::new(sample)),
                    Err(message) => warnings.push(LoadWarning {
                        path: file.clone(),
                        message,
                    }),
                }
            }
            bank.from_files.insert(name.clone());
            if !samples.is_empty() {
                bank.sounds.insert(name.clone(), samples);
            }
        }
        bank
    }

    /// True if `name` is loaded (built in, or read from its folder).
    pub fn has(&self, name: &str) -> bool {
        self.sounds.contains_key(name)
    }

    /// True if `name`'s folder has been read into this bank (or found empty).
    pub fn has_loaded(&self, name: &str) -> bool {
        self.from_files.contains(name)
    }

    /// Sample `n` of a sound, wrapping around its count (`bd:3` is the fourth).
    pub fn get(&self, name: &str, n: i64) -> Option<&Arc<Sample>> {
        let samples = self.sounds.get(name)?;
        samples.get(n.rem_euclid(samples.len() as i64) as usize)
    }

    /// How many samples sound `name` has (0 if none).
    pub fn count(&self, name: &str) -> usize {
        self.sounds.get(name).map_or(0, Vec::len)
    }

    /// Every sound name.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sounds.keys().map(String::as_str)
    }

    /// The bank's sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Adds a sound (for tests and synthesised kits).
    pub fn insert(&mut self, name: &str, samples: Vec<Sample>) {
        self.sounds.insert(
            name.to_string(),
            samples.into_iter().map(Arc::new).collect(),
        );
    }

    /// The built-in kit's sound names.
    pub const BUILTIN: [&'static str; 10] = [
        "bd", "sn", "hh", "oh", "cp", "rim", "tom", "808bd", "808", "perc",
    ];

    /// The built-in kit: bd, sn, hh, oh, cp, rim, tom, 808bd (also 808), perc, synthesised.
    pub fn builtin(sample_rate: u32) -> SampleBank {
        let mut bank = SampleBank::new(sample_rate);
        let sr = sample_rate as f32;
        let kit: [(&str, Synthesise); 9] = [
            ("bd", kick),
            ("sn", snare),
            ("hh", closed_hat),
            ("oh", open_hat),
            ("cp", clap),
            ("rim", rim),
            ("tom", tom),
            ("808bd", kick_808),
            ("perc", perc),
        ];
        for (name, make) in kit {
            let sample = Sample {
                channels: vec![make(sr).into_boxed_slice()],
            };
            bank.sounds.insert(name.to_string(), vec![Arc::new(sample)]);
        }
        if let Some(kick) = bank.sounds.get("808bd").cloned() {
            bank.sounds.insert("808".to_string(), kick);
        }
        bank
    }
}

/// The longest sample loaded, in seconds: a longer file is skipped with a warning (a bank of
/// drum hits and loops should not take minutes or gigabytes to load).
pub const MAX_SAMPLE_SECONDS: u32 = 600;

/// Reads a WAV file (8/16/24/32-bit integer or 32-bit float, mono or stereo; more channels keep
/// the first two) and resamples it to `rate`. A header that cannot be true (a rate outside
/// 1 kHz–768 kHz, more data than the file holds) or a file longer than [`MAX_SAMPLE_SECONDS`]
/// is refused before any audio is read.
pub fn read_wav(path: &Path, rate: u32) -> Result<Sample, String> {
    let mut reader =
        hound::WavReader::open(path).map_err(|e| format!("not a readable WAV file: {e}"))?;
    let spec = reader.spec();
    if !(1_000..=768_000).contains(&spec.sample_rate) {
        return Err(format!(
            "its header says {} Hz, which no audio file uses (1 kHz to 768 kHz): skipped",
            spec.sample_rate
        ));
    }
    let channels = usize::from(spec.channels.max(1));
    let frames = u64::from(reader.duration());
    let bytes_needed = u64::from(reader.len()) * u64::from(spec.bits_per_sample.div_ceil(8));
    let file_bytes = std::fs::metadata(path).map_or(u64::MAX, |m| m.len());
    if bytes_needed > file_bytes {
        return Err(format!(
            "its header promises {frames} frames, more than the file's {file_bytes} bytes hold: skipped"
        ));
    }
    if frames > u64::from(MAX_SAMPLE_SECONDS) * u64::from(spec.sample_rate) {
        return Err(format!(
            "{:.0} s long, past the {MAX_SAMPLE_SECONDS} s a sample may last: skipped (split it, or play it from a DAW)",
            frames as f64 / f64::from(spec.sample_rate)
        ));
    }
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().collect::<Result<_, _>>(),
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1i64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
        }
    }
    .map_err(|e| format!("corrupt WAV data: {e}"))?;
    if samples.is_empty() {
        return Err("the file holds no audio".into());
    }
    let kept = channels.min(2);
    let planar: Vec<Vec<f32>> = (0..kept)
        .map(|c| samples.iter().skip(c).step_by(channels).copied().collect())
        .collect();
    Ok(Sample {
        channels: planar
            .into_iter()
            .map(|c| resample(&c, spec.sample_rate, rate).into_boxed_slice())
            .collect(),
    })
}

/// Makes one kit sound at a sample rate.
type Synthesise = fn(f32) -> Vec<f32>;

/// A deterministic noise source for the kit.
fn noise(seed: u32) -> impl FnMut() -> f32 {
    let mut state = seed.max(1);
    move || crate::xorshift_noise(&mut state)
}

fn frames(sr: f32, seconds: f32) -> usize {
    (sr * seconds) as usize
}

/// A sine sweeping from `f0` to `f1` with an exponential decay.
fn swept(sr: f32, seconds: f32, f0: f32, f1: f32, sweep: f32, decay: f32) -> Vec<f32> {
    let mut phase = 0.0f32;
    (0..frames(sr, seconds))
        .map(|i| {
            let t = i as f32 / sr;
            let f = f1 + (f0 - f1) * (-t / sweep).exp();
            phase = (phase + f / sr).fract();
            (phase * TAU).sin() * (-t / decay).exp()
        })
        .collect()
}

fn kick(sr: f32) -> Vec<f32> {
    swept(sr, 0.5, 160.0, 48.0, 0.03, 0.12)
}

fn kick_808(sr: f32) -> Vec<f32> {
    swept(sr, 1.2, 90.0, 45.0, 0.05, 0.4)
}

fn tom(sr: f32) -> Vec<f32> {
    swept(sr, 0.5, 220.0, 120.0, 0.08, 0.15)
}

/// Noise through a one-pole high-pass, with an exponential decay.
fn hiss(sr: f32, seconds: f32, decay: f32, seed: u32, gain: f32) -> Vec<f32> {
    let mut n = noise(seed);
    let mut previous = 0.0;
    (0..frames(sr, seconds))
        .map(|i| {
            let x = n();
            let y = x - previous;
            previous = x;
            y * 0.5 * gain * (-(i as f32 / sr) / decay).exp()
        })
        .collect()
}

fn closed_hat(sr: f32) -> Vec<f32> {
    hiss(sr, 0.12, 0.025, 7, 0.8)
}

fn open_hat(sr: f32) -> Vec<f32> {
    hiss(sr, 0.6, 0.2, 11, 0.7)
}

fn snare(sr: f32) -> Vec<f32> {
    let body = swept(sr, 0.3, 240.0, 180.0, 0.02, 0.06);
    let mut n = noise(3);
    body.iter()
        .enumerate()
        .map(|(i, b)| 0.45 * b + 0.5 * n() * (-(i as f32 / sr) / 0.08).exp())
        .collect()
}

fn clap(sr: f32) -> Vec<f32> {
    let mut n = noise(5);
    (0..frames(sr, 0.4))
        .map(|i| {
            let t = i as f32 / sr;
            // Three quick bursts, then the tail.
            let burst = [0.0, 0.012, 0.024]
                .iter()
                .map(|&s| {
                    if t >= s {
                        (-(t - s) / 0.006).exp()
                    } else {
                        0.0
                    }
                })
                .fold(0.0f32, f32::max);
            n() * 0.7 * burst.max(0.4 * (-t / 0.1).exp() * f32::from(u8::from(t > 0.024)))
        })
        .collect()
}

fn rim(sr: f32) -> Vec<f32> {
    let tone = swept(sr, 0.08, 1700.0, 1700.0, 1.0, 0.012);
    let click = hiss(sr, 0.08, 0.004, 13, 1.0);
    tone.iter()
        .zip(click)
        .map(|(a, b)| 0.6 * a + 0.4 * b)
        .collect()
}

fn perc(sr: f32) -> Vec<f32> {
    swept(sr, 0.25, 900.0, 600.0, 0.01, 0.05)
}
