-- adsr after a sound pattern takes its attack and release.
out: s "cp*4" # adsr 0.005 0.1 0.5 0.05
