out: saw 110 # flanger 0.8 0.3 0.6 * 0.3
