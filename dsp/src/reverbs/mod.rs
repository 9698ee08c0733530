//! Reverbs: Freeverb (also the reverb of SuperDirt's orbits), Dattorro's plate and convolution
//! with an impulse response.

pub mod convolve;
pub mod freeverb;
pub mod plate;
