-- Only keyword arguments, in any order.
out: saw 110 # lpf :q 4 :cutoff 600 * 0.2
