-- A bare mini-notation string piped into a transform.
out: s "hh*16" $ degradeBy 0.3
