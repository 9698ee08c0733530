-- Euclidean rhythms with rotation.
out: s "bd(3,8,2) sn(5,8)"
