-- Keyword arguments, mixed with positional ones.
out: saw 55 # lpf 1000 :q 0.8 * 0.3
