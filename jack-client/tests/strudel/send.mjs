// Plays one cycle of a Strudel pattern through Strudel's own OSC bridge, as the REPL does:
// each hap is sent with `oscTrigger` (WebSocket :8080 → UDP), its target time one second
// ahead. Prints one JSON line per hap: its controls and the Unix time (ms) it was sent for.
//   node send.mjs PORT
import { WebSocket } from 'ws';
globalThis.WebSocket ??= WebSocket;
import { s, stack } from '@strudel/core';
import { miniAllStrings } from '@strudel/mini';
miniAllStrings();
import { oscTrigger } from '@strudel/osc';

const port = Number(process.argv[2]);
const cps = 1;
const pattern = stack(
  s('click ~ ~ ~').orbit(0).pan(0).gain(1),
  s('~ click ~ ~').orbit(1).pan(1).gain(1.2),
  s('~ ~ long ~').n(0).cut(1).orbit(2).pan(0),
  s('~ ~ ~ click').cut(1).orbit(2).pan(0),
  s('~ ~ ~ long').note('c6').orbit(3).pan(0).room(0.5),
);
const haps = pattern.queryArc(0, 1).filter((h) => h.hasOnset());
const now = performance.now() / 1000;
const start = now + 1;
for (const hap of haps) {
  hap.value.oscport = port;
  const target = start + hap.whole.begin.valueOf() / cps;
  await oscTrigger(hap, performance.now() / 1000, cps, target);
  const unixMs = Date.now() - performance.now() + target * 1000;
  console.log(JSON.stringify({ unixMs, value: hap.value }));
}
// Let the WebSocket flush before exiting.
await new Promise((resolve) => setTimeout(resolve, 300));
process.exit(0);
