-- A bus defined twice: the later one replaces it.
~a: s "bd"
~a: s "cp*2"
out: ~a
