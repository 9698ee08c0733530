-- A serial chain: eight saws summed, then one filter, one reverb and one delay after another.
-- Nothing after the saws can run side by side, so a helper has almost nothing to do.
~saws: saw 55 + saw 82.5 + saw 110 + saw 165 + saw 220 + saw 330 + saw 440 + saw 660
out: ~saws * 0.05 # lpf 1200 0.7 # reverb 0.8 0.5 0.4 # delay 0.375 0.5 0.4
