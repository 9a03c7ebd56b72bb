import { configuredLimit } from '../limits';

// Limits of the peer-to-peer control channel, each with its reason; docs/PROTOCOL.md lists them.

/** Chromium's SCTP max-message-size for DataChannels; larger sends throw. */
export const MAX_DATACHANNEL_MESSAGE_BYTES = 256 * 1024;
/** Above this many bytes queued in the DataChannel we wait: Chromium throws near 16 MB. */
export const HIGH_WATER_BYTES = 4 * 1024 * 1024;
/** ...and resume sending once the queue has drained to this. */
export const LOW_WATER_BYTES = 1024 * 1024;
/** Largest control message after reassembly; bulk data belongs on the tensor paths. */
export const MAX_CONTROL_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Room for a request's envelope (method name, ids) around a payload at the message limit. */
export const ENVELOPE_HEADROOM_BYTES = 4096;
/** Calls in flight per direction; more is a bug or abuse, refused with RESOURCE_EXHAUSTED. */
export const MAX_PENDING_CALLS = 1024;
/** Fragmented messages being reassembled at once. */
export const MAX_PARTIAL_MESSAGES = 16;
/** A call without an explicit timeout gives up after this. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;
/** Both hellos must be exchanged within this, or the link is refused. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** A WebRTC connection that is not up within this is abandoned and retried. */
export const CONNECT_TIMEOUT_MS = 20_000;
/** How often a connected session measures the RTT. */
export const PING_INTERVAL_MS = 2_000;

export interface ControlLimits {
  maxMessageBytes: number;
  maxPendingCalls: number;
  maxPartialMessages: number;
  defaultCallTimeoutMs: number;
  handshakeTimeoutMs: number;
}

export function resolveControlLimits(given: Partial<ControlLimits> = {}): ControlLimits {
  return {
    maxMessageBytes: configuredLimit('maxMessageBytes', given.maxMessageBytes, MAX_CONTROL_MESSAGE_BYTES, { min: 1024, max: 1024 ** 3 }),
    maxPendingCalls: configuredLimit('maxPendingCalls', given.maxPendingCalls, MAX_PENDING_CALLS, { min: 1, max: 1_000_000 }),
    maxPartialMessages: configuredLimit('maxPartialMessages', given.maxPartialMessages, MAX_PARTIAL_MESSAGES, { min: 1, max: 10_000 }),
    defaultCallTimeoutMs: configuredLimit('defaultCallTimeoutMs', given.defaultCallTimeoutMs, DEFAULT_CALL_TIMEOUT_MS, { min: 1, max: 24 * 3600_000 }),
    handshakeTimeoutMs: configuredLimit('handshakeTimeoutMs', given.handshakeTimeoutMs, HANDSHAKE_TIMEOUT_MS, { min: 1, max: 3600_000 }),
  };
}

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
 * Upload bytes a page may have sent that the hub's relay has not yet taken (acknowledged).
 * The page waits for the hub's acks, not on bufferedAmount polled by a timer, because timers in
 * a background tab fire at most once a second (once a minute after five hidden minutes).
 * 8 MiB keeps eight 1 MiB batches in flight, enough to keep the socket busy, without holding the
 * whole tensor twice.
 */
export const BRIDGE_UPLOAD_WINDOW_BYTES = 8 * 1024 * 1024;

/**
 * Record batch size a page uploads with (one batch per WebSocket message). Measured in headless
 * Chromium here: 72 MB in 1 MiB messages took about half the time of 4 MiB messages with the same
 * bufferedAmount limit (docs/flight.md, "Browser bridge").
 */
export const BRIDGE_UPLOAD_BATCH_BYTES = 1024 * 1024;

/**
 * Response header of the ticket action (DoAction "duet.ticket.create"): the hub's ticket lifetime
 * in ms. Standard Flight clients ignore it; ours keep one ticket ready once they know it, so a
 * transfer does not wait a round trip to the hub before it can be announced.
 */
export const TICKET_TTL_HEADER = 'duet-ticket-ttl-ms';

/**
 * A spare ticket is used only while younger than this share of the hub's ticket lifetime. The
 * rest of the lifetime is the receiver's to arrive in (both sides must claim a ticket before it
 * expires): with the default 60 s, a spare is at most 15 s old and leaves the receiver 45 s.
 */
export const TICKET_SPARE_MAX_AGE_SHARE = 0.25;
