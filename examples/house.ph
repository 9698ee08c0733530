-- House: four on the floor, off-beat open hats, claps on two and four, a filtered saw bass.
bpm: 124

~kick: s "bd*4" # gain 0.91
~hats: s "[~ hh]*4" # gain 0.8 # pan "0.35 0.65"
~open: s "[~ ~ oh ~]*2" # gain 0.74 # cut 1
~clap: s "~ cp ~ cp" # gain 0.84
~bass: saw "[c2 ~ c2 c3] [~ c2 ~ g2]" # lpf 700 0.9 # gain 0.2

out: (~kick + ~hats + ~open + ~clap + ~bass) * 0.6
