// Turning verify.ts's measurements into the Markdown report and its SVG plot.

import type { MachineInfo } from './machine.js';
import type { QdiscSupport } from './qdisc-probe.js';
import type { Summary } from './stats.js';

export interface LinkReport {
  link: string;
  targetRateMbit: number | null;
  targetRttMs: number;
  built: boolean;
  error?: string;
  namespaces?: string[];
  qdisc?: { a: string; b: string };
  path?: string;
  baseTcpRttMs?: Summary | null;
  tcpRttMs?: Summary | null;
  udpRttMs?: Summary | null;
  udpLost?: number;
  bulkBytes?: number;
  allHashesOk?: boolean;
  /** TCP goodput seen by the receiver, first byte to last. */
  upMbit?: Summary | null;
  downMbit?: Summary | null;
  /** Goodput over the application's whole wait (connect to confirmation). */
  upAppMbit?: Summary | null;
  downAppMbit?: Summary | null;
}

export interface LossReport {
  link: string;
  lossPercent: number;
  built: boolean;
  error?: string;
  udpPings?: number;
  udpLost?: number;
  expectedRoundTripLossPercent?: number;
  allHashesOk?: boolean;
  tcpMbit?: Summary | null;
}

export interface VerifyReport {
  machine: MachineInfo;
  runs: number;
  /** Why no link could be built here, or null. */
  unavailable: string | null;
  qdiscs?: QdiscSupport;
  links: LinkReport[];
  loss?: LossReport;
  /** 1-minute load average when the run ended. */
  loadAverageAtEnd?: number;
}

/**
 * tbf counts whole Ethernet frames. A full TCP segment over a 1500-byte MTU with timestamps
 * carries 1448 payload bytes in a 1514-byte frame, so TCP goodput tops out near 95.6% of
 * the shaped rate.
 */
export const TCP_GOODPUT_SHARE = 1448 / 1514;

/** Ping-pongs per RTT measurement. */
export const PINGS = 50;

const f = (x: number, digits = 2): string => x.toFixed(digits);
const range = (s: Summary | null | undefined, digits = 2): string =>
  s ? `${f(s.median, digits)} (${f(s.min, digits)}–${f(s.max, digits)})` : '–';

export function renderMarkdown(r: VerifyReport): string {
  const m = r.machine;
  const lines: string[] = [
    '# Network lab verification',
    '',
    'Written by `npx tsx bench/netlab/verify.ts`. What the lab of `bench/netlab/` (see `docs/netlab.md`) really gives on this machine: rate shaped by `tc tbf` on both veth ends, RTT added by the userspace delay relay.',
    '',
    `- Date: ${m.date}`,
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.kernel}`,
    `- Node ${m.node}; ${m.iproute2 ?? 'iproute2: not found'}; ${m.nftables ?? 'nftables: not found'}`,
    `- 1-minute load average: ${m.loadAverage1m} at start, ${r.loadAverageAtEnd ?? '?'} at end (${m.cores} cores; other work on the machine shows up as RTT outliers).`,
    `- Runs: median of ${r.runs} bulk transfers per direction after one warm-up pair (min–max in brackets); RTT: median of ${PINGS} ping-pongs of 32 bytes.`,
    '',
  ];
  if (r.unavailable !== null) {
    lines.push(`**No link could be built here:** ${r.unavailable}`, '');
    return `${lines.join('\n')}\n`;
  }
  const built = r.links.filter((l) => l.built && !l.error).map((l) => l.link);
  const failed = r.links.filter((l) => !l.built || l.error);
  lines.push(`Links built and measured: ${built.join(', ') || 'none'}.`);
  for (const l of failed) lines.push(`- **${l.link} failed:** ${l.error ?? 'not built'}`);
  lines.push(
    '',
    '![rate and RTT against target](netlab.svg)',
    '',
    '## Rate',
    '',
    `TCP goodput in Mbit/s (10^6 bit/s) seen by the receiver, first payload byte to last. tbf counts Ethernet frames, so TCP goodput can reach at most ${f(TCP_GOODPUT_SHARE * 100, 1)}% of the shaped rate ("ceiling"). "App" is the goodput over the whole wait of the sender (connect, transfer, confirmation), which includes the RTT and TCP start-up.`,
    '',
    '| link | shaped rate | TCP ceiling | up | down | up, app | down, app | bytes per run | hashes |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const l of r.links.filter((x) => x.built && !x.error)) {
    const ceiling = l.targetRateMbit === null ? '–' : f(l.targetRateMbit * TCP_GOODPUT_SHARE);
    lines.push(
      `| ${l.link} | ${l.targetRateMbit === null ? 'unshaped' : `${l.targetRateMbit} mbit`} | ${ceiling} | ${range(l.upMbit)} | ${range(l.downMbit)} | ${range(l.upAppMbit)} | ${range(l.downAppMbit)} | ${((l.bulkBytes ?? 0) / 1e6).toFixed(0)} MB | ${l.allHashesOk ? 'all equal' : 'MISMATCH'} |`,
    );
  }
  lines.push(
    '',
    '## RTT',
    '',
    'Milliseconds. "Through endpoint" is what a benchmark client sees: via the delay relay where the link has a target RTT, else straight to the server. "Base" is straight to the server over the same shaped veth, without the relay.',
    '',
    '| link | target RTT | TCP, through endpoint | UDP, through endpoint | UDP lost | TCP base (no relay) |',
    '|---|---|---|---|---|---|',
  );
  for (const l of r.links.filter((x) => x.built && !x.error)) {
    lines.push(
      `| ${l.link} | ${l.targetRttMs > 0 ? l.targetRttMs : '–'} | ${range(l.tcpRttMs)} | ${range(l.udpRttMs)} | ${l.udpLost ?? '–'} | ${range(l.baseTcpRttMs)} |`,
    );
  }
  if (r.loss) {
    const loss = r.loss;
    lines.push('', '## Random loss (nft)', '');
    if (loss.error || !loss.built) {
      lines.push(`Could not build the ${loss.link} link with ${loss.lossPercent}% loss: ${loss.error ?? 'not built'}`);
    } else {
      const measured = ((loss.udpLost ?? 0) / (loss.udpPings ?? 1)) * 100;
      lines.push(
        `${loss.link} link with \`numgen random\` drop of ${loss.lossPercent}% on each veth end: ${loss.udpLost} of ${loss.udpPings} UDP ping-pongs lost (${f(measured, 1)}%; a round trip crosses two ends, so about ${f(loss.expectedRoundTripLossPercent ?? 0, 1)}% is expected). TCP through the relay still delivered every byte (${loss.allHashesOk ? 'hashes equal' : 'HASH MISMATCH'}) at ${range(loss.tcpMbit)} Mbit/s.`,
      );
    }
  }
  if (r.qdiscs) {
    const q = r.qdiscs;
    lines.push(
      '',
      '## What this kernel offers',
      '',
      `- Root qdiscs that work: ${q.available.join(', ') || 'none'}.`,
      `- Root qdiscs the kernel lacks: ${q.missing.join(', ') || 'none'}.`,
      `- ingress qdisc: ${q.ingress ? 'works' : 'missing'}; nft \`queue\` (NFQUEUE): ${q.nftQueue === null ? 'nft not installed' : q.nftQueue ? 'works' : 'missing'}.`,
    );
  }
  const shaped = r.links.find((l) => l.qdisc);
  if (shaped?.qdisc) {
    lines.push('', `Example, \`tc qdisc show\` on the ${shaped.link} link: \`${shaped.qdisc.a}\` (A) and \`${shaped.qdisc.b}\` (B).`);
  }
  return `${lines.join('\n')}\n`;
}

/** Two bar panels, each as a ratio to target so links of different scales share an axis. */
export function renderSvg(r: VerifyReport): string {
  const links = r.links.filter((l) => l.built && !l.error && l.targetRateMbit !== null);
  const width = 720;
  const height = 300;
  const panel = (x0: number, title: string, bars: { label: string; value: number; target: number; text: string }[]): string => {
    const w = 320;
    const h = 200;
    const top = 60;
    const max = Math.max(1, ...bars.map((b) => Math.max(b.value, b.target))) * 1.15;
    const slot = w / Math.max(1, bars.length);
    const parts = [`<text x="${x0 + w / 2}" y="30" text-anchor="middle" font-size="14">${title}</text>`];
    parts.push(`<line x1="${x0}" y1="${top + h}" x2="${x0 + w}" y2="${top + h}" stroke="#333"/>`);
    bars.forEach((b, i) => {
      const bh = (b.value / max) * h;
      const th = (b.target / max) * h;
      const x = x0 + i * slot + slot * 0.2;
      const bw = slot * 0.6;
      parts.push(`<rect x="${f(x, 1)}" y="${f(top + h - bh, 1)}" width="${f(bw, 1)}" height="${f(bh, 1)}" fill="#4878a8"/>`);
      parts.push(`<line x1="${f(x - 4, 1)}" y1="${f(top + h - th, 1)}" x2="${f(x + bw + 4, 1)}" y2="${f(top + h - th, 1)}" stroke="#c03030" stroke-width="2"/>`);
      parts.push(`<text x="${f(x + bw / 2, 1)}" y="${f(top + h - bh - 4, 1)}" text-anchor="middle" font-size="11">${b.text}</text>`);
      parts.push(`<text x="${f(x + bw / 2, 1)}" y="${top + h + 16}" text-anchor="middle" font-size="12">${b.label}</text>`);
    });
    return parts.join('\n');
  };
  const rate = links.map((l) => ({
    label: l.link,
    value: (l.downMbit?.median ?? 0) / ((l.targetRateMbit ?? 1) * TCP_GOODPUT_SHARE),
    target: 1,
    text: '',
  }));
  rate.forEach((b) => (b.text = f(b.value, 2)));
  const rtt = links.map((l) => {
    const ms = l.tcpRttMs?.median ?? 0;
    return { label: l.link, value: l.targetRttMs > 0 ? ms / l.targetRttMs : 0, target: 1, text: `${f(ms, 1)} ms` };
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    panel(30, 'Download goodput / TCP ceiling (red: 1.0)', rate),
    panel(380, 'TCP RTT / target RTT (red: 1.0)', rtt),
    `<text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="11">${r.machine.date.slice(0, 10)} · ${r.machine.cores} cores · ${r.machine.kernel} · Node ${r.machine.node}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
