// Named limits and fixed values of the transport layer.

/** Random salt per sealed transfer; the per-transfer AES key is HKDF(shared secret, salt). */
export const SEAL_SALT_BYTES = 16;
/** Random nonce prefix per sealed transfer; the other 8 nonce bytes are the message counter. */
export const SEAL_NONCE_PREFIX_BYTES = 4;
export const SEAL_NONCE_BYTES = 12;
export const SEAL_TAG_BYTES = 16;
/**
 * Messages one sealed transfer may seal. Far below the 2^64 counter space and NIST's 2^32
 * invocations per GCM key, so a counter never wraps and a nonce is never reused under a key.
 */
export const SEAL_MAX_MESSAGES = 2 ** 32;
/** HKDF info and AAD label; bumping the version changes every key and every tag. */
export const SEAL_LABEL = 'duet/flight-seal/v1';

/**
 * Bytes a page lets queue in its WebSocket before it waits (browsers have no drain event, so the
 * client polls bufferedAmount). 8 MiB keeps two 4 MiB batches in flight, which measured enough to
 * keep the socket busy, without holding the whole tensor twice.
 */
export const BRIDGE_MAX_BUFFERED_AMOUNT = 8 * 1024 * 1024;
/** How often a waiting page re-checks bufferedAmount. */
export const BRIDGE_POLL_MS = 2;

/**
 * Record batch size a page uploads with (one batch per WebSocket message). Measured in headless
 * Chromium here: 72 MB in 1 MiB messages took about half the time of 4 MiB messages with the same
 * bufferedAmount limit (docs/flight.md, "Browser bridge").
 */
export const BRIDGE_UPLOAD_BATCH_BYTES = 1024 * 1024;
