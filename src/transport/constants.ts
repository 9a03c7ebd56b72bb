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
