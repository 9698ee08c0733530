out: s "cp ~ ~ ~" # multitap 0.1 4 0.6 0.5
