-- Arithmetic after a #-function scales the chain (the original README).
out: s "bd*4" # n "0 1 2 3" * 0.8
