out: (sine_hz 220 + saw_hz 110 * 0.3 + square_hz 55 * 0.2 + triangle_hz 330 * 0.3 + pulse_hz 80 0.3 * 0.2) * 0.3
