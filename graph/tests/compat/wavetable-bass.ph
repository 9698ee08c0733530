out: wavetable 55 # lpf 600 0.6 * 0.4
