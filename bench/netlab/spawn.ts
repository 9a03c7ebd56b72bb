// Starting processes inside a namespace, and talking to them by JSON lines on stdout.
// Node cannot enter a namespace itself (no setns), so every in-namespace process is a child
// started through `ip netns exec`, which execs the command: the child's pid is the command's.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { NetlabError } from './shell.js';

/** Runs `cmd args` inside network namespace `ns`. stdin/stdout/stderr are pipes by default. */
export function runIn(ns: string, cmd: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: 'pipe', ...options });
  child.on('error', (err: NodeJS.ErrnoException) => {
    // Without a listener a spawn failure would crash the caller; say what is missing instead.
    if (err.code === 'ENOENT') {
      process.stderr.write("netlab: 'ip' not found. Install it: apt-get install -y iproute2\n");
    }
  });
  return child;
}

/** Node arguments that run a TypeScript file, with the repo's tsx as the loader. */
export function nodeTsArgs(script: string, args: readonly string[]): string[] {
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', loader, script, ...args];
}

/**
 * Resolves with the first JSON object on the child's stdout that `accept` takes.
 * Rejects if the child exits first or the time runs out, quoting its stderr, since that
 * is where a failing child explains itself.
 */
export function waitForJsonLine(
  child: ChildProcess,
  accept: (value: Record<string, unknown>) => boolean,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const onErr = (chunk: Buffer): void => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    };
    const finish = (err: Error | null, value?: Record<string, unknown>): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      child.off('error', onError);
      if (err) reject(err);
      else if (value) resolve(value);
    };
    let done = false;
    const onOut = objectLines((line) => {
      if (done) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof parsed === 'object' && parsed !== null && accept(parsed as Record<string, unknown>)) {
        done = true;
        finish(null, parsed as Record<string, unknown>);
      }
    });
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish(new NetlabError(`child exited (code ${code}, signal ${signal}) before it was ready: ${stderr.trim()}`));
    };
    const onError = (err: Error): void => finish(new NetlabError(`child failed to start: ${err.message}`));
    const timer = setTimeout(
      () => finish(new NetlabError(`child not ready after ${timeoutMs} ms: ${stderr.trim()}`)),
      timeoutMs,
    );
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/**
 * A stdout 'data' listener that calls `onLine` with each complete line that looks like a JSON
 * object (starts with '{'), trimmed; a partial line waits for the rest.
 */
export function objectLines(onLine: (line: string) => void): (chunk: Buffer) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      if (line.startsWith('{')) onLine(line);
    }
  };
}

/** Resolves with the child's exit code; SIGTERM first, SIGKILL if it lingers. */
export function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  const gone = child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
  if (gone) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
