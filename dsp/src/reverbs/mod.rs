//! Reverbs: Freeverb, SuperDirt's orbit reverb, Dattorro's plate and convolution with an
//! impulse response.

pub mod convolve;
pub mod dirt;
pub mod freeverb;
pub mod gverb;
pub mod plate;
