-- Dub: a sparse beat, and a snare echo that feeds back through a filter into its own delay.
bpm: 84

~kick: s "bd ~ ~ [~ bd] ~ ~ bd ~" # gain 0.88
~snare: s "~ ~ sn ~" # gain 0.84
~echo: (~snare + ~echo # delay 0.536 0.3 1 # hpf 300 0.7 # lpf 2500 0.7) * 0.55
~bass: sine "<c2 c2 g1 a#1>" # gain 0.3

out: (~kick + ~snare + ~echo + ~bass) * 0.6
