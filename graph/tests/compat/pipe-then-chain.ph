-- A pipe whose last function goes on through # (the transform first, then the filter).
out: s "bd sn" $ fast 2 # lpf 800 0.5
