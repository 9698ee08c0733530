-- adsr alone: an envelope every cycle
~env: adsr 0.05 0.2 0.6 0.3
out: saw 220 * ~env * 0.3
