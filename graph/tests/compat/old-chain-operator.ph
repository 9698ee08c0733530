-- the older >> chain
out: saw 55 >> lpf 800 0.7 * 0.4
