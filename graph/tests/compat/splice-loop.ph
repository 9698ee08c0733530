-- slices of a sound, each fitted to its step
out: splice 4 "0 2 1 3" $ s "sn*4"
