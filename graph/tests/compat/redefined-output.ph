-- The same output defined twice: the last definition wins.
out: s "bd*2"
out: s "sn*4"
