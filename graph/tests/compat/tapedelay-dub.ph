out: s "bd ~ sn ~" # tapedelay 0.375 0.6 0.5 0.004 6 0.001 0.4 0.4
