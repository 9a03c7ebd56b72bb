import { createInterface } from 'node:readline';
import { DuetError } from '../src/errors';
import { createOwner, loadDemoStore, loadFilesIntoStore, type OwnerHandle } from '../src/node';
import type { Budget } from '../src/privacy/dp/ledger';
import { DEFAULT_BUDGET } from '../src/duet/ds-constants';
import type { AssetMeta } from '../src/duet/store';
import { DEFAULT_PORT, parseIceServers, startHub, type Hub } from '../signaling-server/index';
import type { CliIo } from './codec';

// `duet owner [files...]`: a headless data owner. It loads the files (or the demo), opens a
// session, prints the code and serves a scientist until Ctrl+C. Requests wait for the person
// at the terminal (approve / deny) unless a policy given on the command line decides them.

export const OWNER_USAGE = `usage: duet owner [options] [files or folders...]
  Loads CSV/TSV, Arrow IPC, Parquet, MNIST IDX or JSON files (the demo data when none are
  given), prints a session code, and serves the scientist until Ctrl+C.
options:
  --hub URL               use a running hub (default: $DUET_HUB, else start one here)
  --port N                port of the hub started here (default $PORT or ${DEFAULT_PORT})
  --mock                  offer a synthetic mock of each file
  --infer-domains         declare each file's ranges and levels public (DP bounds, mocks)
  --budget EPS[,DELTA]    each scientist's DP budget per asset (default ${DEFAULT_BUDGET.epsilon},${DEFAULT_BUDGET.delta}); "none" for none
  --approve-tag TAG       approve requests for values made only from assets with this tag
  --approve-max-elements N   ...and at most N elements (with --approve-tag)
commands while running:
  approve N [message]     release request N          deny N [message]   refuse it
  list                    pending requests           quit               stop`;

export interface OwnerCliOptions {
  hub?: string;
  port: number;
  mock: boolean;
  inferDomains: boolean;
  budget: Budget | null;
  approveTags: string[];
  approveMaxElements?: number;
  files: string[];
}

function usage(message: string): DuetError {
  return new DuetError('INVALID_ARGUMENT', `${message}\n${OWNER_USAGE}`, { reason: 'USAGE' });
}

export function parseOwnerArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): OwnerCliOptions {
  const o: OwnerCliOptions = { port: Number(env.PORT || DEFAULT_PORT), mock: false, inferDomains: false, budget: { ...DEFAULT_BUDGET }, approveTags: [], files: [] };
  if (env.DUET_HUB) o.hub = env.DUET_HUB;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw usage(`${a} needs a value.`);
      return v;
    };
    switch (a) {
      case '--hub':
        o.hub = value();
        break;
      case '--port':
        o.port = Number(value());
        if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw usage('--port takes a port number (0-65535).');
        break;
      case '--mock':
        o.mock = true;
        break;
      case '--infer-domains':
        o.inferDomains = true;
        break;
      case '--budget': {
        const v = value();
        if (v === 'none') o.budget = null;
        else {
          const [eps, delta] = v.split(',').map(Number);
          if (!(eps! >= 0) || (delta !== undefined && !(delta >= 0 && delta < 1))) throw usage('--budget takes EPS or EPS,DELTA, e.g. 1,1e-5.');
          o.budget = { epsilon: eps!, delta: delta ?? 0, composition: 'rdp' };
        }
        break;
      }
      case '--approve-tag':
        o.approveTags.push(value());
        break;
      case '--approve-max-elements':
        o.approveMaxElements = Number(value());
        if (!Number.isSafeInteger(o.approveMaxElements) || o.approveMaxElements < 0) throw usage('--approve-max-elements takes a count.');
        break;
      default:
        if (a.startsWith('--')) throw usage(`Unknown option ${a}.`);
        o.files.push(a);
    }
  }
  if (o.approveMaxElements !== undefined && o.approveTags.length === 0) throw usage('--approve-max-elements needs --approve-tag: an approve rule must name the data it releases.');
  return o;
}

export interface RunningOwner {
  readonly code: string;
  readonly handle: OwnerHandle;
  readonly hubUrl: string;
  /** Numbers the DO types in `approve N`, by request id. */
  readonly numbers: Map<number, string>;
  stop(): Promise<void>;
}

function describeAsset(a: AssetMeta): string {
  return a.kind === 'table' ? `${a.id} (table, ${a.rowCount} rows, ${a.schema?.length ?? 0} columns)` : `${a.id} (${a.dtype} tensor [${a.shape?.join(', ')}])`;
}

/** Loads the data, opens the session and starts printing what happens. */
export async function startOwner(o: OwnerCliOptions, io: CliIo, appDir?: string): Promise<RunningOwner> {
  const store = o.files.length > 0 ? (await loadFilesIntoStore(o.files, { mock: o.mock, inferDomains: o.inferDomains })).store : await loadDemoStore();
  let hub: Hub | undefined;
  let hubUrl = o.hub;
  if (hubUrl === undefined) {
    hub = await startHub({ port: o.port, ...(appDir ? { staticDir: appDir } : {}), iceServers: parseIceServers(process.env.DUET_ICE_SERVERS) });
    hubUrl = hub.url;
  }
  let handle: OwnerHandle;
  try {
    handle = await createOwner({ hubUrl, store, defaultBudget: o.budget });
  } catch (e) {
    await hub?.close();
    throw e;
  }
  const { owner, session } = handle;
  if (o.approveTags.length > 0) {
    owner.policies.add({ action: 'approve', tags: o.approveTags, ...(o.approveMaxElements !== undefined ? { maxElements: o.approveMaxElements } : {}) });
  }
  const numbers = new Map<number, string>();
  const seen = new Set<string>();
  let next = 1;
  const code = session.code;
  io.out('');
  io.out(`  Duet data owner: ${store.listing().length} asset(s)`);
  for (const a of store.listing()) io.out(`    ${describeAsset(a)}`);
  io.out('');
  io.out(`  Session code: ${code.slice(0, 5)}-${code.slice(5)}`);
  if (hub) io.out(`  The scientist opens ${hub.url}/#/join/${code}`);
  io.out(`  Budget per asset: ${o.budget ? `ε=${o.budget.epsilon}, δ=${o.budget.delta}` : 'none (DP queries refused)'}`);
  io.out('  Type "approve N" or "deny N [message]" when a request comes in; Ctrl+C to stop.');
  io.out('');
  session.on('state', (s) => io.out(`[session] ${s}`));
  owner.on('activity', (a) => io.out(`[${a.scientist.slice(0, 6)}] ${a.text}`));
  owner.on('change', (topic) => {
    if (topic !== 'requests') return;
    for (const r of owner.pending()) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      const n = next++;
      numbers.set(n, r.id);
      io.out(`  Request ${n}: "${r.reason}" — ${r.elements} element(s) from ${r.lineage.assets.join(', ')} via ${r.lineage.ops.join(', ') || 'no ops'}`);
      io.out(`    preview: ${JSON.stringify(r.preview).slice(0, 200)}`);
    }
  });
  return {
    code,
    handle,
    hubUrl,
    numbers,
    stop: async () => {
      handle.close();
      await hub?.close();
    },
  };
}

/** One line typed at the terminal. Returns false to stop. */
export function ownerCommandLine(line: string, running: RunningOwner, io: CliIo): boolean {
  const [cmd, n, ...words] = line.trim().split(/\s+/);
  const { owner } = running.handle;
  try {
    switch (cmd) {
      case undefined:
      case '':
        return true;
      case 'approve':
      case 'deny': {
        const id = running.numbers.get(Number(n));
        if (id === undefined) throw new DuetError('NOT_FOUND', `No request ${n ?? ''}; "list" shows them.`);
        const r = cmd === 'approve' ? owner.approve(id, words.join(' ')) : owner.deny(id, words.join(' '));
        io.out(`  Request ${n} ${r.status}.`);
        return true;
      }
      case 'list': {
        const pending = [...running.numbers].filter(([, id]) => owner.pending().some((r) => r.id === id));
        io.out(pending.length ? pending.map(([k, id]) => `  ${k}: ${owner.queue.info(id).reason}`).join('\n') : '  No requests waiting.');
        return true;
      }
      case 'quit':
      case 'exit':
        return false;
      default:
        io.err('  Commands: approve N [message], deny N [message], list, quit');
        return true;
    }
  } catch (e) {
    io.err(`  ${DuetError.from(e).message}`);
    return true;
  }
}

/** `duet owner`: runs until Ctrl+C or "quit". */
export async function ownerCommand(args: string[], io: CliIo, appDir?: string): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(OWNER_USAGE);
    return 0;
  }
  const running = await startOwner(parseOwnerArgs(args), io, appDir);
  return new Promise<number>((resolve) => {
    const stop = () => void running.stop().then(() => resolve(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Without a terminal (stdin closed) the owner still serves; policies and Ctrl+C remain.
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      if (!ownerCommandLine(line, running, io)) {
        rl.close();
        stop();
      }
    });
  });
}
