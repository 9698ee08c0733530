out: s "bd sn hh cp" # parametric_eq 100 3.0 0.7 1000 -4.0 1.0 8000 6.0 0.7 * 0.5
