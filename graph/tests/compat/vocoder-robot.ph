~voice: s "bd sn hh cp"
~carrier: saw 110 + saw 165
out: vocoder ~voice ~carrier 16 * 0.5
