// Tuning values of the negotiator's pure core, each with its reason. They are not safety
// limits (nothing here allocates from peer input), but they follow the same rule: one
// place, named, and options default to them.

/**
 * Weight of a new transfer in the link throughput EWMA. 0.3 follows a real change within
 * ~3 transfers while one odd transfer (GC pause, tab in background) moves it by under a third.
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
