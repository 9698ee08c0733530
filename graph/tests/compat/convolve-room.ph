-- the built-in room
~dry: s "bd ~ sn ~"
out: ~dry # convolve 0.5
