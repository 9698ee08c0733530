-- the notes through a transform, piped
out: (pluck "220 275 330" $ fast 2) * 0.5
