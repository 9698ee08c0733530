//! Musical scales, as Tidal's `scale` reads them: a degree becomes a note number, counting
//! whole octaves past the scale's length (`scale "major" "0 .. 7"` is c d e f g a b c').

/// Every scale `scale` knows: its name (Tidal's spelling) and its notes in semitones.
pub const SCALES: &[(&str, &[f64])] = &[
    ("major", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 11.0]),
    ("ionian", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 11.0]),
    ("minor", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("aeolian", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("dorian", &[0.0, 2.0, 3.0, 5.0, 7.0, 9.0, 10.0]),
    ("phrygian", &[0.0, 1.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("lydian", &[0.0, 2.0, 4.0, 6.0, 7.0, 9.0, 11.0]),
    ("mixolydian", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 10.0]),
    ("locrian", &[0.0, 1.0, 3.0, 5.0, 6.0, 8.0, 10.0]),
    ("majPent", &[0.0, 2.0, 4.0, 7.0, 9.0]),
    ("minPent", &[0.0, 3.0, 5.0, 7.0, 10.0]),
    ("harmonicMinor", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 11.0]),
    ("melodicMinor", &[0.0, 2.0, 3.0, 5.0, 7.0, 9.0, 11.0]),
    ("whole", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
    ("wholetone", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
    (
        "chromatic",
        &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
    ),
];

/// The notes of the scale called `name`.
pub fn scale_notes(name: &str) -> Option<&'static [f64]> {
    SCALES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// The note number of `degree` in `scale`: degrees wrap into higher and lower octaves, and a
/// fractional degree keeps its fraction (Tidal's `noteInScale` on a floored degree).
pub fn note_in_scale(scale: &[f64], degree: f64) -> f64 {
    if scale.is_empty() || !degree.is_finite() {
        return degree;
    }
    let len = scale.len() as i64;
    let whole = degree.floor() as i64;
    let octave = whole.div_euclid(len);
    scale[whole.rem_euclid(len) as usize] + 12.0 * octave as f64 + (degree - whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_wrap_into_octaves() {
        let major = scale_notes("major").unwrap();
        let notes: Vec<f64> = (-1..=8).map(|d| note_in_scale(major, d as f64)).collect();
        assert_eq!(
            notes,
            [-1.0, 0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 11.0, 12.0, 14.0]
        );
        assert_eq!(note_in_scale(scale_notes("minPent").unwrap(), 5.0), 12.0);
        assert!(scale_notes("nonesuch").is_none());
    }
}
