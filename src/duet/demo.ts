import { tensor, type Tensor } from '../tensor';
import { loadCsv } from './data/csv';
import { IDX_MAGIC_IMAGES, IDX_MAGIC_LABELS, loadIdx } from './data/idx';
import type { Table } from './data/table';
import { inferDomains } from './domain';
import { Store } from './store';

// The demo store, built from the files shipped in examples/data (see its README for sources,
// licences and how they were cut). The caller supplies the bytes, so this runs unchanged in a
// browser (Vite `?url` + fetch) and in Node (fs.readFile): nothing is downloaded at run time.

export const DEMO_FILES = {
  adult: 'adult-4000.csv.gz',
  mnistImages: 'mnist-1280-images-idx3-ubyte.gz',
  mnistLabels: 'mnist-1280-labels-idx1-ubyte.gz',
} as const;

/** Images 0..639 train, 640..1279 test: the reference experiment's split. */
export const MNIST_DEMO_SPLIT = 640;

export type ReadDemoFile = (fileName: string) => Promise<Uint8Array>;

// Public codebook ranges for Adult's numeric columns (UCI documentation), used as the DP
// clamping bounds; the category levels are the codebook's too, so inferring them leaks nothing.
const ADULT_BOUNDS: Record<string, { min: number; max: number }> = {
  age: { min: 17, max: 90 },
  fnlwgt: { min: 10_000, max: 1_500_000 },
  education_num: { min: 1, max: 16 },
  capital_gain: { min: 0, max: 99_999 },
  capital_loss: { min: 0, max: 4_356 },
  hr_per_week: { min: 1, max: 99 },
};

export async function loadDemoAssets(readFile: ReadDemoFile, store: Store = new Store()): Promise<Store> {
  const adult = loadCsv(await readFile(DEMO_FILES.adult), { name: DEMO_FILES.adult });
  store.add({
    id: 'adult',
    name: 'UCI Adult (census income), 4000 rows',
    description: 'Census records: age, education, marital status, occupation, race, sex, hours, income (<=50K / >50K). UCI ML Repository, CC BY 4.0.',
    tags: ['census', 'tabular', 'sensitive', 'demo'],
    value: adult,
    domains: { ...categoryLevels(adult), ...ADULT_BOUNDS },
    mock: true,
  });

  const images = loadIdx(await readFile(DEMO_FILES.mnistImages), { name: DEMO_FILES.mnistImages, expectMagic: IDX_MAGIC_IMAGES });
  const labels = loadIdx(await readFile(DEMO_FILES.mnistLabels), { name: DEMO_FILES.mnistLabels, expectMagic: IDX_MAGIC_LABELS });
  const parts = [
    { split: 'train', from: 0, to: MNIST_DEMO_SPLIT },
    { split: 'test', from: MNIST_DEMO_SPLIT, to: images.shape[0]! },
  ];
  for (const p of parts) {
    store.add({
      id: `mnist-${p.split}-images`,
      name: `MNIST ${p.split} images (${p.to - p.from})`,
      description: `Handwritten digits, 28x28 uint8 pixels, MNIST test images ${p.from}..${p.to - 1}. LeCun, Cortes, Burges; CC BY-SA 3.0.`,
      tags: ['mnist', 'images', p.split, 'demo'],
      value: rows(images, p.from, p.to),
      domains: { min: 0, max: 255 },
      mock: true,
    });
    store.add({
      id: `mnist-${p.split}-labels`,
      name: `MNIST ${p.split} labels (${p.to - p.from})`,
      description: `Digit labels 0-9 for mnist-${p.split}-images. CC BY-SA 3.0.`,
      tags: ['mnist', 'labels', p.split, 'demo'],
      value: rows(labels, p.from, p.to),
      domains: { min: 0, max: 9 },
      mock: true,
    });
  }
  return store;
}

function categoryLevels(t: Table): Record<string, { levels: readonly string[] }> {
  const out: Record<string, { levels: readonly string[] }> = {};
  for (const [name, d] of Object.entries(inferDomains(t))) if (d.levels) out[name] = { levels: d.levels };
  return out;
}

// A view of rows [from, to) along the first axis: no copy.
function rows(t: Tensor, from: number, to: number): Tensor {
  const inner = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return tensor(t.dtype, [to - from, ...t.shape.slice(1)], t.data.subarray(from * inner, to * inner) as never);
}
