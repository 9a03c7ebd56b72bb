// One link: build the lab, start the owner (with the hub) in B and the scientist in A, then
// move every payload with every fixed codec and with the negotiator, interleaved run by run.

import { fileURLToPath } from 'node:url';
import { createLab, LINKS, type Lab, type LinkName } from '../netlab/lab';
import { summarize } from '../netlab/stats';
import type { PathName } from '../../src/transport/paths/types';
import { ChildLines } from './child';
import { PAYLOADS, type PayloadName } from './payloads';
import { CONTROL, FOCUS_CONTENDER_FACTOR, NEGOTIATED, type LinkRun, type Sample } from './results';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PREFIX = 'duetneg';

/** The lossless codecs every payload is sent with; gradients add the lossy ones. */
export const LOSSLESS_CODECS = ['none', 'xz', 'blosc-lz4', 'blosc-zstd', 'sparse'] as const;
export const LOSSY_CODECS = ['topk', 'dgc'] as const;

/** Connect, probe and the first (cost-measuring) transfers can take a while on 2 Mbit/s. */
const SETUP_TIMEOUT_MS = 180_000;
const TRANSFER_TIMEOUT_MS = 300_000;

export function columnsFor(payload: PayloadName, control: boolean): string[] {
  return [...LOSSLESS_CODECS, ...(PAYLOADS[payload].gradient ? LOSSY_CODECS : []), ...(control ? [CONTROL] : []), NEGOTIATED];
}

export interface LinkPlan {
  link: LinkName;
  bytes: number;
  payloads: readonly PayloadName[];
  /** Kept runs; one warm-up run is added before them. */
  runs: number;
  /** Then this many runs of the contenders only (focusColumns); 0 on the slow links. */
  focusRuns: number;
  /** Also send every payload raw a second time, as the CONTROL column (the fast links). */
  control: boolean;
  path: PathName | null;
  log: (line: string) => void;
}

async function transfer(owner: ChildLines, scientist: ChildLines, plan: LinkPlan, run: number, payload: PayloadName, column: string): Promise<Sample> {
  const id = `${plan.link}-r${run}-${payload}-${column}`;
  owner.send({ cmd: 'settle' });
  scientist.send({ cmd: 'settle' });
  await Promise.all([owner.next((l) => l['settled'] === true, 30_000), scientist.next((l) => l['settled'] === true, 30_000)]);
  scientist.send({ cmd: 'expect', id, payload });
  await scientist.next((l) => l['expecting'] === id, 30_000);
  owner.send({ cmd: 'send', id, payload, codec: column === NEGOTIATED ? null : column === CONTROL ? 'none' : column, path: plan.path });
  const failed = (l: Record<string, unknown>) => l['failed'] === id || ('error' in l && JSON.stringify(l['command'] ?? '').includes(id));
  const [sent, got] = await Promise.all([
    owner.next((l) => l['sent'] === id || failed(l), TRANSFER_TIMEOUT_MS),
    scientist.next((l) => l['got'] === id || failed(l), TRANSFER_TIMEOUT_MS),
  ]);
  if (!('sent' in sent)) throw new Error(`${id}: owner: ${JSON.stringify(sent)}`);
  if (!('got' in got)) throw new Error(`${id}: scientist: ${JSON.stringify(got)}`);
  const sample: Sample = {
    run,
    payload,
    column,
    ms: Number(got['t1']) - Number(sent['t0']),
    codec: String(sent['codec']),
    path: String(sent['path']),
    reason: String(sent['reason']),
    wireBytes: Number(sent['wireBytes']),
    ok: got['ok'] === true,
    ...(typeof got['relError'] === 'number' ? { relError: got['relError'] } : {}),
    ...(typeof sent['announceMs'] === 'number' ? { announceMs: sent['announceMs'] } : {}),
    ...(typeof sent['sentMs'] === 'number' ? { sentMs: sent['sentMs'] } : {}),
    ...(typeof sent['encodeMs'] === 'number' ? { encodeMs: sent['encodeMs'] } : {}),
    ...(typeof got['tStart'] === 'number' && got['tStart'] > 0 ? { startMs: got['tStart'] - Number(sent['t0']) } : {}),
    ...(typeof sent['gcMs'] === 'number' ? { gcMs: sent['gcMs'] } : {}),
    ...(typeof got['gcMs'] === 'number' ? { scientistGcMs: got['gcMs'] } : {}),
    ...(typeof sent['decideMs'] === 'number' ? { decideMs: sent['decideMs'], sampled: sent['sampled'] as string[], sampleBytes: Number(sent['sampleBytes']), recalled: sent['recalled'] === true, probed: sent['probed'] as string[] } : {}),
  };
  const decide = sample.decideMs === undefined ? '' : `, decided in ${sample.decideMs.toFixed(1)} ms (${sample.recalled ? 'from memory' : `sampled ${sample.sampled?.join('+') || 'nothing'}, ${sample.sampleBytes} B`}${sample.probed?.length ? `; re-probed ${sample.probed.join('+')}` : ''})`;
  plan.log(`${id}: ${sample.ms.toFixed(1)} ms, ${sample.codec} over ${sample.path}, ${sample.wireBytes} B, ${sample.encodeMs === undefined ? '' : `encoded in ${sample.encodeMs.toFixed(1)} ms, `}announced at ${sample.announceMs?.toFixed(1)} ms (heard at ${sample.startMs?.toFixed(1)} ms), owner GC ${sample.gcMs?.toFixed(1)} ms, scientist GC ${sample.scientistGcMs?.toFixed(1)} ms${decide}${sample.ok ? '' : ' NOT OK'}`);
  return sample;
}

/**
 * The columns the targets compare, from the main runs' medians: the negotiated one, raw and its
 * control (the loopback target and the noise floor), and every fixed codec near the best.
 */
export function focusColumns(payload: PayloadName, samples: readonly Sample[], warmup: number, control: boolean): string[] {
  const all = columnsFor(payload, control);
  const median = (column: string) => summarize(samples.filter((x) => x.payload === payload && x.column === column && x.run >= warmup).map((x) => x.ms))?.median ?? Infinity;
  const fixed = all.filter((c) => c !== NEGOTIATED && c !== CONTROL);
  const best = Math.min(...fixed.map(median));
  return all.filter((c) => c === NEGOTIATED || c === CONTROL || c === 'none' || median(c) <= best * FOCUS_CONTENDER_FACTOR);
}

/**
 * The columns in a fresh order each run (a permutation seeded by the run index, so a re-run
 * sends them in the same orders). Rotating one cyclic order was not enough: each column then
 * always followed the same one, and the negotiated column, after the raw 4 MB transfer, ran
 * 7-16 ms behind the same codec sent fixed on the fast links.
 */
function shuffled<T>(xs: readonly T[], run: number): T[] {
  const out = [...xs];
  let seed = (run + 1) * 0x9e3779b1;
  const next = () => {
    seed = (seed ^ (seed << 13)) >>> 0;
    seed = (seed ^ (seed >>> 17)) >>> 0;
    seed = (seed ^ (seed << 5)) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export async function runLink(plan: LinkPlan): Promise<LinkRun> {
  const spec = LINKS[plan.link];
  const out: LinkRun = { link: plan.link, rateMbit: spec.rateMbit, rttMs: spec.rttMs, built: false, warmup: 1, runs: plan.runs, samples: [], bytes: plan.bytes };
  const started = performance.now();
  let lab: Lab | null = null;
  try {
    lab = await createLab({ link: plan.link, prefix: PREFIX });
    out.built = true;
    if (spec.topology === 'veth') out.qdisc = await lab.qdiscs();
    const owner = new ChildLines('owner', lab.spawnNode('b', `${HERE}owner.ts`, ['--bytes', String(plan.bytes)]));
    const ready = await owner.next((l) => l['ready'] === true, SETUP_TIMEOUT_MS);
    const hub = await lab.tcpEndpoint(Number(ready['hubPort']));
    const flight = await lab.tcpEndpoint(Number(ready['flightPort']));
    const scientist = new ChildLines(
      'scientist',
      lab.spawnNode('a', `${HERE}scientist.ts`, ['--hub', `http://${hub.host}:${hub.port}`, '--flight', `${flight.host}:${flight.port}`, '--code', String(ready['code']), '--bytes', String(plan.bytes)]),
    );
    await scientist.next((l) => l['connected'] === true, SETUP_TIMEOUT_MS);
    out.estimatesAfterProbe = (await owner.next((l) => l['probed'] === true, SETUP_TIMEOUT_MS))['estimates'];
    plan.log(`${plan.link}: connected and probed`);
    const runs = async (from: number, to: number, columnsOf: (payload: PayloadName) => string[]) => {
      for (let run = from; run < to; run++) {
        for (const payload of plan.payloads) {
          for (const column of shuffled(columnsOf(payload), run)) out.samples.push(await transfer(owner, scientist, plan, run, payload, column));
        }
      }
    };
    const main = plan.runs + out.warmup;
    await runs(0, main, (payload) => columnsFor(payload, plan.control));
    if (plan.focusRuns > 0) {
      const focus = new Map(plan.payloads.map((p) => [p, focusColumns(p, out.samples, out.warmup, plan.control)]));
      out.focus = { runs: plan.focusRuns, columns: Object.fromEntries(focus) };
      plan.log(`${plan.link}: focus runs on ${JSON.stringify(out.focus.columns)}`);
      await runs(main, main + plan.focusRuns, (payload) => focus.get(payload)!);
    }
    owner.send({ cmd: 'state' });
    out.estimatesAtEnd = (await owner.next((l) => l['state'] === true, 30_000))['estimates'];
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
    plan.log(`${plan.link}: ${out.error}`);
  } finally {
    await lab?.close();
  }
  out.seconds = Math.round((performance.now() - started) / 100) / 10;
  return out;
}
