// Quick check of the transport benchmark between two Node peers in one process (not the
// Chromium benchmark): npx tsx bench/transport-node.ts [cases...]
import { createSession, joinSession } from '../src/node';
import { ALL_PATHS } from '../src/duet/paths';
import { Transfers } from '../src/duet/transfers';
import { runCase, runCeiling, SEED_CASES, serveBench } from '../src/duet/bench';
import { startHub } from '../signaling-server/hub';

const hub = await startHub({ port: 0, host: '127.0.0.1', flight: { port: 0 } });
const owner = await createSession({ hubUrl: hub.url });
const scientist = await joinSession({ hubUrl: hub.url, code: owner.code });
const out = new Transfers(owner, ALL_PATHS);
const inbox = new Transfers(scientist, ALL_PATHS);
serveBench(owner, out);
await Promise.all([owner.connected(), scientist.connected()]);
for (const c of SEED_CASES.filter((_, i) => process.argv.length < 3 || process.argv.includes(String(i)))) {
  for (const r of await runCase(scientist, inbox, c, { runs: 3 })) console.log(r.dtype, r.shape.join('x'), r.path.padEnd(12), r.median_ms.toFixed(1).padStart(8), 'ms', r.mb_per_s.toFixed(0).padStart(5), 'MB/s');
}
console.log('ceiling datachannel', (await runCeiling(scientist, inbox, 'datachannel', 32 << 20)).toFixed(0), 'MB/s');
console.log('ceiling flight', (await runCeiling(scientist, inbox, 'flight', 32 << 20)).toFixed(0), 'MB/s');
owner.close();
scientist.close();
await hub.close();
