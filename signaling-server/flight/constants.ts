// Every limit of the Flight service, with why. Options default to these; configuredLimit validates.

/** Arrow Flight's customary port. */
export const FLIGHT_PORT = 8815;
/** Loopback by default: the service speaks plaintext HTTP/2, so exposing it is the embedder's choice. */
export const FLIGHT_HOST = '127.0.0.1';

/** Handshake protocol_version this service speaks; 0 (unset, as standard clients send) is accepted too. */
export const FLIGHT_PROTOCOL_VERSION = 1;

/** 128-bit random tickets and tokens: unguessable, as the brief of a bearer secret needs. */
export const TICKET_BYTES = 16;
export const TOKEN_BYTES = 16;

/** A ticket not fully used within a minute is dead; a transfer must at least start by then. */
export const TICKET_TTL_MS = 60_000;
export const TICKET_TTL_RANGE = { min: 1, max: 60 * 60_000 } as const;

/** Bearer tokens live as long as a working session reasonably does. */
export const TOKEN_TTL_MS = 60 * 60_000;
export const TOKEN_TTL_RANGE = { min: 1, max: 24 * 60 * 60_000 } as const;

/** Open tickets per session: bounds the hub's state a session can create. */
export const MAX_TICKETS_PER_SESSION = 64;
export const MAX_TICKETS_RANGE = { min: 1, max: 100_000 } as const;

/**
 * Bytes the relay holds per transfer before it stops reading from the producer. 16 MiB is four
 * default record batches: enough to keep both sides busy, small enough that a 1 GB tensor
 * passes through in bounded memory.
 */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const MAX_BUFFERED_RANGE = { min: 1, max: 1024 * 1024 * 1024 } as const;

/** Bytes of FlightData one transfer may carry through the relay (2 GiB tensors plus framing). */
export const MAX_TRANSFER_BYTES = 2 * 1024 * 1024 * 1024 + 64 * 1024 * 1024;
export const MAX_TRANSFER_RANGE = { min: 0, max: Number.MAX_SAFE_INTEGER } as const;

/**
 * HTTP/2 receive window of each stream into the Flight server. Node's default, 64 KiB, makes a
 * DoPut wait a round trip per 64 KiB: at most 13 MB/s at 5 ms RTT, 1.3 MB/s at 50 ms
 * (bench/flight-window.ts measures 64 KiB against this). A one-off sweep here, Node DoPut -> hub
 * -> Node DoGet of 72 MB on loopback (medians of 8): 552 ms at 64 KiB, 380 at 1 MiB, 344 at
 * 2 MiB, 322 at 4 MiB. Larger is not safe: at 8 MiB and more, a DoPut and the
 * DoGet of the same tensor started together on one connection deadlocked (the paused DoPut
 * stream stops Node's session from reading, as we read it, so the DoGet's window updates wait
 * behind it). 4 MiB and below never did, over batch sizes 1-16 MiB and relay buffers 1-16 MiB;
 * 2 MiB keeps a margin. The test "FL8: a DoPut that fills the relay buffer" guards this.
 */
export const FLIGHT_STREAM_WINDOW_BYTES = 2 * 1024 * 1024;
/** Up to 4 MiB: the largest window that never deadlocked in our runs. */
export const FLIGHT_STREAM_WINDOW_RANGE = { min: 65_535, max: 4 * 1024 * 1024 } as const;
/**
 * The connection's window, in stream windows. It starts at 64 KiB whatever the settings say and
 * caps every stream on the connection, so it must be larger: 16 streams at full speed.
 */
export const FLIGHT_CONNECTION_WINDOW_STREAMS = 16;

/** Largest single gRPC message: the largest record batch (64 MiB) plus headers and seal tags. */
export const MAX_FLIGHT_MESSAGE_BYTES = 64 * 1024 * 1024 + 64 * 1024;

/** A transfer with no progress this long is abandoned, so a stuck peer cannot pin a ticket. */
export const STALL_TIMEOUT_MS = 30_000;
export const STALL_TIMEOUT_RANGE = { min: 1, max: 10 * 60_000 } as const;

/** The Duet action that issues a ticket bound to the caller's session. */
export const ACTION_CREATE_TICKET = 'duet.ticket.create';

/** URL prefix of the browser bridge on the hub's HTTP port; its WebSocket is `${prefix}/ws`. */
export const BRIDGE_PREFIX = '/flight';
/** A bridge unary request (Handshake, Action, Ticket) is tiny; bigger bodies are refused unread. */
export const BRIDGE_MAX_REQUEST_BYTES = 64 * 1024;
