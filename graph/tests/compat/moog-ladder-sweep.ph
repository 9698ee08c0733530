~lfo: sine 0.25 * 1200 + 1500
out: saw 55 # moog_ladder ~lfo 0.8 * 0.4
