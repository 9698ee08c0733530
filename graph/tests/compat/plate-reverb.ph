out: s "sn ~ cp ~" # plate 30 2.5 0.7 0.4 0.3 0.4
