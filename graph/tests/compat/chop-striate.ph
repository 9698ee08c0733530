-- Sample slicing: chop, striate and slice.
out: chop 4 $ s "bd sn"
out2: striate 2 $ s "cp hh"
out3: slice 4 "0 2 1 3" $ s "tom*4"
