import { DuetError } from '../../errors';
import { errorOfTrailer } from './grpc-web';

// Reads a gRPC-web response as it arrives, so the tensor decoder (and unsealing) can work on
// each FlightData while the rest downloads. Each message is copied at most once, when it
// straddles network chunks (a view otherwise), which costs what one arrayBuffer() costs;
// the slow readers are the ones that grow one buffer chunk after chunk.

const TRAILER_FLAG = 0x80;

export type GrpcWebItem = { message: Uint8Array } | { status: DuetError | undefined };

export class GrpcWebReader {
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #done = false;

  /** Messages (and at the end the status) that the bytes so far complete. */
  *push(chunk: Uint8Array): Generator<GrpcWebItem> {
    if (this.#done) {
      if (chunk.byteLength) throw new DuetError('INTERNAL', 'Malformed gRPC-web response: bytes after the trailer.', { reason: 'MALFORMED_RESPONSE' });
      return;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    while (this.#buffered >= 5) {
      const prefix = this.#peek(5);
      const len = new DataView(prefix.buffer, prefix.byteOffset, 5).getUint32(1);
      if (this.#buffered < 5 + len) return;
      const flags = prefix[0]!;
      this.#take(5);
      const payload = this.#take(len);
      if ((flags & TRAILER_FLAG) !== 0) {
        this.#done = true;
        yield { status: errorOfTrailer(new TextDecoder().decode(payload)) };
        return;
      }
      yield { message: payload };
    }
  }

  /** Call at the end of the body: a response without its trailer was cut short. */
  end(): void {
    if (!this.#done) throw new DuetError('UNAVAILABLE', 'The response ended without its status: the connection or the server went away.', { reason: 'TRUNCATED' });
  }

  #peek(n: number): Uint8Array {
    const first = this.#chunks[0]!;
    if (first.byteLength >= n) return first.subarray(0, n);
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of this.#chunks) {
      const k = Math.min(c.byteLength, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (at === n) break;
    }
    return out;
  }

  #take(n: number): Uint8Array {
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (first && first.byteLength >= n) {
      // A view when the message lies within one chunk: no copy.
      this.#chunks[0] = first.subarray(n);
      if (this.#chunks[0].byteLength === 0) this.#chunks.shift();
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0]!;
      const k = Math.min(c.byteLength, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.byteLength) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    return out;
  }
}
