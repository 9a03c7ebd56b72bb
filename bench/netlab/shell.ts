// Running the host tools (ip, tc, nft) with errors that say what to install or run.
// Everything here is argv-based (execFile), never a shell string, so names cannot inject.

import { execFile, execFileSync } from 'node:child_process';

export class NetlabError extends Error {
  override readonly name = 'NetlabError';
}

/** Which Debian package provides each tool we call, for the "install X" hint. */
const PACKAGE_OF: Record<string, string> = {
  ip: 'iproute2',
  tc: 'iproute2',
  nft: 'nftables',
};

export interface RunResult {
  stdout: string;
  stderr: string;
}

interface ToolFailure {
  code?: string | number | null;
  message: string;
  stderr?: string;
}

function explain(cmd: string, args: readonly string[], err: ToolFailure): NetlabError {
  const line = `${cmd} ${args.join(' ')}`;
  if (err.code === 'ENOENT') {
    const pkg = PACKAGE_OF[cmd];
    const hint = pkg ? ` Install it: apt-get update && apt-get install -y ${pkg}` : '';
    return new NetlabError(`'${cmd}' was not found on PATH.${hint}`);
  }
  const stderr = String(err.stderr ?? '').trim();
  if (/Operation not permitted|Permission denied/i.test(stderr)) {
    return new NetlabError(
      `'${line}' was refused: ${stderr}. The network lab needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN): run it as root, e.g. with sudo.`,
    );
  }
  return new NetlabError(`'${line}' failed: ${stderr || err.message}`);
}

/** Runs a tool and resolves with its output; rejects with a NetlabError that names the fix. */
export function run(cmd: string, args: readonly string[], input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(explain(cmd, args, Object.assign(err, { stderr })));
        return;
      }
      resolve({ stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/**
 * The synchronous twin, only for the process 'exit' path, where no promise can settle.
 * Returns null instead of throwing: cleanup must try every step even if one fails.
 */
export function runSyncQuiet(cmd: string, args: readonly string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    return null;
  }
}
