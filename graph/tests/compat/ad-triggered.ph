-- ad started by a trigger pattern
~env: ad 0.002 0.08 "x ~ x x ~ x ~ x"
out: noise # hpf 6000 0.7 * ~env * 0.3
