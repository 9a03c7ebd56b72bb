import type { DType } from '../tensor';
import type { CodecCost } from './cost-model';
import { MEMORY_ENTROPY_TOLERANCE, MEMORY_MAX_KEYS, MEMORY_OBSERVED_KEEP, MEMORY_PROBE_BYTES, MEMORY_REPEAT_TOLERANCE, MEMORY_REUSE_MAX, MEMORY_ZERO_TOLERANCE } from './constants';

// What sampling learnt about a kind of payload, reused for the next one like it. Training
// loops and repeated queries send the same kind of tensor again and again; sampling each one
// afresh costs the same milliseconds every time, which on fast links is most of what a codec
// could save. A payload is "like" a remembered one when dtype, size, gradient flag and stream
// match, and three cheap features of its bytes agree: the share of zero elements on a strided
// probe, and the byte entropy and element-to-element repeats of a slice. Every MEMORY_REUSE_MAX reuses it samples again, so
// data that drifts slowly is caught too.

export interface PayloadSignature {
  /** dtype, byte size, gradient flag and stream name: what must match exactly. */
  readonly key: string;
  /** Share of zero elements among up to MEMORY_PROBE_BYTES / width elements, strided over the payload. */
  readonly zeros: number;
  /** Shannon entropy in bits per byte of a MEMORY_PROBE_BYTES slice from the middle. */
  readonly entropy: number;
  /**
   * In that slice, the share of elements whose upper half (sign, exponent, top of the mantissa;
   * the whole byte for 1-byte types) repeats the previous element's: what shuffle-and-compress
   * codecs feed on. Smooth floats score high, random floats near zero, though their byte
   * entropies are alike.
   */
  readonly repeats: number;
}

export interface Learnt {
  /** Ratio per sampled codec. */
  readonly ratios: Readonly<Record<string, number>>;
  /** Speed per sampled codec on that payload's sample. */
  readonly costs: Readonly<Record<string, CodecCost>>;
  /**
   * Codecs that could have won but that sampling ran out of time for, cheapest first (at most
   * MEMORY_MAX_PENDING): the next payloads like this one sample them, one each, so a decision
   * cut short (a cold first sample, say) is not what every later payload of the kind gets.
   */
  readonly pending?: readonly string[];
  /** Encode speeds seen on whole tensors of the kind (observeEncode); they outrank sampled ones and outlive re-sampling. */
  readonly observed?: Readonly<Record<string, number>>;
  /** The last MEMORY_OBSERVED_KEEP whole-tensor speeds per codec, oldest first; `observed` holds their median. */
  readonly observations?: Readonly<Record<string, readonly number[]>>;
}

const WIDTH: Record<DType, number> = { float16: 2, float32: 4, float64: 8, int8: 1, int16: 2, int32: 4, int64: 8, uint8: 1, bool: 1 };

export function payloadSignature(dtype: DType, bytes: Uint8Array, gradient: boolean, stream = ''): PayloadSignature {
  const width = WIDTH[dtype];
  const n = Math.floor(bytes.byteLength / width);
  const probes = Math.min(n, Math.floor(MEMORY_PROBE_BYTES / width));
  let zeros = 0;
  if (probes > 0) {
    const step = n / probes;
    for (let i = 0; i < probes; i++) {
      const at = Math.floor(i * step) * width;
      let zero = true;
      for (let b = 0; b < width && zero; b++) zero = bytes[at + b] === 0;
      if (zero) zeros++;
    }
  }
  const from = Math.max(0, Math.floor((bytes.byteLength - MEMORY_PROBE_BYTES) / 2));
  const slice = bytes.subarray(from, from + MEMORY_PROBE_BYTES);
  const counts = new Uint32Array(256);
  for (const b of slice) counts[b]!++;
  let entropy = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / slice.byteLength;
    entropy -= p * Math.log2(p);
  }
  const half = Math.ceil(width / 2);
  let repeats = 0;
  const elements = Math.floor(slice.byteLength / width);
  for (let i = 1; i < elements; i++) {
    let same = true;
    for (let b = width - half; b < width && same; b++) same = slice[i * width + b] === slice[(i - 1) * width + b];
    if (same) repeats++;
  }
  return {
    key: `${dtype}/${bytes.byteLength}/${gradient ? 'g' : '-'}/${stream}`,
    zeros: probes > 0 ? zeros / probes : 0,
    entropy,
    repeats: elements > 1 ? repeats / (elements - 1) : 0,
  };
}

interface Entry {
  readonly sig: PayloadSignature;
  learnt: Learnt;
  uses: number;
}

export class PayloadMemory {
  readonly #entries = new Map<string, Entry[]>();

  constructor(private readonly maxPerKey = 4) {}

  #find(sig: PayloadSignature): Entry | undefined {
    return this.#entries.get(sig.key)?.find((e) => alike(e.sig, sig));
  }

  /** What was learnt about a payload like this one, unless it is time to sample again. */
  recall(sig: PayloadSignature): Learnt | undefined {
    const entry = this.#find(sig);
    if (!entry || entry.uses >= MEMORY_REUSE_MAX) return undefined;
    entry.uses++;
    return entry.learnt;
  }

  /** Replaces what is kept for payloads like `sig` (a pending codec sampled since), keeping its use count. */
  refine(sig: PayloadSignature, learnt: Learnt): void {
    const entry = this.#find(sig);
    if (entry) entry.learnt = learnt;
  }

  /**
   * A real send of a payload like `sig` encoded with `codec` at `encodeBps`: from then on that
   * speed ranks the codec for payloads of the kind. Samples are small and often fit in cache
   * where the whole tensor does not (DGC touches three arrays of its size, top-k two), so the
   * whole tensor's speed is the one to trust. It is the median of the last MEMORY_OBSERVED_KEEP
   * sends, so one encode slowed by a GC pause does not rank the codec out. A codec the kind
   * holds no ratio for (neither sampled nor known from its frame size) is left alone.
   */
  observeEncode(sig: PayloadSignature, codec: string, encodeBps: number): void {
    const entry = this.#find(sig);
    if (!entry || entry.learnt.ratios[codec] === undefined || !(encodeBps > 0 && Number.isFinite(encodeBps))) return;
    const last = [...(entry.learnt.observations?.[codec] ?? []), encodeBps].slice(-MEMORY_OBSERVED_KEEP);
    const learnt = { ...entry.learnt, observations: { ...entry.learnt.observations, [codec]: last } };
    entry.learnt = withObserved(learnt, { ...entry.learnt.observed, [codec]: upperMedian(last) });
  }

  /** Encode speeds seen on whole tensors like `sig`, to rank a fresh sample by (see observeEncode). */
  observed(sig: PayloadSignature): Readonly<Record<string, number>> | undefined {
    return this.#find(sig)?.learnt.observed;
  }

  /**
   * Keeps what sampling this payload found, replacing what was kept for payloads like it;
   * speeds seen on whole tensors of the kind are kept, since a fresh sample does not know better.
   */
  remember(sig: PayloadSignature, learnt: Learnt): void {
    const previous = this.#find(sig)?.learnt;
    const list = (this.#entries.get(sig.key) ?? []).filter((e) => !alike(e.sig, sig));
    const kept = previous?.observed ? withObserved({ ...learnt, ...(previous.observations ? { observations: previous.observations } : {}) }, previous.observed) : learnt;
    list.unshift({ sig, learnt: kept, uses: 0 });
    // Most recently sampled keys last; the oldest go first when there are too many.
    this.#entries.delete(sig.key);
    this.#entries.set(sig.key, list.slice(0, this.maxPerKey));
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= MEMORY_MAX_KEYS) break;
      this.#entries.delete(key);
    }
  }
}

function alike(a: PayloadSignature, b: PayloadSignature): boolean {
  return (
    a.key === b.key &&
    Math.abs(a.zeros - b.zeros) <= MEMORY_ZERO_TOLERANCE &&
    Math.abs(a.entropy - b.entropy) <= MEMORY_ENTROPY_TOLERANCE &&
    Math.abs(a.repeats - b.repeats) <= MEMORY_REPEAT_TOLERANCE
  );
}

/** The middle value; of two, the faster, so that one slow send among two cannot rank a codec out. */
function upperMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** `learnt` with the observed encode speeds applied to the codecs it has costs for. */
export function withObserved(learnt: Learnt, observed: Readonly<Record<string, number>>): Learnt {
  const costs = { ...learnt.costs };
  for (const [id, encodeBps] of Object.entries(observed)) {
    const cost = costs[id];
    if (cost) costs[id] = { ...cost, encodeBps };
  }
  return { ...learnt, costs, observed };
}
