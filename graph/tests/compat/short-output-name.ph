o: s "bd*2 sn"
