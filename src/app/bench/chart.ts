// A grouped bar chart of milliseconds per case on a log scale, as an SVG string: the same
// picture in the benchmark page and in docs/benchmarks (written from Node, where there is no DOM).

export interface ChartSeries {
  name: string;
  color: string;
}

export interface ChartRow {
  label: string;
  /** Milliseconds per series name; missing values leave a gap. */
  values: Record<string, number | undefined>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function barChartSvg(rows: readonly ChartRow[], series: readonly ChartSeries[], title: string): string {
  const left = 150;
  const right = 90;
  const width = 900;
  const bar = 7;
  const groupGap = 10;
  const top = 58;
  const group = series.length * bar + groupGap;
  const height = top + rows.length * group + 40;
  const all = rows.flatMap((r) => series.map((s) => r.values[s.name]).filter((v): v is number => v !== undefined && v > 0));
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all, 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 10))));
  const x = (ms: number) => left + ((Math.log10(ms) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (width - left - right);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="600">${esc(title)}</text>`,
  ];
  series.forEach((s, i) => {
    const lx = left + i * 150;
    out.push(`<rect x="${lx}" y="30" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="39">${esc(s.name)}</text>`);
  });
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${x(d)}" x2="${x(d)}" y1="${top - 6}" y2="${height - 30}" stroke="#e3e6ef"/>`);
    out.push(`<text x="${x(d)}" y="${height - 16}" text-anchor="middle" fill="#5b6178">${d >= 1000 ? `${d / 1000} s` : `${d} ms`}</text>`);
  }
  rows.forEach((r, i) => {
    const y0 = top + i * group;
    out.push(`<text x="${left - 8}" y="${y0 + (series.length * bar) / 2 + 4}" text-anchor="end">${esc(r.label)}</text>`);
    series.forEach((s, j) => {
      const v = r.values[s.name];
      if (v === undefined || v <= 0) return;
      const y = y0 + j * bar;
      out.push(`<rect x="${left}" y="${y}" width="${Math.max(1, x(v) - left)}" height="${bar - 1}" fill="${s.color}"><title>${esc(s.name)}: ${v.toFixed(1)} ms</title></rect>`);
    });
  });
  out.push('</svg>');
  return out.join('\n');
}

export const PATH_COLORS: Record<string, string> = {
  'seed WebRTC': '#c7cbd8',
  'seed Arrow': '#8e94a8',
  webrtc: '#f59e0b',
  'arrow-rtc': '#06b6d4',
  'arrow-flight': '#4f46e5',
};
