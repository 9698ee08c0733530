-- a curved filter sweep
~sweep: curve 200 4000 3.0 4.0
out: saw 55 # lpf ~sweep 0.8 * 0.3
