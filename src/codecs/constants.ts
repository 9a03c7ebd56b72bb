import { configuredLimit } from '../limits';

// Every limit of the codec layer, with the reason for its value. Options default to these
// and never copy the numbers; `configuredLimit` validates a setting against the range.

/**
 * The largest decoded size of one codec frame. Arrow record batches are 1-16 MB, so a
 * frame this big is already a whole tensor sent in one piece; it is also the liblzma wasm
 * heap's ceiling (256 MiB), so an xz frame a browser accepts fits the decoder that reads it.
 * The same cap bounds what an encoder accepts: a frame the receiver must refuse is useless.
 */
export const CODEC_MAX_DECODED_BYTES = 256 * 1024 * 1024;
/** c-blosc 1.x refuses buffers over INT32_MAX - 16 bytes (BLOSC_MAX_BUFFERSIZE). */
export const BLOSC_MAX_BUFFER_BYTES = 2 ** 31 - 1 - 16;
export const CODEC_MAX_DECODED_BYTES_RANGE = { min: 1, max: BLOSC_MAX_BUFFER_BYTES };

/**
 * liblzma's decoder memory limit. A stream's header names its dictionary size, and a
 * hostile one can ask for 1.5 GiB before producing a byte; preset 9 needs 65 MiB to decode,
 * so 128 MiB reads everything `xz -0..-9e` writes and refuses the rest (LZMA_MEMLIMIT_ERROR).
 */
export const XZ_DECODER_MEMLIMIT_BYTES = 128 * 1024 * 1024;
export const XZ_DECODER_MEMLIMIT_RANGE = { min: 1024 * 1024, max: 256 * 1024 * 1024 };

/** xz preset: 1 is the measured sweet spot (0-1 compress ~2x faster than 6 at a similar ratio on tensors). */
export const XZ_DEFAULT_PRESET = 1;
export const XZ_PRESET_RANGE = { min: 0, max: 9 };

/**
 * Bytes handed to the wasm liblzma per call, in and out. The decoder's output buffer is
 * never bigger than what is left under the cap (+1 byte to detect overflow), so a
 * decompression bomb stops within one call, having written at most the cap.
 */
export const XZ_IO_CHUNK_BYTES = 64 * 1024;

/** Worker threads for native xz compression (lzma-native); the target machines have 2 cores. */
export const XZ_DEFAULT_THREADS = 2;
export const XZ_THREADS_RANGE = { min: 1, max: 64 };

/** blosc compression level; 5 is c-blosc's own default and the knee of its ratio/speed curve. */
export const BLOSC_DEFAULT_CLEVEL = 5;
export const BLOSC_CLEVEL_RANGE = { min: 0, max: 9 };

/**
 * When a payload is larger than this, blosc decides shuffle-or-not on a sample of this many
 * bytes instead of compressing the whole payload twice. Shuffle wins on gradients and
 * loses on mostly-zero images (MNIST: 3.5x shuffled vs 6.0x unshuffled), so it is measured.
 */
export const BLOSC_SHUFFLE_SAMPLE_BYTES = 256 * 1024;

/**
 * Elements per row of the sparse codec's CSR-like layout: column indices are u16, so a row
 * holds at most 65,536 elements. A format constant, not a setting.
 */
export const SPARSE_ROW_ELEMENTS = 65_536;

/**
 * Named gradient streams whose residuals a lossy codec keeps. Each costs a dense copy of
 * the gradient, so an unbounded map is a memory leak (or an attack); 1024 covers one
 * stream per parameter tensor of any model this product trains in a tab.
 */
export const ERROR_FEEDBACK_MAX_STREAMS = 1024;
export const ERROR_FEEDBACK_MAX_STREAMS_RANGE = { min: 1, max: 1_000_000 };

/** Default share of elements top-k, random-k and DGC keep (1%, as in the DGC paper's early sweeps). */
export const LOSSY_DEFAULT_RATIO = 0.01;

/** QSGD quantisation levels s: 15 levels + sign fit 5 bits per element (6.4x on float32). */
export const QSGD_DEFAULT_LEVELS = 15;
export const QSGD_LEVELS_RANGE = { min: 1, max: 127 };
/** QSGD bucket size: one norm per bucket bounds the error by ||bucket||/s (QSGD paper uses 512). */
export const QSGD_DEFAULT_BUCKET = 512;
export const QSGD_BUCKET_RANGE = { min: 1, max: 1 << 24 };

/**
 * Exact top-k samples this share of a large input (at least TOPK_SAMPLE_MIN elements) for a
 * threshold just below the k-th largest magnitude, then selects among the elements above it.
 * The result is exact either way; these only decide how often the fast route is taken.
 */
export const TOPK_SAMPLE_RATIO = 0.01;
export const TOPK_SAMPLE_MIN = 4096;
/** Standard deviations of margin below the sampled rank, so that a miss (a threshold above
 *  the k-th largest, which falls back to the whole array) is rare. */
export const TOPK_SAMPLE_SIGMAS = 4;

/** DGC samples this share of elements to estimate the top-k threshold (the paper's 0.1-1%). */
export const DGC_SAMPLE_RATIO = 0.01;
/** ...but never fewer than this many, so small tensors still get a usable estimate. */
export const DGC_MIN_SAMPLE = 1024;
/** Times DGC relaxes its threshold when the sample overestimated it (too few elements selected). */
export const DGC_MAX_ADJUSTMENTS = 4;

export interface CodecLimits {
  maxDecodedBytes: number;
}

export interface CodecLimitSettings {
  maxDecodedBytes?: number;
}

/** Validates the per-codec limit settings; bad values are INVALID_ARGUMENT (BAD_CONFIG). */
export function codecLimits(settings: CodecLimitSettings = {}): CodecLimits {
  return {
    maxDecodedBytes: configuredLimit('maxDecodedBytes', settings.maxDecodedBytes, CODEC_MAX_DECODED_BYTES, CODEC_MAX_DECODED_BYTES_RANGE),
  };
}
