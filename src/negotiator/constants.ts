// Tuning values of the negotiator's pure core, each with its reason. They are not safety
// limits (nothing here allocates from peer input), but they follow the same rule: one
// place, named, and options default to them.

/**
 * Weight of a new transfer in the link throughput EWMA (kept in time per byte, and scaled down
 * for transfers whose time is mostly RTT). 0.3 follows a real change within ~3 transfers while
 * one odd transfer (GC pause, tab in background) moves it by under a third.
 */
export const LINK_EWMA_ALPHA = 0.3;

/** A transfer "disagrees" with the estimate when its throughput is off by more than this factor. */
export const LINK_DRIFT_FACTOR = 2;

/** This many disagreeing transfers in a row raise the drift flag (re-measure the path). */
export const LINK_DRIFT_STREAK = 3;

/**
 * Transfers smaller than this do not update throughput: their time is mostly RTT and
 * per-message overhead, so bytes/time would understate the link badly.
 */
export const LINK_MIN_THROUGHPUT_SAMPLE_BYTES = 64 * 1024;

/**
 * Bytes of a payload compressed to estimate its ratio. 256 KiB is about one blosc block
 * set and a few xz dictionary windows at preset 1; it costs ~1 ms with blosc-lz4 and
 * ~12 ms with xz, small beside any transfer worth compressing.
 */
export const RATIO_SAMPLE_BYTES = 256 * 1024;

/**
 * The smallest ratio sample when sampling is budgeted (NegotiateInput.sampleBudgetShare):
 * 16 KiB is still several blosc blocks and 2 KiB per slice, enough to see zeros and
 * repetition; smaller samples mostly measure per-call overhead.
 */
export const RATIO_SAMPLE_MIN_BYTES = 16 * 1024;

/** Bytes per codec and dtype timed at start-up by the cost model. */
export const COST_SAMPLE_BYTES = 1024 * 1024;

/** Timed repetitions per codec and dtype at start-up; the median is kept. */
export const COST_SAMPLE_RUNS = 3;

/**
 * sampleCodecs() times a codec's sample a second time when the first encode + decode took less
 * than this: cheap for the fast JS codecs, whose first pass over a new kind of data is not yet
 * optimised; the slow native/wasm ones (xz, zstd) are timed once.
 */
export const SAMPLE_RETIME_BELOW_MS = 10;

/**
 * sampleCodecs() extrapolates a sample's time to the whole payload as size^b, b fitted on the
 * sample and a quarter of it; b is kept at least this, so a cold first reading on the quarter
 * cannot promise more than sqrt growth. Measured here on MNIST float32, 64 KiB to 256 KiB:
 * blosc-lz4 0.95, xz 0.86, sparse 0.78, blosc-zstd 0.47.
 */
export const SAMPLE_SIZE_EXPONENT_MIN = 0.5;

/**
 * Bytes the payload memory looks at to tell payloads apart (payload-memory.ts): a strided probe
 * of that many bytes' worth of elements for the zero share, and a slice that long for the byte
 * entropy. 4 KiB costs a few microseconds, against the milliseconds sampling costs.
 */
export const MEMORY_PROBE_BYTES = 4096;

/**
 * Zero shares within 5 points count as alike: MNIST as float (~81% zeros) and ReLU activations
 * (~90%) are told apart, two batches of the same data set are not.
 */
export const MEMORY_ZERO_TOLERANCE = 0.05;

/** Byte entropies within a quarter bit per byte count as alike (random floats: ~7.5-8; smooth ones: lower). */
export const MEMORY_ENTROPY_TOLERANCE = 0.25;

/** Shares of repeating upper halves (payload-memory.ts) within 5 points count as alike: smooth floats (~10%) and random ones (~0%) differ by more. Tight on purpose: a miss only costs a sample, a false match a worse pick. */
export const MEMORY_REPEAT_TOLERANCE = 0.05;

/**
 * Whole-tensor encode speeds kept per codec and kind of payload (NG20); their median ranks the
 * codec. With only the last one, a GC pause in one top-k encode on loopback (250 against
 * ~550 MB/s) ranked DGC first for the next payload, and the picks flapped between the two.
 */
export const MEMORY_OBSERVED_KEEP = 3;

/** A remembered payload is reused this many times, then sampled again. */
export const MEMORY_REUSE_MAX = 8;

/** Kinds of payload (dtype, size, gradient flag, stream) remembered at once; the least recently sampled go first. */
export const MEMORY_MAX_KEYS = 64;

/**
 * Codecs a cut-short decision leaves pending (NG19), cheapest first: every lossless codec we
 * ship but none. Each costs one later payload of the kind a sample, and only if it could still
 * win (samplePending). It was 1 while lossy codecs were sampled too: then a 2 Mbit/s gradient
 * paid for sampling blosc-lz4, blosc-zstd and xz in turn, which could never beat DGC. With
 * their ratios known unsampled (NG24) that reason went, and keeping one cost a real miss: a
 * 20 Mbit/s MNIST batch got blosc-lz4 for good (1.41x the best) because blosc-zstd, skipped for
 * time behind it, was never sampled.
 */
export const MEMORY_MAX_PENDING = 4;
