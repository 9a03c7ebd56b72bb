import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startHub } from '../../signaling-server/hub';
import { ensureChromium } from '../helpers/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    hubUrl: string;
    chromiumPath: string;
  }
}

// One hub serving the freshly built app for all e2e files, and a Chromium to drive.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const chromiumPath = ensureChromium();
  // @ts-expect-error bin/build.js is plain JS without type declarations
  const { isStale, buildAll } = (await import('../../bin/build.js')) as { isStale(): boolean; buildAll(o: { quiet: boolean }): Promise<void> };
  if (isStale()) await buildAll({ quiet: true });
  const hub = await startHub({ port: 0, host: '127.0.0.1', flight: { port: 0 }, staticDir: resolve('dist/app') });
  project.provide('hubUrl', hub.url);
  project.provide('chromiumPath', chromiumPath);
  return () => hub.close();
}
