out: superchip "c4 e4 g4 e4" 6 0.03 * 0.3
