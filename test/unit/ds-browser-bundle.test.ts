import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// src/ must run unchanged in a browser: bundling the data-science and DP entry points for the
// browser platform fails if anything pulls in a Node built-in (fs, path, crypto as a module...).
describe('data-science layer in the browser', () => {
  it('bundles for the browser platform with no Node built-ins', async () => {
    const r = await build({
      entryPoints: ['src/duet/datascience.ts', 'src/privacy/dp/index.ts', 'src/duet/owner.ts', 'src/duet/scientist.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      outdir: 'out',
      logLevel: 'silent',
      metafile: true,
    });
    expect(r.errors).toEqual([]);
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.filter((k) => k.startsWith('node:') || /^(fs|path|os|zlib|crypto)$/.test(k))).toEqual([]);
  });
});
