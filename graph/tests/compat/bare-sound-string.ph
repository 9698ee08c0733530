-- a bare string of sound names is a sound pattern
~kick: "bd*4" $ every 4 (slow 2)
~hats: "hh*8" $ degradeBy 0.3 $ pan 0.7
out: (~kick + ~hats) * 0.6
