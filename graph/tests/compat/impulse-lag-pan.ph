-- A click train smoothed by a lag, and a tone placed by hand with pan2_l and pan2_r.
~click: impulse 8 # lag 0.01
~tone: sine 330 * 0.2
out: ~click * 0.5 + ~tone # pan2_l -0.5
out2: ~tone # pan2_r -0.5
