-- A falling exponential sweep and a straight fade-in.
out: saw (xline 880 110 2) * line 0 0.3 1
