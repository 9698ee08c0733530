-- Negative literals as arguments.
out: s "bd sn" # pan -1.0
