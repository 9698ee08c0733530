-- bpm sets the tempo.
bpm: 128
out: s "bd*4, ~ hh"
