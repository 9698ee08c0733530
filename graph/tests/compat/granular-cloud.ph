~src: sine "220 330 440" $ slow 2
out: granular ~src 80 0.7 1.5 * 0.5
