-- buses played where a sound pattern names them
~bass: saw 55 # lpf 400 0.7
~lead: square 440 * 0.3
out: s "~bass bd ~bass*2 sn ~lead" * 0.5
