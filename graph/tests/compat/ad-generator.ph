-- ad as a free-running envelope, multiplied in
~env: ad 0.01 0.3
~tone: square 110 # lpf 1500 0.5
out: ~tone * ~env * 0.4
