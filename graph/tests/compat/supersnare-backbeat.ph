tempo: 0.5
out: supersnare "~ 180 ~ 180" 0.8 0.2 * 0.6
