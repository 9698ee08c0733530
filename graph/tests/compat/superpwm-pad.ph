out: superpwm "c3 g3" 0.3 0.7 # lpf 1800 0.4 * 0.3
