~env: ad 0.001 1.5
out: fm 440 880 2.5 * ~env * 0.3
