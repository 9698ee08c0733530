-- An idle patch: one silent oscillator. What Phonon costs when it plays nothing.
out: sine 440 * 0
