import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../signaling-server/hub';
import { testHub } from '../helpers/hub';

const run = promisify(execFile);
let hub: Hub;

beforeAll(async () => {
  // The example imports the package by name ('duet'), which resolves to the built dist/node.
  // @ts-expect-error bin/build.js is plain JS
  const { isStale, buildAll } = (await import('../../bin/build.js')) as { isStale(): boolean; buildAll(o: { quiet: boolean }): Promise<void> };
  if (isStale()) await buildAll({ quiet: true });
  hub = await testHub();
}, 180_000);
afterAll(() => hub?.close());

describe('README', () => {
  it('DOC3: the Node API example is in the README verbatim and runs as written', async () => {
    const example = readFileSync('examples/node-api.ts', 'utf8').trim();
    expect(readFileSync('README.md', 'utf8')).toContain(example);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/node-api.ts'], { env: { ...process.env, DUET_HUB: hub.url }, timeout: 60_000 });
    expect(stdout).toMatch(/Session code: [0-9A-Z]{10}/);
    expect(stdout).toMatch(/Connected; round trip \d+\.\d ms/);
  });

  it("DOC4: the user guide's Node example is in the guide verbatim and runs as written", async () => {
    const example = readFileSync('examples/node-duet.ts', 'utf8').trim();
    expect(readFileSync('docs/USER_GUIDE.md', 'utf8')).toContain(example);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/node-duet.ts'], { env: { ...process.env, DUET_HUB: hub.url }, timeout: 60_000 });
    expect(stdout).toMatch(/Assets: adult, mnist-train-images/);
    expect(stdout).toMatch(/Mean age: \d+\.\d\d/);
    expect(stdout).toMatch(/DP mean age: \d+\.\d\d \(ε left: 0\.5\)/);
  });
});
