// The payloads of BENCHMARKS.md section 2, built the same way in every process from a name
// and a byte size (deterministic seeds), so the scientist can check what arrived against its
// own copy without any bytes crossing outside the link under test.

import { DEMO_FILES } from '../../src/duet/demo';
import { tensor, type DType, type Tensor } from '../../src/tensor';
import { gunzippedIdx, seededNormal } from '../seeded';

export const PAYLOAD_NAMES = ['mnist-f32', 'sparse-f32', 'random-f64', 'labels-u8', 'grad-f32'] as const;
export type PayloadName = (typeof PAYLOAD_NAMES)[number];

export interface PayloadInfo {
  dtype: DType;
  what: string;
  /** Sent as a gradient: lossy codecs allowed (with the scientist's consent and the owner's policy). */
  gradient: boolean;
  /** Not worth compressing; the "2x faster than raw on 2 Mbit/s" target does not apply. */
  incompressible: boolean;
}

export const PAYLOADS: Record<PayloadName, PayloadInfo> = {
  'mnist-f32': { dtype: 'float32', what: 'smooth float32: the embedded MNIST test images as pixel/255 (~81% zeros)', gradient: false, incompressible: false },
  'sparse-f32': { dtype: 'float32', what: '90%-sparse float32: ReLU of N(0,1) − 1.2816 (activations)', gradient: false, incompressible: false },
  'random-f64': { dtype: 'float64', what: 'random float64: N(0,1) × 1000 (incompressible)', gradient: false, incompressible: true },
  'labels-u8': { dtype: 'uint8', what: 'uint8 labels 0–9: the 1280 embedded MNIST labels, then i.i.d. draws with their class frequencies', gradient: false, incompressible: false },
  'grad-f32': { dtype: 'float32', what: 'float32 gradient: N(0, 1e-3), 2.3% of it × 30 (heavy tail); lossy allowed', gradient: true, incompressible: false },
};

export function isPayloadName(value: string): value is PayloadName {
  return (PAYLOAD_NAMES as readonly string[]).includes(value);
}

const DATA = new URL('../../examples/data/', import.meta.url);
const IDX_IMAGES_HEADER = 16;
const IDX_LABELS_HEADER = 8;

/** Bytes of the embedded MNIST images as float32: the largest smooth payload there is. */
export const MNIST_F32_BYTES = 1280 * 28 * 28 * 4;

function idx(name: string, header: number): Uint8Array {
  return gunzippedIdx(new URL(name, DATA), header);
}

const normal = seededNormal; // the name the payload builders below use

function labels(n: number): Uint8Array {
  const real = idx(DEMO_FILES.mnistLabels, IDX_LABELS_HEADER);
  const out = new Uint8Array(n);
  out.set(real.subarray(0, Math.min(n, real.length)));
  // Beyond the real ones: draws from the real labels (so the class frequencies match), which
  // keeps the entropy of real labels without the long repeats that tiling would give xz.
  let s = 7;
  for (let i = real.length; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = real[s % real.length]!;
  }
  return out;
}

/** The payload `name` of about `bytes` bytes (rounded down to whole elements). */
export function buildPayload(name: PayloadName, bytes: number): Tensor {
  switch (name) {
    case 'mnist-f32': {
      if (bytes > MNIST_F32_BYTES) throw new Error(`mnist-f32 has at most ${MNIST_F32_BYTES} bytes (1280 images)`);
      const pixels = idx(DEMO_FILES.mnistImages, IDX_IMAGES_HEADER).subarray(0, bytes / 4);
      return tensor('float32', [pixels.length], Float32Array.from(pixels, (p) => p / 255));
    }
    case 'sparse-f32': {
      const g = normal(1);
      return tensor('float32', [bytes / 4], Float32Array.from({ length: bytes / 4 }, () => Math.max(0, g() - 1.2816)));
    }
    case 'random-f64': {
      const r = normal(2);
      return tensor('float64', [Math.floor(bytes / 8)], Float64Array.from({ length: Math.floor(bytes / 8) }, () => r() * 1e3));
    }
    case 'labels-u8':
      return tensor('uint8', [bytes], labels(bytes));
    case 'grad-f32': {
      const q = normal(3);
      return tensor('float32', [bytes / 4], Float32Array.from({ length: bytes / 4 }, () => q() * 1e-3 * (q() > 2 ? 30 : 1)));
    }
  }
}
