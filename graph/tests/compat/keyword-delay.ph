-- A delay with its feedback named.
out: s "bd ~ sn ~" # delay 0.375 :feedback 0.6
