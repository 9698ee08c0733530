-- an impulse response from the sample bank
out: s "bd ~ sn ~" # convolve :ir "cp" 0.4 * 0.5
