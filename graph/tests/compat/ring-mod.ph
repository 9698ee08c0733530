-- Ring modulation of an oscillator written with its _hz name.
out: sine_hz 440 # ring_mod 110 * 0.3
