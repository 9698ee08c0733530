-- Karplus-Strong plucks on a melody
out: pluck "220 330 440 330" 0.3 * 0.6
