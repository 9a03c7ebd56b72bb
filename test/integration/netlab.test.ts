// The network lab builds a real shaped link and tears it down. No timing is asserted here
// (timing belongs to bench/netlab/verify.ts); only that the link is configured as asked
// and that bytes cross it intact.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, labUnavailableReason, waitForJsonLine, type Lab } from '../../bench/netlab/lab';
import { parseProbeResult } from '../../bench/netlab/probe-result';

const unavailable = await labUnavailableReason();
if (unavailable !== null) {
  console.warn(`[netlab] skipping the network lab tests: ${unavailable}`);
}

const SERVER = fileURLToPath(new URL('../../bench/netlab/probe-server.ts', import.meta.url));
const CLIENT = fileURLToPath(new URL('../../bench/netlab/probe-client.ts', import.meta.url));
const PREFIX = 'duetlabtest';

function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.length > 0);
}

describe.skipIf(unavailable !== null)(`netlab: 20mbit link${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: Lab | undefined;

  beforeAll(async () => {
    lab = await createLab({ link: '20mbit', prefix: PREFIX });
  });

  afterAll(async () => {
    await lab?.close();
  });

  it('creates its two namespaces', () => {
    if (!lab) throw new Error('lab not built');
    expect(lab.nsA).toMatch(/^duetlabtest-\d+-\d+-a$/);
    expect(namespaces()).toEqual(expect.arrayContaining([lab.nsA, lab.nsB]));
  });

  it('shapes both veth ends with tbf at 20 Mbit/s', async () => {
    if (!lab) throw new Error('lab not built');
    const { a, b } = await lab.qdiscs();
    expect(a).toMatch(/qdisc tbf .*rate 20Mbit/);
    expect(b).toMatch(/qdisc tbf .*rate 20Mbit/);
  });

  it('carries a payload both ways, client in A to server in B through the delay relay, hashes equal', async () => {
    if (!lab) throw new Error('lab not built');
    const server = lab.spawnNode('b', SERVER, ['--host', '0.0.0.0']);
    const ready = await waitForJsonLine(server, (line) => line['ready'] === true);
    const tcpPort = Number(ready['tcpPort']);
    const udpPort = Number(ready['udpPort']);
    const tcp = await lab.tcpEndpoint(tcpPort);
    const udp = await lab.udpEndpoint(udpPort);
    expect(tcp.host).toBe(lab.addrB);
    expect(tcp.port).not.toBe(tcpPort); // the relay, since the link has an RTT

    const client = lab.spawnNode('a', CLIENT, [
      '--tcp', `${tcp.host}:${tcp.port}`,
      '--udp', `${udp.host}:${udp.port}`,
      '--pings', '3',
      '--bulk-bytes', String(1_000_000),
      '--bulk-runs', '1',
    ]);
    const result = parseProbeResult((await waitForJsonLine(client, (line) => 'result' in line, 50_000))['result']);
    expect(result.bulk.map((run) => [run.direction, run.bytes, run.hashOk])).toEqual([
      ['up', 1_000_000, true],
      ['down', 1_000_000, true],
    ]);
    expect(result.tcpRttMs).toHaveLength(3);
    expect(result.udpRttMs.length).toBeGreaterThan(0); // UDP echoes came back through the UDP relay
  });

  it('teardown removes the namespaces and the processes in them', async () => {
    if (!lab) throw new Error('lab not built');
    const { nsA, nsB } = lab;
    await lab.close();
    const left = namespaces();
    expect(left).not.toContain(nsA);
    expect(left).not.toContain(nsB);
    await lab.close(); // a second close is harmless
  });
});
