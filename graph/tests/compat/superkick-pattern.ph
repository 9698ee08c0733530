-- SuperDirt-style kick on a note pattern
tempo: 0.5
out: superkick "50 ~ 50 50" 0.5 0.4 0.15 * 0.8
