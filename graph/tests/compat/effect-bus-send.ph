-- one delay shared by everything sent to it
~echo: delay 0.375 0.5 0.6
~drums: s "bd sn" # ~echo
~bass: saw "55 82.5" * 0.2 # ~echo
out: ~echo
