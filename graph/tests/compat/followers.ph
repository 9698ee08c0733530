-- The original Phonon's audio analysis: a kick's level opens a bass, its RMS moves a filter,
-- a Schmitt trigger gates a lead and a latch steps a pitch.
cps: 0.5
~kick: s "bd*4"
~env: ~kick # amp_follower 0.005 0.2 0.01
~level: ~kick # rms 0.05
~peak: ~kick # peak_follower 0.001 0.3
~bass: saw 55 * ~env * 2 # lpf (~level * 4000 + 300) 0.7
~gate: sine 1 # schmidt 0.6 0.2
~lead: square 440 * ~gate * 0.1
~steps: sine (noise # latch (impulse 4) * 200 + 400) * 0.1
out: ~kick * 0.5 + ~bass * 0.4 + ~lead + ~steps + sine 880 * ~peak * 0.05
