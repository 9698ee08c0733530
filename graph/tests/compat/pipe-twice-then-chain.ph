-- Two piped transforms, then a chain.
out: s "bd sn hh cp" $ fast 2 $ rev # lpf 1200 0.3
