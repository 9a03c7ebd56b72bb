import { codeFromGrpcStatus, DuetError, grpcStatusOf, isErrorCode, type ErrorCode } from '../../errors';

// gRPC-web framing (application/grpc-web+proto): each message is a 5-byte prefix (flags, then
// a big-endian uint32 length) and the message; the last frame has flag 0x80 and carries the
// trailers as HTTP/1 header lines. Written here, not taken from a library, because the browser
// libraries grow one buffer chunk after chunk, which measured ~14x slower than one arrayBuffer()
// for a 72 MB download (docs/flight.md); GrpcWebReader streams without that cost.

export const GRPC_WEB_CONTENT_TYPE = 'application/grpc-web+proto';
const TRAILER_FLAG = 0x80;

export function grpcWebFrame(message: Uint8Array, trailer = false): Uint8Array {
  const out = new Uint8Array(5 + message.byteLength);
  out[0] = trailer ? TRAILER_FLAG : 0;
  new DataView(out.buffer).setUint32(1, message.byteLength);
  out.set(message, 5);
  return out;
}

/** Just the 5-byte prefix, so a large message can be written after it without a copy. */
export function grpcWebPrefix(length: number, trailer = false): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = trailer ? TRAILER_FLAG : 0;
  new DataView(out.buffer).setUint32(1, length);
  return out;
}

export function grpcWebTrailer(error?: DuetError): Uint8Array {
  const lines = error === undefined
    ? 'grpc-status: 0\r\n'
    : `grpc-status: ${grpcStatusOf(error.code)}\r\ngrpc-message: ${encodeURIComponent(error.message)}\r\nduet-code: ${error.code}\r\n${error.reason === undefined ? '' : `duet-reason: ${error.reason}\r\n`}`;
  return grpcWebFrame(new TextEncoder().encode(lines), true);
}

export interface GrpcWebBody {
  /** Message payloads, as views of the body (no copies). */
  messages: Uint8Array[];
  /** The status from the trailer frame, or undefined when the call succeeded. */
  error: DuetError | undefined;
}

function malformed(message: string): DuetError {
  return new DuetError('INTERNAL', `Malformed gRPC-web response: ${message}`, { reason: 'MALFORMED_RESPONSE' });
}

/**
 * Splits a whole gRPC-web body. A response with no trailer frame was cut short (UNAVAILABLE);
 * a request (`isRequest`) has none.
 */
export function parseGrpcWebBody(body: Uint8Array, isRequest = false): GrpcWebBody {
  const messages: Uint8Array[] = [];
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  while (at < body.byteLength) {
    if (body.byteLength - at < 5) throw malformed('truncated frame prefix.');
    const flags = body[at]!;
    const len = view.getUint32(at + 1);
    if (at + 5 + len > body.byteLength) {
      throw new DuetError('UNAVAILABLE', 'The response ended mid-message: the connection or the server went away.', { reason: 'TRUNCATED' });
    }
    const payload = body.subarray(at + 5, at + 5 + len);
    at += 5 + len;
    if ((flags & TRAILER_FLAG) !== 0) return { messages, error: errorOfTrailer(new TextDecoder().decode(payload)) };
    messages.push(payload);
  }
  if (isRequest) return { messages, error: undefined };
  throw new DuetError('UNAVAILABLE', 'The response ended without its status: the connection or the server went away.', { reason: 'TRUNCATED' });
}

/** The DuetError a trailer block (or trailers-only response headers) describes, if any. */
export function errorOfTrailer(text: string): DuetError | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) fields.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return errorOfFields((k) => fields.get(k));
}

export function errorOfFields(get: (key: string) => string | null | undefined): DuetError | undefined {
  const status = Number(get('grpc-status') ?? NaN);
  if (status === 0) return undefined;
  if (!Number.isInteger(status)) return malformed('no grpc-status.');
  const sent = get('duet-code');
  const code: ErrorCode = sent != null && isErrorCode(sent) ? sent : codeFromGrpcStatus(status);
  let message = get('grpc-message') ?? 'Flight call failed';
  try {
    message = decodeURIComponent(message);
  } catch {
    // keep it as sent
  }
  return new DuetError(code, message, { reason: get('duet-reason') ?? undefined });
}
