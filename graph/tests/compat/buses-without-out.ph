-- A patch of buses and no output plays their mix.
~drums: s "bd sn"
~hats: s "hh*8" # gain 0.4
