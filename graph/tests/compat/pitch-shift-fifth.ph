~root: saw 110 # lpf 1200 0.5
~fifth: pitch_shift ~root 7
out: (~root + ~fifth * 0.5) * 0.3
