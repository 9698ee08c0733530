out: saw "c3 e3" # fchorus 0.015 0.005 0.3 * 0.3
