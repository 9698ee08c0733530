-- The original Phonon's `synth NOTES WAVE a d s r`, in both call styles.
cps: 0.5
~bass: synth("c2 c2 ~ g2 ~ c2 g2 ~", "square", 0.01, 0.05, 0.8, 0.1)
~chords: synth "[c4, e4, g4] [d4, f4, a4]" "sine" 0.05 0.2 0.6 0.3
~lead: synth "c5 e5 g5 c6" "saw" 0.01 0.1 0.7 0.3 # lpf 1200 0.8
out: ~bass * 0.3 + ~chords * 0.2 + ~lead * 0.2
