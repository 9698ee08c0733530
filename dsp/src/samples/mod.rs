//! Samples: the sample bank (folders, the built-in kit) and resampling. The sampler node that
//! plays them is a voice module's.

pub mod bank;
pub mod resample;
