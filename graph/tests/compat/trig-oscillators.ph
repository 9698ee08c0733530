-- note-triggered oscillators with their own envelopes
~a: sine_trig "c4 e4 g4" 0.005 0.2 0.0 0.1
~b: saw_trig "c2 ~ g2 ~" 0.01 0.1 0.5 0.1 # lpf 800 0.5
~c: square_trig "e5*4" 0.001 0.05 0 0.05
~d: tri_trig "g3 a3" 0.02 0.1 0.6 0.3
out: (~a + ~b + ~c + ~d) * 0.2
