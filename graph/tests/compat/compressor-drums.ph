out: s "bd*2 sn hh*3" # compressor -18 4 0.005 0.1 0 * 0.7
