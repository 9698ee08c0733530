out: superfm "c5 e5 g5 c6" 3.5 2.0 * 0.3
