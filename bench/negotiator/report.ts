// docs/benchmarks/negotiator.md and .svg from a run record. Every "why" here is derived from
// the same run's numbers: the negotiator's own codec measured as a fixed column gives its
// decision overhead, and the best fixed codec bounds what any pick could have reached.

import { barChartSvg } from '../plot';
import { LINKS, isLinkName } from '../netlab/links';
import { PAYLOADS } from './payloads';
import { CONTROL, FOCUS_CONTENDER_FACTOR, type LinkRun, type RunRecord } from './results';
import { LOOPBACK_MAX_OVERHEAD, ORACLE_MAX, SLOW_LINK_MIN_SPEEDUP, targetRows, type Cell, type NegotiatedCell, type Summary, type TargetRow } from './summary';
export { summarizeRecord } from './summary';

const f = (x: number, digits = 1): string => x.toFixed(digits);
const kb = (bytes: number): string => `${f(bytes / 1000, 1)} kB`;

function cellFor(s: Summary, n: NegotiatedCell, codec: string): Cell | undefined {
  return s.cells.find((c) => c.link === n.link && c.payload === n.payload && c.codec === codec);
}

/** Why a negotiated cell came out where it did, from this run's own columns. */
function why(s: Summary, n: NegotiatedCell): string {
  const same = cellFor(s, n, n.pick);
  const oracle = cellFor(s, n, n.oracle);
  const parts: string[] = [];
  const picks = Object.entries(n.picks).map(([c, k]) => `${c} ×${k}`).join(', ');
  if (n.pick !== n.oracle && same && oracle) {
    parts.push(`picked ${n.pick} (${picks}); sent as a fixed codec, ${n.pick} took ${f(same.median_ms)} ms against ${n.oracle}'s ${f(oracle.median_ms)} ms (${kb(same.wire_bytes)} vs ${kb(oracle.wire_bytes)} on the wire)`);
  } else {
    parts.push(`picked ${n.oracle}, the oracle's codec (${picks})`);
  }
  if (same) {
    const overhead = n.median_ms - same.median_ms;
    parts.push(`negotiated minus fixed ${n.pick}: ${overhead >= 0 ? '+' : ''}${f(overhead)} ms`);
  }
  if (n.decide_ms !== null) parts.push(`deciding took ${f(n.decide_ms)} ms (median)${n.reprobes ? `, with a re-probe of the path in ${n.reprobes} of ${n.runs} runs` : ''}`);
  if (n.recalled) parts.push(`decided from memory in ${n.recalled} of ${n.runs} runs${n.sampled_decide_ms !== null ? ` (runs that sampled: ${f(n.sampled_decide_ms)} ms to decide)` : ' (the warm-up run sampled)'}`);
  if (n.gc_ms !== null && same?.gc_ms != null) parts.push(`owner GC during send ${f(n.gc_ms)} ms (fixed ${n.pick}: ${f(same.gc_ms)} ms)`);
  if (n.aa_ratio !== null && n.none_ms !== null && n.none_again_ms !== null) parts.push(`noise floor: none sent twice as two columns, ${f(n.none_ms)} and ${f(n.none_again_ms)} ms (${f(n.aa_ratio, 3)}x)`);
  return parts.join('; ');
}

function targetSection(s: Summary, rows: TargetRow[]): string[] {
  const out: string[] = ['## Targets', ''];
  const groups: { key: TargetRow['target']; title: string; unit: string }[] = [
    { key: 'oracle', title: `Negotiated ≤ ${ORACLE_MAX}x the best fixed codec, every cell`, unit: 'x oracle' },
    { key: 'slow-link', title: `≥ ${SLOW_LINK_MIN_SPEEDUP}x faster than no compression on 2 Mbit/s, compressible payloads`, unit: 'x faster than none' },
    { key: 'loopback', title: `On loopback, ≤ ${Math.round((LOOPBACK_MAX_OVERHEAD - 1) * 100)}% over no compression`, unit: 'x none' },
  ];
  out.push('| target | cells | met | missed | verdict |', '|---|---|---|---|---|');
  for (const g of groups) {
    const mine = rows.filter((r) => r.target === g.key);
    const met = mine.filter((r) => r.met).length;
    const verdict = mine.length === 0 ? 'not measured' : met === mine.length ? '**met**' : `**missed** in ${mine.length - met} of ${mine.length}`;
    out.push(`| ${g.title} | ${mine.length} | ${met} | ${mine.length - met} | ${verdict} |`);
  }
  const aa = s.negotiated.filter((n) => n.aa_ratio !== null);
  if (aa.length) {
    const ratios = aa.map((n) => n.aa_ratio!).sort((a, b) => a - b);
    out.push(
      '',
      `**Noise floor.** On the fast links every payload is also sent raw a second time, as a column of its own (\`${CONTROL}\`). The two medians of identical sends differed by ${f(ratios[0]!, 3)}x to ${f(ratios.at(-1)!, 3)}x (median ${f(ratios[Math.floor(ratios.length / 2)]!, 3)}x over ${aa.length} cells), to set beside the ${ORACLE_MAX}x and ${LOOPBACK_MAX_OVERHEAD}x limits. Per cell in the "why" column.`,
    );
  }
  for (const g of groups) {
    const mine = rows.filter((r) => r.target === g.key);
    if (mine.length === 0) continue;
    out.push('', `### ${g.title}`, '', `| link | payload | ${g.unit} | limit | | why (from this run) |`, '|---|---|---|---|---|---|');
    for (const r of mine) {
      const n = s.negotiated.find((x) => x.link === r.link && x.payload === r.payload)!;
      let reason = why(s, n);
      if (g.key === 'slow-link') {
        const o = cellFor(s, n, n.oracle);
        const none = cellFor(s, n, 'none');
        if (o && none) reason = `best fixed (${n.oracle}) is ${f(none.median_ms / o.median_ms, 2)}x faster than none, its frame ${f(none.wire_bytes / o.wire_bytes, 2)}x smaller; ${reason}`;
      }
      if (g.key === 'loopback' && n.none_ms !== null) reason = `none ${f(n.none_ms)} ms, negotiated ${f(n.median_ms)} ms; ${reason}`;
      out.push(`| ${r.link} | ${r.payload} | ${r.value === null ? '–' : f(r.value, g.key === 'slow-link' ? 2 : 3)} | ${r.limit} | ${r.met ? 'met' : '**missed**'} | ${reason} |`);
    }
  }
  return out;
}

/** What the focus runs sent, per fast link: only those columns have more than the main runs. */
function focusLines(r: RunRecord): string[] {
  const withFocus = r.links.filter((l) => l.focus);
  if (withFocus.length === 0) return [];
  return [
    `- Focus runs: on ${withFocus.map((l) => l.link).join(' and ')}, ${withFocus.map((l) => l.focus!.runs).join('/')} more runs followed that sent only the columns the targets compare: negotiated, none and its control, and the fixed codecs whose median after the main runs was within ${FOCUS_CONTENDER_FACTOR}x of the best (same seeded order per run). Their cells pool both; the others have the main runs only.`,
    ...withFocus.map((l) => `  - ${l.link}: ${Object.entries(l.focus!.columns).map(([p, cs]) => `${p}: ${cs.join(', ')}`).join('; ')}.`),
  ];
}

function linkTable(r: RunRecord, s: Summary, l: LinkRun): string[] {
  const mine = s.negotiated.filter((n) => n.link === l.link);
  if (mine.length === 0) return [];
  const columns = [...new Set(s.cells.filter((c) => c.link === l.link).map((c) => c.codec))];
  const out = [
    '',
    `### ${l.link} (${l.rateMbit === null ? 'unshaped' : `${l.rateMbit} Mbit/s`}, ${l.rttMs > 0 ? `${l.rttMs} ms RTT on TCP` : 'no added RTT'}; ${kb(l.bytes ?? 0)} per payload; ${l.runs ?? r.runs} runs${l.focus ? ` + ${l.focus.runs} focus runs` : ''}; ${l.seconds ?? '?'} s)`,
    '',
    `| payload | ${columns.join(' | ')} | negotiated | pick | x oracle |`,
    `|---|${columns.map(() => '---|').join('')}---|---|---|`,
  ];
  for (const n of mine) {
    const cols = columns.map((c) => {
      const cell = cellFor(s, n, c);
      if (!cell) return '–';
      const best = c === n.oracle ? '**' : '';
      return `${best}${f(cell.median_ms)}${best} (${f(cell.min_ms, 0)}–${f(cell.max_ms, 0)})${cell.all_ok ? '' : ' ✗'}`;
    });
    out.push(`| ${n.payload} | ${cols.join(' | ')} | ${f(n.median_ms)} (${f(n.min_ms, 0)}–${f(n.max_ms, 0)})${n.all_ok ? '' : ' ✗'} | ${r.path === null ? `${n.pick} over ${n.pick_path}` : n.pick} | ${f(n.oracle_ratio, 3)} |`);
  }
  if (r.path === null) {
    // With the path free, say which one each column's transfers took.
    const used = (payload: string, column: string): string => {
      const paths = new Set(l.samples.filter((x) => x.run >= l.warmup && x.payload === payload && x.column === column).map((x) => x.path));
      return [...paths].join(', ') || '–';
    };
    out.push('', 'Paths taken:', '', `| payload | ${columns.join(' | ')} | negotiated |`, `|---|${columns.map(() => '---|').join('')}---|`);
    for (const n of mine) out.push(`| ${n.payload} | ${[...columns, 'negotiated'].map((c) => used(n.payload, c)).join(' | ')} |`);
  }
  out.push('', 'Bytes on the wire (median, kB):', '', `| payload | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---|').join('')}`);
  for (const n of mine) out.push(`| ${n.payload} | ${columns.map((c) => { const cell = cellFor(s, n, c); return cell ? f(cell.wire_bytes / 1000) : '–'; }).join(' | ')} |`);
  return out;
}

function estimates(l: LinkRun): string {
  const pick = (e: unknown): string => {
    const flight = (e as Record<string, { bytesPerSecond: number; rttMs: number } | undefined> | undefined)?.['arrow-flight'];
    return flight ? `${f((flight.bytesPerSecond * 8) / 1e6, 2)} Mbit/s, ${f(flight.rttMs, 1)} ms` : '–';
  };
  return `| ${l.link} | ${pick(l.estimatesAfterProbe)} | ${pick(l.estimatesAtEnd)} |`;
}

export function renderMarkdown(r: RunRecord, s: Summary): string {
  const m = r.machine;
  const rows = targetRows(s);
  const built = r.links.filter((l) => l.built && !l.error);
  const lines: string[] = [
    '# Compression negotiator on shaped links',
    '',
    `Written by \`${r.command}\` (\`bench/negotiator.ts\`, BENCHMARKS.md section 2). Design and caveats: [the negotiator benchmark in codecs.md](../codecs.md#the-negotiator-benchmark).`,
    '',
    `- Date: ${m.date}`,
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}; Node ${m.node}; ${m.iproute2 ?? 'iproute2: not found'}`,
    `- 1-minute load average at start: ${m.loadAverage1m} (${m.cores} cores).`,
    `- Each cell: median of ${r.runs} runs on the slow links and ${[...new Set(r.links.filter((l) => (l.runs ?? r.runs) !== r.runs).map((l) => l.runs))].join('/') || r.runs} on the fast ones (their cells last 15–200 ms, where noise on the 2-core machine is larger; runs per link in each heading; min–max in brackets), after one warm-up run, all columns of a payload sent one after another within each run, in a fresh order each run (seeded by the run, so that no column always follows the same one). Milliseconds from the owner calling \`send\` to the scientist holding the decoded tensor (hash of what travelled verified by the path; lossless results also compared byte for byte with the scientist's own copy, after the clock stopped).`,
    ...focusLines(r),
    `- Path: ${r.path === null ? 'chosen by the negotiator for its own transfers, and for the fixed codecs (which pin only the codec)' : `every transfer pinned to \`${r.path}\` (fixed codecs and negotiator alike); the negotiator picks the codec only`}.`,
    '',
  ];
  if (r.unavailable !== null) lines.push(`**No link could be built here:** ${r.unavailable}`, '');
  lines.push(`Links measured: ${built.map((l) => l.link).join(', ') || 'none'}.`);
  for (const l of r.links.filter((x) => !x.built || x.error)) lines.push(`- **${l.link} not measured:** ${l.error ?? 'not built'}`);
  lines.push('', `![negotiated vs no compression vs best fixed codec](${r.path === null ? 'negotiator-auto' : 'negotiator'}.svg)`, '', ...targetSection(s, rows));
  lines.push('', '## All cells', '', 'Median ms (min–max); bold: the best fixed codec (the oracle); ✗: a transfer did not arrive intact.');
  for (const l of built) lines.push(...linkTable(r, s, l));
  lines.push('', '## Payloads', '', '| payload | dtype | what |', '|---|---|---|');
  for (const [name, p] of Object.entries(PAYLOADS)) lines.push(`| ${name} | ${p.dtype} | ${p.what} |`);
  lines.push(
    '',
    '## Links and what the negotiator believed',
    '',
    'Shaped rate and RTT as configured (`bench/netlab/links.ts`; measured in [netlab.md](netlab.md)). The owner\'s estimate of the arrow-flight path after its probe at connect, and at the end (after the EWMA of every transfer\'s report):',
    '',
    '| link | arrow-flight after probe | at end |',
    '|---|---|---|',
    ...built.map(estimates),
    '',
    'Negotiator reasons, last kept run:',
    '',
    ...s.negotiated.map((n) => `- ${n.link} / ${n.payload}: ${n.reason}`),
  );
  lines.push(
    '',
    '## How to read this',
    '',
    '- The owner (with the hub and its Flight relay) runs in namespace B, the scientist in namespace A. The scientist reaches the hub\'s WebSocket and Flight ports through the lab\'s TCP delay relays, so Flight transfers see the shaped rate and the added RTT. The WebRTC DataChannel (which carries the control messages, including each transfer\'s announcement) runs over the veth: rate shaped, but without the added RTT (docs/netlab.md).',
    '- The delay relay terminates TCP, so slow start and loss recovery behave as on a short path: short transfers on fast links come out slightly optimistic, for every column alike.',
    '- Times include everything the owner\'s `send` does before bytes move: for the negotiator, waiting for a drifted path\'s re-probe, measuring a dtype\'s codec speeds (first use only, in the warm-up run) and sampling the payload; for every column, encoding. "deciding took" is the negotiator\'s part, measured in the owner from `send` to its decision.',
    '- Each payload is sent again and again, as a training loop or a repeated query would: the negotiator samples the first one of a kind (in the warm-up run) and decides the next `MEMORY_REUSE_MAX` (8) like it from what that sample found, without sampling (`PayloadMemory`, NG16); the ninth samples again. "decided from memory in R of N runs" counts those; the time to decide with sampling is given beside it.',
    '- The oracle is the best fixed codec\'s median in the same cell, so it is chosen after the fact; a ratio under 1 means the negotiated column happened to beat it (noise, or a pick that varied).',
    '- Top-k and DGC keep error feedback per stream, and every gradient transfer uses one stream, so their residuals build up run after run: the relative errors below are per transfer, not per training step.',
  );
  const lossy = s.negotiated.length ? built.flatMap((l) => l.samples.filter((x) => x.relError !== undefined && x.run >= l.warmup).map((x) => `${l.link} ${x.column === 'negotiated' ? `negotiated (${x.codec})` : x.column} ${f(x.relError ?? 0, 3)}`)) : [];
  if (lossy.length) lines.push('', `Relative L2 error of what arrived, gradient sent lossy (per transfer; error feedback carries the rest into the next): ${lossy.join('; ')}.`);
  return `${lines.join('\n')}\n`;
}

export function renderSvg(r: RunRecord, s: Summary): string {
  const order = (l: string): number => (isLinkName(l) ? Object.keys(LINKS).indexOf(l) : 99);
  const cells = [...s.negotiated].sort((a, b) => order(a.link) - order(b.link));
  const labels = cells.map((n) => `${n.link} ${n.payload}`);
  const title = `Negotiator vs fixed codecs, median ms (log), ${r.path ?? 'path chosen'}; ${r.machine.date.slice(0, 10)}`;
  return barChartSvg(title, labels, [
    { name: 'none (raw)', color: '#a0aec0', values: cells.map((n) => n.none_ms ?? 0) },
    { name: 'best fixed codec (oracle)', color: '#38a169', values: cells.map((n) => n.oracle_ms) },
    { name: 'negotiated', color: '#2b6cb0', values: cells.map((n) => n.median_ms) },
  ]);
}

