-- Haskell-style application with $ still works.
out: every 2 (fast 2) $ s "bd [sn cp]"
