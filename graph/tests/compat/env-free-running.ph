-- env without a pattern: one swell that settles on its sustain
~pad: saw 110 + saw 110.7
out: ~pad # env 0.5 0.3 0.8 0.4 * 0.2
