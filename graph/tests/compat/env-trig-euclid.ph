-- A euclidean gate shaping a sine
~tone: sine 330
out: ~tone # env_trig "x(5,8)" 0.005 0.1 0.2 0.05 * 0.4
