-- Spellings of the original Phonon's newer patches: modifier buses with `#`, pattern
-- variables with `%`, the signal operators, `stutter` with its count, spans as two numbers,
-- `if`, solfège, the resonant filters by their older names, `comb`, `vibrato`, and an
-- oscillator taking its notes after `#`.
tempo: 0.5
~lfo # sine 0.25
%speed: "1 2"
~drums $ s "bd sn" $ fast %speed $ every 2 (stutter 2)
~hats $ s "hh*8" $ zoom 0 0.5 $ degradeBy "0.2 0.6"
~bass $ saw "55 82.5" # rlpf (~lfo ~* 800 + 1200) 4
~tone: sine (if (square 1) 440 330) # vibrato 5 0.3
~bell: impulse 2 # comb 660 0.9 # rhpf 200 0.7
~tune: square # note "do mi sol" # lpf 2000 0.7
out: ~drums * 0.4 + ~hats * 0.2 + ~bass * 0.2 + ~tone * 0.1 + ~bell * 0.1 + ~tune * 0.05
