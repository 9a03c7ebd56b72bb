// Removing namespaces, on every way out: normal close, thrown errors (callers use
// try/finally), SIGINT/SIGTERM, process exit, and leftovers of a run that was SIGKILLed.
//
// A namespace lives while any process is inside it, even after `ip netns del` removes its
// name, so processes are killed first. Deleting a namespace destroys the veth end in it,
// and with it the peer end; the nft tables and qdiscs inside go with it.

import { run, runSyncQuiet } from './shell.js';

/** Namespaces of this prefix look like `<prefix>-<pid>-<seq>-<a|b|l>`. */
export function namespaceName(prefix: string, pid: number, seq: number, side: 'a' | 'b' | 'l'): string {
  return `${prefix}-${pid}-${seq}-${side}`;
}

function parsePid(prefix: string, ns: string): number | null {
  if (!ns.startsWith(`${prefix}-`)) return null;
  const match = ns.slice(prefix.length + 1).match(/^(\d+)-\d+-[abl]$/);
  return match?.[1] ? Number(match[1]) : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means it exists but is not ours to signal: alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  // Lines look like "name (id: 3)" or just "name".
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name.length > 0);
}

function killPids(pidsText: string | null): void {
  for (const token of (pidsText ?? '').split(/\s+/)) {
    const pid = Number(token);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export async function deleteNamespace(ns: string): Promise<void> {
  try {
    const { stdout } = await run('ip', ['netns', 'pids', ns]);
    killPids(stdout);
  } catch {
    // The namespace may already be gone; `del` below tells for sure.
  }
  // A killed process can take a moment to leave; `del` works regardless (it unmounts the
  // name), and the namespace itself is freed once the last process is reaped.
  await run('ip', ['netns', 'del', ns]).catch(() => undefined);
}

export function deleteNamespaceSync(ns: string): void {
  killPids(runSyncQuiet('ip', ['netns', 'pids', ns]));
  runSyncQuiet('ip', ['netns', 'del', ns]);
}

/**
 * Deletes namespaces with this prefix whose creating process is gone (a crashed or
 * SIGKILLed run). Labs of processes still alive, e.g. a parallel run, are left alone.
 * Returns the names removed.
 */
export async function cleanupStale(prefix: string): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of await listNamespaces()) {
    const pid = parsePid(prefix, ns);
    if (pid === null || (isAlive(pid) && pid !== process.pid)) continue;
    if (pid === process.pid && liveNamespaces.has(ns)) continue;
    await deleteNamespace(ns);
    removed.push(ns);
  }
  return removed;
}

// Namespaces this process created and has not deleted yet, for the exit/signal hooks.
const liveNamespaces = new Set<string>();
let hooksInstalled = false;

function cleanupAllSync(): void {
  for (const ns of liveNamespaces) deleteNamespaceSync(ns);
  liveNamespaces.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupAllSync();
  uninstallHooks();
  // If nobody else handles the signal, restore its default effect (terminate).
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', cleanupAllSync);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.off('exit', cleanupAllSync);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/** Call right after `ip netns add` succeeds, before anything else can fail. */
export function track(ns: string): void {
  liveNamespaces.add(ns);
  installHooks();
}

export function untrack(ns: string): void {
  liveNamespaces.delete(ns);
  if (liveNamespaces.size === 0) uninstallHooks();
}
