//! Musical scales, as Tidal's `scale` reads them: a degree becomes a note number, counting
//! whole octaves past the scale's length (`scale "major" "0 .. 7"` is c d e f g a b c').

/// Every scale `scale` knows, as Tidal 1.7's `scaleTable` has them: its name and its notes in
/// semitones.
pub const SCALES: &[(&str, &[f64])] = &[
    ("minPent", &[0.0, 3.0, 5.0, 7.0, 10.0]),
    ("majPent", &[0.0, 2.0, 4.0, 7.0, 9.0]),
    ("ritusen", &[0.0, 2.0, 5.0, 7.0, 9.0]),
    ("egyptian", &[0.0, 2.0, 5.0, 7.0, 10.0]),
    ("kumai", &[0.0, 2.0, 3.0, 7.0, 9.0]),
    ("hirajoshi", &[0.0, 2.0, 3.0, 7.0, 8.0]),
    ("iwato", &[0.0, 1.0, 5.0, 6.0, 10.0]),
    ("chinese", &[0.0, 4.0, 6.0, 7.0, 11.0]),
    ("indian", &[0.0, 4.0, 5.0, 7.0, 10.0]),
    ("pelog", &[0.0, 1.0, 3.0, 7.0, 8.0]),
    ("prometheus", &[0.0, 2.0, 4.0, 6.0, 11.0]),
    ("scriabin", &[0.0, 1.0, 4.0, 7.0, 9.0]),
    ("gong", &[0.0, 2.0, 4.0, 7.0, 9.0]),
    ("shang", &[0.0, 2.0, 5.0, 7.0, 10.0]),
    ("jiao", &[0.0, 3.0, 5.0, 8.0, 10.0]),
    ("zhi", &[0.0, 2.0, 5.0, 7.0, 9.0]),
    ("yu", &[0.0, 3.0, 5.0, 7.0, 10.0]),
    ("whole", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
    ("wholetone", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
    ("augmented", &[0.0, 3.0, 4.0, 7.0, 8.0, 11.0]),
    ("augmented2", &[0.0, 1.0, 4.0, 5.0, 8.0, 9.0]),
    ("hexMajor7", &[0.0, 2.0, 4.0, 7.0, 9.0, 11.0]),
    ("hexDorian", &[0.0, 2.0, 3.0, 5.0, 7.0, 10.0]),
    ("hexPhrygian", &[0.0, 1.0, 3.0, 5.0, 8.0, 10.0]),
    ("hexSus", &[0.0, 2.0, 5.0, 7.0, 9.0, 10.0]),
    ("hexMajor6", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0]),
    ("hexAeolian", &[0.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("major", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 11.0]),
    ("ionian", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 11.0]),
    ("dorian", &[0.0, 2.0, 3.0, 5.0, 7.0, 9.0, 10.0]),
    ("phrygian", &[0.0, 1.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("lydian", &[0.0, 2.0, 4.0, 6.0, 7.0, 9.0, 11.0]),
    ("mixolydian", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 10.0]),
    ("aeolian", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("minor", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("locrian", &[0.0, 1.0, 3.0, 5.0, 6.0, 8.0, 10.0]),
    ("harmonicMinor", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 11.0]),
    ("harmonicMajor", &[0.0, 2.0, 4.0, 5.0, 7.0, 8.0, 11.0]),
    ("melodicMinor", &[0.0, 2.0, 3.0, 5.0, 7.0, 9.0, 11.0]),
    ("melodicMinorDesc", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("melodicMajor", &[0.0, 2.0, 4.0, 5.0, 7.0, 8.0, 10.0]),
    ("bartok", &[0.0, 2.0, 4.0, 5.0, 7.0, 8.0, 10.0]),
    ("hindu", &[0.0, 2.0, 4.0, 5.0, 7.0, 8.0, 10.0]),
    ("todi", &[0.0, 1.0, 3.0, 6.0, 7.0, 8.0, 11.0]),
    ("purvi", &[0.0, 1.0, 4.0, 6.0, 7.0, 8.0, 11.0]),
    ("marva", &[0.0, 1.0, 4.0, 6.0, 7.0, 9.0, 11.0]),
    ("bhairav", &[0.0, 1.0, 4.0, 5.0, 7.0, 8.0, 11.0]),
    ("ahirbhairav", &[0.0, 1.0, 4.0, 5.0, 7.0, 9.0, 10.0]),
    ("superLocrian", &[0.0, 1.0, 3.0, 4.0, 6.0, 8.0, 10.0]),
    ("romanianMinor", &[0.0, 2.0, 3.0, 6.0, 7.0, 9.0, 10.0]),
    ("hungarianMinor", &[0.0, 2.0, 3.0, 6.0, 7.0, 8.0, 11.0]),
    ("neapolitanMinor", &[0.0, 1.0, 3.0, 5.0, 7.0, 8.0, 11.0]),
    ("enigmatic", &[0.0, 1.0, 4.0, 6.0, 8.0, 10.0, 11.0]),
    ("spanish", &[0.0, 1.0, 4.0, 5.0, 7.0, 8.0, 10.0]),
    ("leadingWhole", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 11.0]),
    ("lydianMinor", &[0.0, 2.0, 4.0, 6.0, 7.0, 8.0, 10.0]),
    ("neapolitanMajor", &[0.0, 1.0, 3.0, 5.0, 7.0, 9.0, 11.0]),
    ("locrianMajor", &[0.0, 2.0, 4.0, 5.0, 6.0, 8.0, 10.0]),
    ("diminished", &[0.0, 1.0, 3.0, 4.0, 6.0, 7.0, 9.0, 10.0]),
    ("octatonic", &[0.0, 1.0, 3.0, 4.0, 6.0, 7.0, 9.0, 10.0]),
    ("diminished2", &[0.0, 2.0, 3.0, 5.0, 6.0, 8.0, 9.0, 11.0]),
    ("octatonic2", &[0.0, 2.0, 3.0, 5.0, 6.0, 8.0, 9.0, 11.0]),
    ("messiaen1", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
    ("messiaen2", &[0.0, 1.0, 3.0, 4.0, 6.0, 7.0, 9.0, 10.0]),
    (
        "messiaen3",
        &[0.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0, 10.0, 11.0],
    ),
    ("messiaen4", &[0.0, 1.0, 2.0, 5.0, 6.0, 7.0, 8.0, 11.0]),
    ("messiaen5", &[0.0, 1.0, 5.0, 6.0, 7.0, 11.0]),
    ("messiaen6", &[0.0, 2.0, 4.0, 5.0, 6.0, 8.0, 10.0, 11.0]),
    (
        "messiaen7",
        &[0.0, 1.0, 2.0, 3.0, 5.0, 6.0, 7.0, 8.0, 9.0, 11.0],
    ),
    (
        "chromatic",
        &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
    ),
    ("bayati", &[0.0, 1.5, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("hijaz", &[0.0, 1.0, 4.0, 5.0, 7.0, 8.5, 10.0]),
    ("sikah", &[0.0, 1.5, 3.5, 5.5, 7.0, 8.5, 10.5]),
    ("rast", &[0.0, 2.0, 3.5, 5.0, 7.0, 9.0, 10.5]),
    ("saba", &[0.0, 1.5, 3.0, 4.0, 6.0, 8.0, 10.0]),
    ("iraq", &[0.0, 1.5, 3.5, 5.0, 6.5, 8.5, 10.5]),
];

/// Scales the original Phonon named and Tidal does not, by those names: its notes in semitones.
pub const ORIGINAL_SCALES: &[(&str, &[f64])] = &[
    ("pentatonic", &[0.0, 2.0, 4.0, 7.0, 9.0]),
    ("penta", &[0.0, 2.0, 4.0, 7.0, 9.0]),
    ("blues", &[0.0, 3.0, 5.0, 6.0, 7.0, 10.0]),
    ("harmonic", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 11.0]),
    ("melodic", &[0.0, 2.0, 3.0, 5.0, 7.0, 9.0, 11.0]),
    ("kumoi", &[0.0, 2.0, 3.0, 7.0, 9.0]),
    ("romanian", &[0.0, 2.0, 3.0, 6.0, 7.0, 9.0, 10.0]),
];

/// The notes of the scale called `name`.
pub fn scale_notes(name: &str) -> Option<&'static [f64]> {
    SCALES
        .iter()
        .chain(ORIGINAL_SCALES)
        .find(|(n, _)| *n == name)
        .map(|(_, s)| *s)
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
    fn the_originals_scale_names_are_read_too() {
        assert_eq!(scale_notes("pentatonic"), scale_notes("majPent"));
        assert_eq!(scale_notes("harmonic"), scale_notes("harmonicMinor"));
        assert_eq!(scale_notes("kumoi"), scale_notes("kumai"));
        assert_eq!(note_in_scale(scale_notes("blues").unwrap(), 7.0), 15.0);
    }

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
