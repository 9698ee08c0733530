-- An oscillator through a filter with a pattern cutoff.
out: saw 55 # lpf "200 800 1600" 0.7 * 0.3
