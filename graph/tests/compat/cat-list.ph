-- cat and fastcat of list literals.
out: cat [s "bd*2", s "sn cp", fastcat [s "hh", s "oh"]]
