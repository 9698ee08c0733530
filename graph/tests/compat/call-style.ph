-- function-call style arguments
~lfo: sine(0.5)
out: saw(110) # lpf(~lfo * 1000 + 1500, 0.7) * 0.3
