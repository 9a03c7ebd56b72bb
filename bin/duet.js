#!/usr/bin/env node
// The `duet` command. It builds first when the sources changed since the last build,
// so `npm start` always serves what the checkout holds.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const hasBuildTools = existsSync(join(root, 'node_modules/vite')) && existsSync(join(root, 'node_modules/esbuild'));

if (hasBuildTools) {
  const { isStale, buildAll } = await import('./build.js');
  if (isStale()) {
    console.log('duet: building the app (first start, or the sources changed)…');
    await buildAll({ quiet: true });
  }
} else if (!existsSync(join(root, 'dist/node/cli.js'))) {
  console.error('duet: the app is not built and the build tools are missing. Run `npm install` first.');
  process.exit(1);
}
const { main } = await import(join(root, 'dist/node/cli.js'));
process.exitCode = await main(process.argv.slice(2));
