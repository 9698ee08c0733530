-- Techno: Euclidean percussion turned by transforms over a straight kick.
bpm: 132

~kick: s "bd*4" # gain 0.91
~rim: every 4 (fast 2) $ s "rim(3,8)" # gain 0.8
~toms: iter 4 $ s "tom(5,16,2)" # gain 0.74 # speed "1 1.5"
~hats: sometimesBy 0.3 (# speed 1.5) $ s "hh*16" # gain "0.74 0.67 0.82 0.67"
~stab: off 0.125 (# speed 2) $ s "~ cp(3,8)" # gain 0.74

out: (~kick + ~rim + ~toms + ~hats + ~stab) * 0.6 # reverb 0.3 0.6 0.1
