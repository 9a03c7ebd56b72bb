import adultUrl from '../../examples/data/adult-4000.csv.gz?url';
import imagesUrl from '../../examples/data/mnist-1280-images-idx3-ubyte.gz?url';
import labelsUrl from '../../examples/data/mnist-1280-labels-idx1-ubyte.gz?url';
import { DEMO_FILES, loadDemoAssets } from '../duet/demo';
import type { Store } from '../duet/store';

// The demo data ships inside the app (Vite copies the files and gives their URLs), so the
// owner's tab has data to share with no files at hand, and nothing is fetched from outside.
const URLS: Record<string, string> = {
  [DEMO_FILES.adult]: adultUrl,
  [DEMO_FILES.mnistImages]: imagesUrl,
  [DEMO_FILES.mnistLabels]: labelsUrl,
};

export function loadBrowserDemo(store: Store): Promise<Store> {
  return loadDemoAssets(async (file) => {
    const url = URLS[file];
    if (!url) throw new Error(`No demo file ${file}`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`Could not load the demo file ${file} (${res.status}).`);
    return new Uint8Array(await res.arrayBuffer());
  }, store);
}
