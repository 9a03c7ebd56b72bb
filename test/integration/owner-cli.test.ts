import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerCommandLine, parseOwnerArgs, startOwner, type RunningOwner } from '../../cli/owner';
import type { CliIo } from '../../cli/codec';
import { joinAsScientist } from '../../src/node';
import type { Table } from '../../src/duet/data/table';
import type { Hub } from '../../signaling-server/hub';
import { testHub } from '../helpers/hub';
import { rejection } from '../unit/ds-helpers';

const dir = mkdtempSync(join(tmpdir(), 'duet-owner-cli-'));
let hub: Hub;
beforeAll(async () => {
  hub = await testHub();
});
afterAll(async () => {
  await hub?.close();
  rmSync(dir, { recursive: true, force: true });
});

function io(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => void lines.push(l), err: (l) => void lines.push(l) };
}

describe('duet owner', () => {
  it('NO2: loads files and folders, prints the code, serves a scientist, and takes approve/deny at the terminal', async () => {
    writeFileSync(join(dir, 'visits.csv'), 'clinic,visits\nnorth,12\nsouth,30\neast,7\n');
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'more', 'scores.json'), JSON.stringify([[1, 2], [3, 4]]));
    writeFileSync(join(dir, 'more', 'README.txt'), 'not data');
    const out = io();
    const running: RunningOwner = await startOwner(parseOwnerArgs(['--hub', hub.url, '--mock', '--infer-domains', '--budget', '2,0', join(dir, 'visits.csv'), join(dir, 'more')], {}), out);
    const ds = await joinAsScientist({ hubUrl: hub.url, code: running.code });
    try {
      expect(out.lines.join('\n')).toContain(`Session code: ${running.code.slice(0, 5)}-${running.code.slice(5)}`);
      await ds.session.connected();
      const assets = await ds.duet.store.list();
      expect(assets.map((a) => [a.id, a.kind, a.rows, a.mock])).toEqual([
        ['visits.csv', 'table', 3, true],
        ['scores.json', 'tensor', 2, true],
      ]);
      const budgets = await ds.duet.budgets();
      expect(budgets.map((b) => b.epsilon)).toEqual([2, 2]);

      const total = ds.duet.asset('visits.csv').col('visits').sum();
      await total.request('total visits');
      await expect.poll(() => running.numbers.size).toBe(1);
      expect(out.lines.join('\n')).toMatch(/Request 1: "total visits"/);
      expect(ownerCommandLine('approve 1 fine', running, out)).toBe(true);
      expect(Number((await total.get() as { data: Float64Array }).data[0])).toBe(49);

      const rows = ds.duet.asset('visits.csv');
      await rows.request('all rows');
      await expect.poll(() => running.numbers.size).toBe(2);
      ownerCommandLine('deny 2 Aggregates only.', running, out);
      const e = await rejection(rows.get());
      expect(e.details.message).toBe('Aggregates only.');
      ownerCommandLine('approve 9', running, out);
      expect(out.lines.at(-1)).toMatch(/No request 9/);
      expect(ownerCommandLine('quit', running, out)).toBe(false);
    } finally {
      ds.close();
      await running.stop();
    }
  });

  it('RD17: an unparseable file stops the Node owner with PARSE_ERROR naming the file', async () => {
    writeFileSync(join(dir, 'broken.parquet'), 'this is not parquet at all');
    const e = await rejection(startOwner(parseOwnerArgs(['--hub', hub.url, join(dir, 'broken.parquet')], {}), io()));
    expect([e.code, e.reason]).toEqual(['INVALID_ARGUMENT', 'PARSE_ERROR']);
    expect(e.message).toContain('broken.parquet');
    expect(() => parseOwnerArgs(['--approve-max-elements', '5'])).toThrow(/needs --approve-tag/);
    expect(() => parseOwnerArgs(['--bogus'])).toThrow(/Unknown option/);
  });

  it('NO2: with no files it serves the demo data', async () => {
    const running = await startOwner(parseOwnerArgs(['--hub', hub.url], {}), io());
    try {
      expect(running.handle.owner.store.listing().map((a) => a.id)).toContain('adult');
      expect((running.handle.owner.store.value('adult') as Table).rowCount).toBe(4000);
    } finally {
      await running.stop();
    }
  });
});
