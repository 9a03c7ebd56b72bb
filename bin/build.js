#!/usr/bin/env node
// Builds the app (Vite -> dist/app) and the Node entry points (esbuild -> dist/node).
// `duet start` calls this when the sources are newer than the last build.
import { build as viteBuild } from 'vite';
import { build as esbuild } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const stamp = join(root, 'dist/.build-stamp');
const SOURCES = ['src', 'signaling-server', 'cli', 'examples', 'package.json', 'vite.config.ts'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let m = 0;
  for (const entry of readdirSync(path)) m = Math.max(m, newest(join(path, entry)));
  return m;
}

/** True when there is no build, or a source is newer than the last one. */
export function isStale() {
  if (!existsSync(stamp) || !existsSync(join(root, 'dist/node/cli.js')) || !existsSync(join(root, 'dist/app/index.html'))) return true;
  return Math.max(...SOURCES.map((p) => newest(join(root, p)))) > statSync(stamp).mtimeMs;
}

export async function buildAll({ quiet = false } = {}) {
  await viteBuild({ root: join(root, 'src/app'), configFile: join(root, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' });
  await esbuild({
    absWorkingDir: root,
    entryPoints: { index: 'src/node.ts', hub: 'signaling-server/index.ts', cli: 'cli/main.ts' },
    outdir: 'dist/node',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: quiet ? 'warning' : 'info',
  });
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildAll().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
