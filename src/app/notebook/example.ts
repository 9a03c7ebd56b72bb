import { newCellId, type CellSource } from './format';

// The notebook a scientist sees first: it walks the demo data end to end. Each cell is what a
// person would type; comments say what happens on the other side.

export const EXAMPLE_CELLS: readonly string[] = [
  `// The data owner's store: names, schemas and sizes. Never values.
const assets = await duet.store.list();
assets`,
  `// A remote table. Ops build a plan here; nothing runs until a value is needed.
const adult = duet.asset('adult');
await adult.info()`,
  `// A synthetic sample made from the public schema, safe to look at.
await duet.store.mock('adult')`,
  `// The mean age, computed on the owner's side. Asking sends a request:
// the owner reads the reason and approves (or denies) it in their tab.
const meanAge = adult.col('age').mean();
const mean = await meanAge.get({ reason: 'Average age for the report' });
mean`,
  `// The same mean with differential privacy: no click needed, it spends budget instead.
// The clamping bounds come from the column's declared range (17 to 90).
await meanAge.getDP({ epsilon: 0.5 })`,
  `// Hours worked per week, as a histogram: requested, then drawn.
const hours = await adult.col('hr_per_week').histogram({ bins: 10, range: [0, 100] })
  .get({ reason: 'Distribution of weekly working hours' });
Plot.plot({
  height: 220,
  x: { label: 'hours per week' },
  y: { label: 'people', grid: true },
  marks: [Plot.barY(toArray(hours), { x: (_, i) => \`\${i * 10}-\${i * 10 + 9}\`, y: (d) => d, fill: '#4f46e5' })],
})`,
  `// Sixteen handwritten digits and their labels (two requests, approved together).
const [digits, labels] = await Promise.all([
  duet.asset('mnist-test-images').slice(0, 16).get({ reason: 'Look at a few digits' }),
  duet.asset('mnist-test-labels').slice(0, 16).get({ reason: 'Their labels' }),
]);
images(digits, { labels })`,
  `// The budget is finite: this asks for more than is left, and the owner's side refuses it.
await meanAge.getDP({ epsilon: 0.8 })`,
];

export function exampleNotebook(): CellSource[] {
  return EXAMPLE_CELLS.map((code) => ({ id: newCellId(), code }));
}
