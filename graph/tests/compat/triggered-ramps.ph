-- ramps and breakpoint envelopes started again by trigger patterns
~sweep: xline 2000 200 0.4 "x ~ x x"
~shape: segments "0 1 0.3 0" "0.01 0.1 0.2" "x(3,8)"
~bend: curve 100 400 0.2 -3 "x*2"
out: (saw 110 # lpf ~sweep 0.7) * ~shape * 0.4 + sine ~bend * 0.1
