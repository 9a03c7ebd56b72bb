// docs/benchmarks/negotiator.md and .svg from a run record.
import type { RunRecord } from './results';
import type { Summary } from './summary';
export { summarizeRecord } from './summary';

export function renderMarkdown(r: RunRecord, s: Summary): string {
  return `# stub\n\n${JSON.stringify(s.negotiated, null, 1)}\n${r.command}\n`;
}

export function renderSvg(_r: RunRecord, _s: Summary): string {
  return '<svg xmlns="http://www.w3.org/2000/svg"/>\n';
}
