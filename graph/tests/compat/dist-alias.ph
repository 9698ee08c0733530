-- dist, the short name of distort.
out: saw_hz 110 # dist 4 * 0.2
