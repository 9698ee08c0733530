-- A filtered oscillator scaled after the chain.
out: saw 55 # lpf 800 0.7 * 0.3
