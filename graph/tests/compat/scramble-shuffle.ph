out: scramble 4 $ s "bd sn hh cp" # gain 0.8
o2: shuffle 4 $ s "hh*4 cp"
