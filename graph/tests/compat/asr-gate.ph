-- asr follows a gate pattern
~gate: "1 0 1 1"
~env: asr ~gate 0.02 0.2
out: tri 440 * ~env * 0.4
