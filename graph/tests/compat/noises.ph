-- White, pink and brown noise by their long names.
out: white_noise * 0.05 + pink_noise * 0.1 + brown_noise * 0.2
