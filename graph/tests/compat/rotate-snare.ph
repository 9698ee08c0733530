out: s "bd*4" + (s "~ sn ~ sn" $ rotate 0.125)
