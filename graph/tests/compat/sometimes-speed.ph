-- sometimesBy with a control section.
out: sometimesBy 0.5 (# speed 2) $ s "hh*8"
