~src: s "bd sn hh cp"
~hold: "0 0 1 1"
out: freeze ~src ~hold
