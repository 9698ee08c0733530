-- an LFO setting each event's speed
~lfo: sine 0.25
out: s "hh*8" # speed (~lfo * 0.5 + 1.5)
