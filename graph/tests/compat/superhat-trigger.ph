-- superhat has no note: it plays on a trigger pattern
tempo: 0.5
out: superhat 0.8 0.04 "x*8" * 0.5
