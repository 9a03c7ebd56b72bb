import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuetError } from '../errors';
import { formatOf, loadFile } from '../duet/data/load';
import { loadDemoAssets, DEMO_FILES } from '../duet/demo';
import { Store, type AssetMeta } from '../duet/store';

// Node's way of reading the DO's files: paths and folders from the command line. The loaders
// themselves take bytes, so the browser tab and this share everything after the read.

export interface LoadFilesOptions {
  store?: Store;
  /** Offer the scientist a synthetic mock of each asset. */
  mock?: boolean;
  /** Declare each column's observed range and levels public (only for data whose ranges are not secret). */
  inferDomains?: boolean;
}

/** The files a path names: the file itself, or a folder's loadable files (not recursive), sorted. */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => undefined);
    if (s === undefined) throw new DuetError('NOT_FOUND', `No such file or folder: ${p}`, { details: { file: p } });
    if (s.isDirectory()) {
      const names = (await readdir(p)).filter((n) => formatOf(n) !== undefined).sort();
      out.push(...names.map((n) => join(p, n)));
    } else out.push(p);
  }
  return out;
}

/** Loads each file into the store as one asset named after the file. A file that cannot be parsed stops the load with PARSE_ERROR. */
export async function loadFilesIntoStore(paths: readonly string[], opts: LoadFilesOptions = {}): Promise<{ store: Store; loaded: AssetMeta[] }> {
  const store = opts.store ?? new Store();
  const loaded: AssetMeta[] = [];
  for (const file of await expandPaths(paths)) {
    const name = basename(file);
    const value = await loadFile(new Uint8Array(await readFile(file)), { name });
    loaded.push(
      store.add({
        name,
        description: `Loaded from ${file}`,
        tags: ['file'],
        value,
        ...(opts.inferDomains ? { domains: 'infer' as const } : {}),
        ...(opts.mock ? { mock: true } : {}),
      }),
    );
  }
  return { store, loaded };
}

/** The folder holding the demo files, found from this module (src/ when run from source, dist/node/ when built). */
export function demoDataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'examples/data');
    if (existsSync(join(candidate, DEMO_FILES.adult))) return candidate;
    dir = resolve(dir, '..');
  }
  throw new DuetError('NOT_FOUND', 'The demo data (examples/data) is missing from this installation.');
}

/** The demo store (Adult, MNIST), read from examples/data. */
export async function loadDemoStore(store?: Store): Promise<Store> {
  const dir = demoDataDir();
  return loadDemoAssets(async (f) => new Uint8Array(await readFile(join(dir, f))), store);
}
