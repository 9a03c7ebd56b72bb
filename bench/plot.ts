// A small dependency-free SVG bar chart (log-scale milliseconds) for benchmark reports.

export interface Series {
  name: string;
  color: string;
  values: number[];
}

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChartSvg(title: string, labels: string[], series: Series[]): string {
  const rowH = 10 * series.length + 8;
  const left = 150;
  const width = 760;
  const top = 40;
  const height = top + labels.length * rowH + 40;
  const all = series.flatMap((s) => s.values).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...all)));
  const hi = Math.ceil(Math.log10(Math.max(...all)));
  const x = (v: number) => left + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (width - left - 20);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="16" font-size="13">${esc(title)}</text>`,
  ];
  for (let p = lo; p <= hi; p++) {
    out.push(`<line x1="${x(10 ** p)}" y1="${top - 6}" x2="${x(10 ** p)}" y2="${height - 30}" stroke="#ddd"/>`);
    out.push(`<text x="${x(10 ** p)}" y="${height - 16}" text-anchor="middle">${10 ** p} ms</text>`);
  }
  labels.forEach((label, i) => {
    const y = top + i * rowH;
    out.push(`<text x="${left - 6}" y="${y + rowH / 2}" text-anchor="end">${esc(label)}</text>`);
    series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      out.push(`<rect x="${left}" y="${y + j * 10}" width="${Math.max(1, x(v) - left)}" height="8" fill="${s.color}"><title>${esc(s.name)}: ${v} ms</title></rect>`);
    });
  });
  series.forEach((s, j) => {
    out.push(`<rect x="${left + j * 190}" y="24" width="10" height="8" fill="${s.color}"/><text x="${left + j * 190 + 14}" y="32">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
