~melody: "0 2 4 7" $ slow 2 $ scale "minor"
out: ~melody # saw # lpf 1500 0.6 * 0.3
