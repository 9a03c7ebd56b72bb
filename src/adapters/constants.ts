// Limits of the Node adapters (grpc-js client).

/** Bytes a client keeps queued in grpc-js before it waits; bounds its memory like the relay's. */
export const CLIENT_MAX_IN_FLIGHT_BYTES = 16 * 1024 * 1024;
/** The largest message a client accepts: the largest record batch (64 MiB) plus headers and seal tags. */
export const CLIENT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024 + 64 * 1024;
/**
 * HTTP/2 receive window of the client (grpc-js 'grpc-node.flow_control_window'). Node's default
 * 64 KiB makes a fast sender wait for a WINDOW_UPDATE every 64 KiB; 16 MiB lets several batches
 * be on the wire at once.
 */
export const CLIENT_FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;
/** Handshake protocol_version the client sends. */
export const FLIGHT_HANDSHAKE_VERSION = 1n;
