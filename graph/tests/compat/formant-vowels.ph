-- the vowel 'e' on a buzzy source
~src: saw 110
out: formant ~src 530 1840 2480 80 90 120 * 2
