//! A 32-bit float WAV file written as it grows. Its header is brought up to date every time
//! [`FloatWav::sync`] runs, so a process killed mid-recording leaves a file that plays up to
//! the last sync. Silence can be skipped rather than written: it becomes a hole in the file,
//! which reads as zeros (0.0 is all zero bytes) and costs no disk.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Bytes before the samples: RIFF, an 18-byte `fmt ` chunk, a `fact` chunk and the `data`
/// chunk's header.
const HEADER: u64 = 58;
/// Where the three sizes the header carries live.
const RIFF_SIZE_AT: u64 = 4;
const FACT_FRAMES_AT: u64 = 46;
const DATA_SIZE_AT: u64 = 54;
/// Samples buffered before a write.
const BUFFER_BYTES: usize = 256 * 1024;
/// WAVE_FORMAT_IEEE_FLOAT.
const FORMAT_FLOAT: u16 = 3;

/// A float WAV file being written.
pub struct FloatWav {
    file: File,
    path: PathBuf,
    channels: u16,
    /// Frames in the file so far, holes and buffered samples included.
    frames: u64,
    /// Bytes of samples past the header that are on disk or are holes.
    stored: u64,
    /// Interleaved samples not yet written.
    buffer: Vec<u8>,
}

impl FloatWav {
    /// Creates `path` (which must not exist) for `channels` channels at `sample_rate`.
    pub fn create(path: &Path, channels: u16, sample_rate: u32) -> io::Result<FloatWav> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)?;
        let wav = FloatWav {
            file,
            path: path.to_path_buf(),
            channels,
            frames: 0,
            stored: 0,
            buffer: Vec::with_capacity(BUFFER_BYTES + 64 * 1024),
        };
        wav.file.write_all_at(&header(channels, sample_rate), 0)?;
        Ok(wav)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Frames written (or skipped) so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Frames that still fit below WAV's 4 GiB limit.
    pub fn room(&self) -> u64 {
        (u64::from(u32::MAX) - HEADER) / self.frame_bytes() - self.frames
    }

    fn frame_bytes(&self) -> u64 {
        4 * u64::from(self.channels)
    }

    /// Appends `frames` frames, one slice per channel (a slice shorter than `frames` is padded
    /// with silence).
    pub fn write(&mut self, channels: &[&[f32]], frames: usize) -> io::Result<()> {
        for i in 0..frames {
            for c in 0..usize::from(self.channels) {
                let x = channels.get(c).and_then(|s| s.get(i)).copied();
                self.buffer
                    .extend_from_slice(&x.unwrap_or(0.0).to_le_bytes());
            }
        }
        self.frames += frames as u64;
        if self.buffer.len() >= BUFFER_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Appends `frames` frames of silence as a hole.
    pub fn skip(&mut self, frames: u64) -> io::Result<()> {
        self.flush()?;
        self.frames += frames;
        self.stored += frames * self.frame_bytes();
        Ok(())
    }

    /// Writes the buffered samples.
    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let result = self.file.write_all_at(&self.buffer, HEADER + self.stored);
        // Counted as stored even on failure: the file's later samples keep their places.
        self.stored += self.buffer.len() as u64;
        self.buffer.clear();
        result
    }

    /// Writes what is buffered and brings the header up to date: the file plays up to here
    /// even if the process is killed.
    pub fn sync(&mut self) -> io::Result<()> {
        self.flush()?;
        let end = HEADER + self.stored;
        if self.file.metadata()?.len() < end {
            // A hole at the end is only part of the file once its length says so.
            self.file.set_len(end)?;
        }
        let data = u32::try_from(self.stored).unwrap_or(u32::MAX);
        let riff = u32::try_from(HEADER - 8 + self.stored).unwrap_or(u32::MAX);
        let frames = u32::try_from(self.frames).unwrap_or(u32::MAX);
        self.file.write_all_at(&riff.to_le_bytes(), RIFF_SIZE_AT)?;
        self.file
            .write_all_at(&frames.to_le_bytes(), FACT_FRAMES_AT)?;
        self.file.write_all_at(&data.to_le_bytes(), DATA_SIZE_AT)
    }

    /// Syncs and closes the file, making sure it reached the disk.
    pub fn finish(mut self) -> io::Result<PathBuf> {
        self.sync()?;
        self.file.sync_all()?;
        Ok(self.path)
    }
}

/// The header of an empty float WAV file.
fn header(channels: u16, sample_rate: u32) -> Vec<u8> {
    let block_align = 4 * channels;
    let mut h = Vec::with_capacity(HEADER as usize);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&((HEADER - 8) as u32).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&18u32.to_le_bytes());
    h.extend_from_slice(&FORMAT_FLOAT.to_le_bytes());
    h.extend_from_slice(&channels.to_le_bytes());
    h.extend_from_slice(&sample_rate.to_le_bytes());
    h.extend_from_slice(&(sample_rate * u32::from(block_align)).to_le_bytes());
    h.extend_from_slice(&block_align.to_le_bytes());
    h.extend_from_slice(&32u16.to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes());
    h.extend_from_slice(b"fact");
    h.extend_from_slice(&4u32.to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&0u32.to_le_bytes());
    debug_assert_eq!(h.len() as u64, HEADER);
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("phonon-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let _ = std::fs::remove_file(&path);
        path
    }

    fn read(path: &Path) -> (hound::WavSpec, Vec<f32>) {
        let mut reader = hound::WavReader::open(path).expect("a readable WAV");
        let spec = reader.spec();
        let samples = reader.samples::<f32>().map(Result::unwrap).collect();
        (spec, samples)
    }

    #[test]
    fn samples_and_holes_read_back_as_written() {
        let path = temp("holes.wav");
        let mut wav = FloatWav::create(&path, 2, 48_000).unwrap();
        wav.write(&[&[0.5, -0.25], &[1.0]], 2).unwrap();
        wav.skip(3).unwrap();
        wav.write(&[&[0.125], &[-1.0]], 1).unwrap();
        assert_eq!(wav.frames(), 6);
        wav.finish().unwrap();
        let (spec, samples) = read(&path);
        assert_eq!(spec.channels, 2);
        assert_eq!(spec.sample_rate, 48_000);
        assert_eq!(spec.bits_per_sample, 32);
        assert_eq!(spec.sample_format, hound::SampleFormat::Float);
        let mut expected = vec![0.5, 1.0, -0.25, 0.0];
        expected.extend([0.0; 6]);
        expected.extend([0.125, -1.0]);
        assert_eq!(samples, expected);
    }

    #[test]
    fn a_file_left_unfinished_plays_up_to_its_last_sync() {
        let path = temp("killed.wav");
        let mut wav = FloatWav::create(&path, 2, 44_100).unwrap();
        let ramp: Vec<f32> = (0..1000).map(|i| i as f32 / 1000.0).collect();
        wav.write(&[&ramp, &ramp], 1000).unwrap();
        wav.sync().unwrap();
        wav.write(&[&ramp, &ramp], 1000).unwrap();
        // The process dies here: no finish, no drop-time sync.
        std::mem::forget(wav);
        let (_, samples) = read(&path);
        assert_eq!(samples.len(), 2000, "the frames synced, not those after");
        assert_eq!(samples[2 * 999], 0.999);
    }

    #[test]
    fn a_trailing_hole_is_part_of_the_file() {
        let path = temp("trailing.wav");
        let mut wav = FloatWav::create(&path, 2, 48_000).unwrap();
        wav.write(&[&[1.0], &[1.0]], 1).unwrap();
        wav.skip(48_000).unwrap();
        wav.finish().unwrap();
        let (_, samples) = read(&path);
        assert_eq!(samples.len(), 2 * 48_001);
        assert!(samples[2..].iter().all(|&x| x == 0.0));
    }

    #[test]
    fn room_is_what_fits_below_four_gibibytes() {
        let path = temp("room.wav");
        let wav = FloatWav::create(&path, 2, 48_000).unwrap();
        assert_eq!(wav.room(), (u64::from(u32::MAX) - HEADER) / 8);
    }

    #[test]
    fn a_full_device_is_an_error_not_a_panic() {
        let Ok(file) = OpenOptions::new().write(true).read(true).open("/dev/full") else {
            return;
        };
        let mut wav = FloatWav {
            file,
            path: "/dev/full".into(),
            channels: 2,
            frames: 0,
            stored: 0,
            buffer: Vec::new(),
        };
        wav.write(&[&[0.5; 64], &[0.5; 64]], 64).unwrap();
        assert!(wav.sync().is_err());
    }
}
