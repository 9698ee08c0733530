-- an x-style trigger string
~hits: env_trig "x ~ x ~ x x ~ x" 0.001 0.05 0 0.02
out: noise # bpf 2000 2 * ~hits
