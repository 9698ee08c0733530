-- a detuned saw pad on a chord pattern
out: supersaw "<[c3,e3,g3] [a2,c3,e3]>" 0.4 7 # lpf 2000 0.5 * 0.3
