-- An envelope after a sound pattern shapes each sound; stut and jux still apply.
tempo: 0.5
o1: jux rev $ stut 8 0.125 0.1 $ s "rim(3,8,1)" # ar 0.01 0.2
