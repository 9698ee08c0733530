out: waveguide "110 165" 0.4 0.25 * 0.6
