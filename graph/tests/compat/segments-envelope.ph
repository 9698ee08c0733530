-- a breakpoint envelope from the start of the patch
~shape: segments "0 1 0.4 0.4 0" "0.05 0.2 0.5 0.8"
out: sine 220 * ~shape * 0.5
