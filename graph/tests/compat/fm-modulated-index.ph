~index: sine 0.5 * 2 + 2.5
out: fm 220 330 ~index * 0.3
