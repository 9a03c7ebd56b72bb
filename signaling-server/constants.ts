import { configuredLimit } from '../src/limits';

// Every limit of the hub, with its reason. Options default to these and are validated by
// resolveHubLimits; tests import them and test at the edge. Documented in docs/PROTOCOL.md.

/** An SDP offer with many ICE candidates is ~5-10 KB; 64 KiB leaves room and bounds memory. */
export const MAX_SIGNAL_MESSAGE_BYTES = 64 * 1024;
/** Frames past this are cut by the WebSocket layer itself (close 1009) before we parse them. */
export const HARD_MAX_FRAME_BYTES = 4 * MAX_SIGNAL_MESSAGE_BYTES;
/** Sustained signalling rate per socket. Trickle ICE sends tens of candidates, not hundreds. */
export const MESSAGES_PER_SECOND = 50;
/** Short bursts allowed above the rate, e.g. all candidates of a fresh connection at once. */
export const MESSAGE_BURST = 100;
/** A Duet is two peers: the owner and the scientist. */
export const DEFAULT_PEERS_PER_SESSION = 2;
/** Upper bound for multi-party sessions (SMPC, all-reduce) that ask for more. */
export const MAX_PEERS_PER_SESSION = 16;
/** Stops one client from filling the hub with sessions. */
export const MAX_SESSIONS_PER_IP = 20;
/** A session with no connected peer for this long is removed. */
export const SESSION_IDLE_MS = 10 * 60_000;
/** Ping interval; a socket that misses one whole interval is dropped (so within 2 intervals). */
export const HEARTBEAT_MS = 10_000;
/** How long a dropped peer's slot waits for it to resume (a page reload, a network blip). */
export const RESUME_GRACE_MS = 30_000;
/** A socket must introduce itself quickly or it is closed. */
export const HELLO_TIMEOUT_MS = 10_000;
/** Ended sessions are remembered this long, so a late joiner hears "expired", not "unknown". */
export const EXPIRED_MEMORY_MS = 60 * 60_000;
/** And at most this many of them, oldest forgotten first, so memory stays bounded. */
export const EXPIRED_MEMORY_ENTRIES = 10_000;

export interface HubLimits {
  maxMessageBytes: number;
  messagesPerSecond: number;
  messageBurst: number;
  defaultPeersPerSession: number;
  maxPeersPerSession: number;
  maxSessionsPerIp: number;
  sessionIdleMs: number;
  heartbeatMs: number;
  resumeGraceMs: number;
  helloTimeoutMs: number;
}

const DAY_MS = 24 * 3600_000;

export function resolveHubLimits(given: Partial<HubLimits> = {}): HubLimits {
  const maxPeersPerSession = configuredLimit('maxPeersPerSession', given.maxPeersPerSession, MAX_PEERS_PER_SESSION, { min: 2, max: 256 });
  return {
    maxMessageBytes: configuredLimit('maxMessageBytes', given.maxMessageBytes, MAX_SIGNAL_MESSAGE_BYTES, { min: 1024, max: HARD_MAX_FRAME_BYTES }),
    messagesPerSecond: configuredLimit('messagesPerSecond', given.messagesPerSecond, MESSAGES_PER_SECOND, { min: 1, max: 10_000 }),
    messageBurst: configuredLimit('messageBurst', given.messageBurst, MESSAGE_BURST, { min: 1, max: 100_000 }),
    defaultPeersPerSession: configuredLimit('defaultPeersPerSession', given.defaultPeersPerSession, DEFAULT_PEERS_PER_SESSION, {
      min: 2,
      max: maxPeersPerSession,
    }),
    maxPeersPerSession,
    maxSessionsPerIp: configuredLimit('maxSessionsPerIp', given.maxSessionsPerIp, MAX_SESSIONS_PER_IP, { min: 1, max: 1_000_000 }),
    sessionIdleMs: configuredLimit('sessionIdleMs', given.sessionIdleMs, SESSION_IDLE_MS, { min: 10, max: DAY_MS }),
    heartbeatMs: configuredLimit('heartbeatMs', given.heartbeatMs, HEARTBEAT_MS, { min: 10, max: 3600_000 }),
    resumeGraceMs: configuredLimit('resumeGraceMs', given.resumeGraceMs, RESUME_GRACE_MS, { min: 0, max: DAY_MS }),
    helloTimeoutMs: configuredLimit('helloTimeoutMs', given.helloTimeoutMs, HELLO_TIMEOUT_MS, { min: 10, max: 3600_000 }),
  };
}
