-- $ after a pattern sends it through the functions on its right, in order.
tempo: 0.5
out: s "bd sn hh cp" $ fast 2 $ every 4 rev
