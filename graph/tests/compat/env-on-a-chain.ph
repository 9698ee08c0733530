-- A saw bass whose envelope restarts on every note of its pattern
tempo: 0.5
~bass: saw "55 55 82.5 110" # env 0.005 0.15 0.3 0.1 # lpf 900 0.7
out: ~bass * 0.4
