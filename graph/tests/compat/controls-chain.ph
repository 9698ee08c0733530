-- Controls chained with #.
out: s "bd*4" # n "0 1 2 3" # speed "1 1.5" # gain 0.9 # legato 0.5
