// From the raw samples to the JSON's `cells` and `negotiated` (the schema) and the
// three targets of BENCHMARKS.md section 2.

import { summarize } from '../netlab/stats';
import { PAYLOADS, type PayloadName } from './payloads';
import { CONTROL, NEGOTIATED, type LinkRun, type RunRecord, type Sample } from './results';

export interface Cell {
  link: string;
  payload: string;
  codec: string;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  runs: number;
  /** Median bytes on the wire. */
  wire_bytes: number;
  all_ok: boolean;
  /** Median garbage collection in the owner during send(), ms. */
  gc_ms: number | null;
}

export interface NegotiatedCell {
  link: string;
  payload: string;
  /** The codec the negotiator picked most often over the kept runs. */
  pick: string;
  /** The path the negotiated transfers used most often (the pinned one unless --path auto). */
  pick_path: string;
  /** Every pick with its count, e.g. {"sparse": 4, "blosc-lz4": 1}. */
  picks: Record<string, number>;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  runs: number;
  /** Negotiated median over the best fixed codec's median (the oracle). */
  oracle_ratio: number;
  oracle: string;
  oracle_ms: number;
  none_ms: number | null;
  /** Raw (codec none) median over the negotiated median. */
  speedup_vs_none: number | null;
  /** Median time from send() to the negotiator's decision (probes, codec speeds, sampling). */
  decide_ms: number | null;
  /** Kept runs decided from memory (no sampling), and the median decision time of the runs that sampled. */
  recalled: number;
  sampled_decide_ms: number | null;
  /** Median garbage collection in the owner during the negotiated send(), ms. */
  gc_ms: number | null;
  /** Kept runs in which the negotiator re-probed a drifted path before deciding. */
  reprobes: number;
  /**
   * The fast links' noise floor: the medians of `none` and of the same raw send in the CONTROL
   * column, larger over smaller (1.0 when they agree); null where there is no control column.
   */
  aa_ratio: number | null;
  none_again_ms: number | null;
  /** The reason the negotiator gave, for the last kept run. */
  reason: string;
  all_ok: boolean;
}

export interface Summary {
  cells: Cell[];
  negotiated: NegotiatedCell[];
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

function cellOf(link: string, payload: string, column: string, samples: readonly Sample[]): Cell | null {
  const s = summarize(samples.map((x) => x.ms));
  if (!s) return null;
  return {
    link,
    payload,
    codec: column,
    median_ms: round(s.median),
    min_ms: round(s.min),
    max_ms: round(s.max),
    runs: s.n,
    wire_bytes: summarize(samples.map((x) => x.wireBytes))?.median ?? 0,
    all_ok: samples.every((x) => x.ok),
    gc_ms: medianOf(samples.map((x) => x.gcMs)),
  };
}

function medianOf(values: readonly (number | undefined)[]): number | null {
  const s = summarize(values.filter((v): v is number => v !== undefined));
  return s ? round(s.median) : null;
}

function linkSummary(l: LinkRun): Summary {
  const kept = l.samples.filter((s) => s.run >= l.warmup);
  const payloads = [...new Set(kept.map((s) => s.payload))];
  const cells: Cell[] = [];
  const negotiated: NegotiatedCell[] = [];
  for (const payload of payloads) {
    const mine = kept.filter((s) => s.payload === payload);
    const columns = [...new Set(mine.map((s) => s.column))].filter((c) => c !== NEGOTIATED && c !== CONTROL);
    const fixed = columns.map((c) => cellOf(l.link, payload, c, mine.filter((s) => s.column === c))).filter((c): c is Cell => c !== null);
    cells.push(...fixed);
    const neg = mine.filter((s) => s.column === NEGOTIATED);
    const n = summarize(neg.map((s) => s.ms));
    const oracle = [...fixed].sort((a, b) => a.median_ms - b.median_ms)[0];
    if (!n || !oracle) continue;
    const picks: Record<string, number> = {};
    for (const s of neg) picks[s.codec] = (picks[s.codec] ?? 0) + 1;
    const pick = Object.entries(picks).sort((a, b) => b[1] - a[1])[0]![0];
    const paths: Record<string, number> = {};
    for (const s of neg) paths[s.path] = (paths[s.path] ?? 0) + 1;
    const pickPath = Object.entries(paths).sort((a, b) => b[1] - a[1])[0]![0];
    const none = fixed.find((c) => c.codec === 'none');
    const again = summarize(mine.filter((s) => s.column === CONTROL).map((s) => s.ms));
    negotiated.push({
      link: l.link,
      payload,
      pick,
      pick_path: pickPath,
      picks,
      median_ms: round(n.median),
      min_ms: round(n.min),
      max_ms: round(n.max),
      runs: n.n,
      oracle_ratio: round(n.median / oracle.median_ms, 3),
      oracle: oracle.codec,
      oracle_ms: oracle.median_ms,
      none_ms: none?.median_ms ?? null,
      speedup_vs_none: none ? round(none.median_ms / n.median, 2) : null,
      decide_ms: medianOf(neg.map((s) => s.decideMs)),
      recalled: neg.filter((s) => s.recalled === true).length,
      sampled_decide_ms: medianOf(neg.filter((s) => s.recalled !== true).map((s) => s.decideMs)),
      gc_ms: medianOf(neg.map((s) => s.gcMs)),
      reprobes: neg.filter((s) => (s.probed?.length ?? 0) > 0).length,
      aa_ratio: none && again ? round(Math.max(none.median_ms, again.median) / Math.min(none.median_ms, again.median), 3) : null,
      none_again_ms: again ? round(again.median) : null,
      reason: neg.at(-1)?.reason ?? '',
      all_ok: neg.every((s) => s.ok),
    });
  }
  return { cells, negotiated };
}

export function summarizeRecord(r: RunRecord): Summary {
  const parts = r.links.map(linkSummary);
  return { cells: parts.flatMap((p) => p.cells), negotiated: parts.flatMap((p) => p.negotiated) };
}

/** Target thresholds (BENCHMARKS.md section 2). */
export const ORACLE_MAX = 1.1;
export const SLOW_LINK = '2mbit';
export const SLOW_LINK_MIN_SPEEDUP = 2;
export const LOOPBACK_LINK = 'loopback';
export const LOOPBACK_MAX_OVERHEAD = 1.05;

export interface TargetRow {
  target: string;
  link: string;
  payload: string;
  value: number | null;
  limit: number;
  met: boolean;
}

/** One row per cell a target applies to. */
export function targetRows(s: Summary): TargetRow[] {
  const rows: TargetRow[] = [];
  for (const n of s.negotiated) {
    rows.push({ target: 'oracle', link: n.link, payload: n.payload, value: n.oracle_ratio, limit: ORACLE_MAX, met: n.oracle_ratio <= ORACLE_MAX });
    if (n.link === SLOW_LINK && !PAYLOADS[n.payload as PayloadName]?.incompressible) {
      rows.push({ target: 'slow-link', link: n.link, payload: n.payload, value: n.speedup_vs_none, limit: SLOW_LINK_MIN_SPEEDUP, met: (n.speedup_vs_none ?? 0) >= SLOW_LINK_MIN_SPEEDUP });
    }
    if (n.link === LOOPBACK_LINK) {
      const overhead = n.none_ms === null ? null : round(n.median_ms / n.none_ms, 3);
      rows.push({ target: 'loopback', link: n.link, payload: n.payload, value: overhead, limit: LOOPBACK_MAX_OVERHEAD, met: overhead !== null && overhead <= LOOPBACK_MAX_OVERHEAD });
    }
  }
  return rows;
}
