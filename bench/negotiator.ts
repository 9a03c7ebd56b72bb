// Compression-negotiator benchmark (BENCHMARKS.md section 2): every payload over every shaped
// link, with each fixed codec and with the negotiator, interleaved run by run in one process
// run. Writes docs/benchmarks/negotiator.{json,md,svg}.
//   npm run bench:negotiator -- [--links 2mbit,20mbit,200mbit,loopback] [--payloads a,b]
//                               [--runs 5] [--quick] [--path arrow-flight|auto] [--report-only]
// --path auto (the negotiator picks path and codec; fixed codecs pin only the codec) writes
// negotiator-auto.{json,md,svg} instead.
// Design: docs/codecs.md, "The negotiator benchmark"; the pieces are in bench/negotiator/.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isLinkName, labUnavailableReason, LINKS, type LinkName } from './netlab/lab';
import { machineInfo } from './netlab/machine';
import { flag } from './negotiator/protocol';
import { isPayloadName, MNIST_F32_BYTES, PAYLOAD_NAMES, type PayloadName } from './negotiator/payloads';
import { renderMarkdown, renderSvg, summarizeRecord } from './negotiator/report';
import type { RunRecord } from './negotiator/results';
import type { Summary } from './negotiator/summary';
import { runLink } from './negotiator/run-link';
import { PATH_NAMES, type PathName } from '../src/transport/paths/types';

const OUT_DIR = fileURLToPath(new URL('../docs/benchmarks/', import.meta.url));
const DEFAULT_LINKS: LinkName[] = ['2mbit', '20mbit', '200mbit', 'loopback'];

/**
 * Payload bytes per link: large enough that the link dominates raw sends, small enough that
 * the slowest raw send stays a few seconds (every payload is sent 5-8 ways per run). 2 Mbit/s
 * gets 160 MNIST images' worth (502 kB, ~2.1 s raw); the others all 1280 (4.0 MB).
 */
const BYTES: Record<LinkName, number> = {
  '2mbit': MNIST_F32_BYTES / 8,
  '20mbit': MNIST_F32_BYTES,
  '200mbit': MNIST_F32_BYTES,
  veth: MNIST_F32_BYTES,
  loopback: MNIST_F32_BYTES,
};

/**
 * Fast links get this many times --runs: their cells last 15-200 ms, where scheduling noise on
 * the 2-core machine is as large as the differences measured (loopback `none` ranged 12-71 ms
 * within one run). With 3x (15 runs) the medians of two identical sends still differed by up to
 * 8 ms; 9x (45 runs) costs ~6 min more per full run.
 */
const FAST_LINK_RUN_FACTOR = 9;

/**
 * Then fast links get twice that again in focus runs, which send only the columns the targets
 * compare (run-link.ts, focusColumns): the negotiated one, raw and its control, and the fixed
 * codecs near the best. 45 runs left the medians of two identical raw sends up to 1.39x apart;
 * the targets ask for 1.05x and 1.10x. The focus runs cost ~5 min, where 90 more full runs
 * would cost ~25 (xz alone takes 0.5-1.3 s per send there).
 */
const FAST_LINK_FOCUS_FACTOR = 18;
const FAST_LINKS: readonly LinkName[] = ['200mbit', 'veth', 'loopback'];

function list<T extends string>(value: string | undefined, fallback: readonly T[], valid: (v: string) => v is T, what: string): T[] {
  if (value === undefined) return [...fallback];
  const items = value.split(',');
  for (const v of items) if (!valid(v)) throw new Error(`unknown ${what} ${v}`);
  return items as T[];
}

/** The report's file name: a run that lets the negotiator choose the path too is kept apart. */
const baseName = (path: PathName | null): string => (path === null ? 'negotiator-auto' : 'negotiator');

async function writeReports(record: RunRecord): Promise<void> {
  const summary = summarizeRecord(record);
  const base = `${OUT_DIR}${baseName(record.path as PathName | null)}`;
  await mkdir(OUT_DIR, { recursive: true });
  // The schema first (cells, negotiated), then the raw record they are computed from.
  await writeFile(`${base}.json`, `${JSON.stringify({ ...summary, ...record }, null, 2)}\n`);
  await writeFile(`${base}.md`, renderMarkdown(record, summary));
  await writeFile(`${base}.svg`, renderSvg(record, summary));
  process.stderr.write(`negotiator: wrote ${base}.{json,md,svg}\n`);
}

function pathOption(): PathName | null {
  const value = flag('--path') ?? 'arrow-flight';
  if (value === 'auto') return null;
  if (!(PATH_NAMES as readonly string[]).includes(value)) throw new Error(`unknown path ${value}; known: ${PATH_NAMES.join(', ')}, auto`);
  return value as PathName;
}

async function main(): Promise<void> {
  const path = pathOption();
  if (process.argv.includes('--report-only')) {
    // The summary fields are recomputed from the raw samples, never read back.
    const file = `${OUT_DIR}${baseName(path)}.json`;
    const { cells: _cells, negotiated: _negotiated, ...record } = JSON.parse(await readFile(file, 'utf8')) as RunRecord & Partial<Summary>;
    return writeReports(record);
  }
  const quick = process.argv.includes('--quick');
  const links = list(flag('--links'), DEFAULT_LINKS, isLinkName, 'link');
  const payloads = list<PayloadName>(flag('--payloads'), PAYLOAD_NAMES, isPayloadName, 'payload');
  const runs = Number(flag('--runs') ?? (quick ? 2 : 5));

  const record: RunRecord = {
    machine: await machineInfo(),
    command: ['npm run bench:negotiator', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    path,
    runs,
    unavailable: await labUnavailableReason(),
    links: [],
  };
  if (record.unavailable !== null) {
    process.stderr.write(`negotiator: no link can be built here: ${record.unavailable}\n`);
    for (const link of links) record.links.push({ link, rateMbit: LINKS[link].rateMbit, rttMs: LINKS[link].rttMs, built: false, error: record.unavailable, warmup: 0, samples: [] });
  } else {
    for (const link of links) {
      const bytes = quick ? BYTES[link] / 4 : BYTES[link];
      const linkRuns = FAST_LINKS.includes(link) ? runs * FAST_LINK_RUN_FACTOR : runs;
      const focusRuns = FAST_LINKS.includes(link) ? runs * FAST_LINK_FOCUS_FACTOR : 0;
      const result = await runLink({ link, bytes, payloads, runs: linkRuns, focusRuns, control: FAST_LINKS.includes(link), path, log: (line) => process.stderr.write(`${line}\n`) });
      if (!result.built || result.error) process.stderr.write(`negotiator: ${link} could not be measured: ${result.error ?? 'not built'}\n`);
      record.links.push(result);
      // Written after every link, so a run cut short still leaves its finished links behind.
      await writeReports(record);
    }
  }
  await writeReports(record);
}

main().catch((err: unknown) => {
  process.stderr.write(`negotiator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
