-- Ambient: slow chords through filters swept by low-frequency oscillators, into a long reverb.
tempo: 0.125

~sweep: sine 0.05 * 0.5 + 0.5
~wobble: tri 0.13 * 0.5 + 0.5
~root: saw "<c3 a2 f2 g2>" # lpf (~sweep * 1200 + 250) 0.8
~third: saw "<e3 c3 a2 b2>" # lpf (~wobble * 1500 + 300) 0.7
~fifth: tri "<g3 e3 c3 d3>" # lpf (~sweep * 900 + 400) 0.6
~bell: sine "~ c5 ~ [g5 e5]" # gain 0.4

out: (~root + ~third + ~fifth) * 0.15 + ~bell # reverb 0.9 0.4 0.5
