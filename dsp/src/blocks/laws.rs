//! The laws every voice follows: how an event's controls set its level and its place in the
//! stereo field, and how fast a voice ended early fades.

use pattern::{Control, Controls};
use std::f32::consts::FRAC_PI_2;

/// Seconds of the fade that ends a voice early (cut, stolen or its sound cut short), so it
/// never clicks.
pub const DECLICK_SECONDS: f32 = 0.005;

/// SuperDirt's default `amp`, which `phonon dirt` plays events at.
pub const DIRT_AMP: f32 = 0.4;

/// The default `amp` of a patch's sampler: samples play at their recorded level.
pub const PATCH_AMP: f32 = 1.0;

/// An event's level: amp × (gain + overgain)⁴ with gain at most 2 (SuperDirt's curve, so
/// `# gain` means what it means in Tidal, and only `overgain` goes past 2); `amp` is
/// `default_amp` when unset.
pub fn event_level(controls: &Controls, default_amp: f32) -> f32 {
    let gain = controls.or(Control::Gain, 1.0).clamp(0.0, 2.0) as f32;
    let over = controls.or(Control::Overgain, 0.0) as f32;
    let amp = controls.get(Control::Amp).map_or(default_amp, |a| a as f32);
    let g = (gain + over).max(0.0);
    amp.max(0.0) * (g * g) * (g * g)
}

/// The left and right gains of the equal-power pan law at `position` (0 left, 0.5 centre,
/// 1 right): −3 dB each side in the centre. A mono source is spread by them (SuperCollider's
/// `Pan2`); a stereo source's channels are scaled by them (its `Balance2`, which SuperDirt pans
/// stereo samples with).
#[inline]
pub fn pan_gains(position: f32) -> [f32; 2] {
    let position = if position.is_finite() { position } else { 0.5 };
    let angle = position.clamp(0.0, 1.0) * FRAC_PI_2;
    [angle.cos(), angle.sin()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f32::consts::FRAC_1_SQRT_2;

    #[test]
    fn the_level_law_is_superdirts_curve() {
        let mut c = Controls::default();
        assert_eq!(event_level(&c, DIRT_AMP), 0.4);
        c.set(Control::Gain, 0.5);
        assert_eq!(event_level(&c, PATCH_AMP), 0.0625);
        c.set(Control::Gain, 9.0);
        assert_eq!(event_level(&c, PATCH_AMP), 16.0, "gain stops at 2");
        c.set(Control::Overgain, 0.5);
        assert_eq!(event_level(&c, PATCH_AMP), 39.0625, "overgain goes past it");
        c.set(Control::Overgain, f64::NAN);
        c.set(Control::Amp, 0.5);
        c.set(Control::Gain, 1.0);
        assert_eq!(event_level(&c, DIRT_AMP), 0.5);
    }

    #[test]
    fn the_pan_law_keeps_power_and_is_minus_3_db_in_the_centre() {
        for k in 0..=10 {
            let [l, r] = pan_gains(k as f32 / 10.0);
            assert!((l * l + r * r - 1.0).abs() < 1e-6);
        }
        let [l, r] = pan_gains(0.5);
        assert!((l - FRAC_1_SQRT_2).abs() < 1e-6 && (r - FRAC_1_SQRT_2).abs() < 1e-6);
        let [l, r] = pan_gains(0.0);
        assert_eq!((l, r.abs() < 1e-6), (1.0, true));
        assert_eq!(pan_gains(f32::NAN), pan_gains(0.5));
    }
}
