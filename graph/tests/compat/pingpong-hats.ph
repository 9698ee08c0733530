out: s "hh*4" # pingpong 0.25 0.5 1.0 0 0.5
