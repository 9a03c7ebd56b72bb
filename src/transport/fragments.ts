import { create } from '@bufbuild/protobuf';
import { DuetError } from '../errors';
import { concatBytes } from '../util/bytes';
import { encode } from '../wire/frames';
import { ControlFrameSchema, type Fragment } from '../wire/gen/duet/v1/control_pb';

// A ControlFrame larger than one DataChannel message travels as Fragment frames.
// A Fragment's own framing costs a few bytes (tags, varints), so data is cut with headroom.
const FRAGMENT_OVERHEAD = 32;
let nextMessageId = 1;

export function fragmentFrame(frame: Uint8Array, maxTransportMessage: number): Uint8Array[] {
  if (frame.byteLength <= maxTransportMessage) return [frame];
  const size = maxTransportMessage - FRAGMENT_OVERHEAD;
  const count = Math.ceil(frame.byteLength / size);
  const messageId = nextMessageId++ >>> 0;
  const out: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const data = frame.subarray(index * size, Math.min(frame.byteLength, (index + 1) * size));
    out.push(encode(ControlFrameSchema, create(ControlFrameSchema, { msg: { case: 'fragment', value: { messageId, index, count, data } } })));
  }
  return out;
}

interface Partial {
  parts: Uint8Array[];
  bytes: number;
}

/** Reassembles fragments, bounded in total size and in messages open at once. */
export class FragmentAssembler {
  readonly #open = new Map<number, Partial>();

  constructor(
    private readonly maxMessageBytes: number,
    private readonly maxPartialMessages: number,
  ) {}

  /** Returns the whole frame once its last fragment arrives, else undefined. */
  add(f: Fragment): Uint8Array | undefined {
    const violation = (why: string, reason = 'PROTOCOL_VIOLATION') => new DuetError('INVALID_ARGUMENT', `Bad fragment: ${why}.`, { reason });
    let p = this.#open.get(f.messageId);
    if (!p) {
      if (f.index !== 0) throw violation(`message ${f.messageId} did not start at fragment 0`);
      if (f.count < 2) throw violation('a fragmented message needs at least 2 fragments');
      if (this.#open.size >= this.maxPartialMessages) {
        throw new DuetError('RESOURCE_EXHAUSTED', `Too many fragmented messages at once (maxPartialMessages=${this.maxPartialMessages}).`, { reason: 'LIMIT_EXCEEDED' });
      }
      this.#open.set(f.messageId, (p = { parts: [], bytes: 0 }));
    }
    // Fragments of one message arrive in order on an ordered channel.
    if (f.index !== p.parts.length || f.count < 2) throw violation(`fragment ${f.index} of message ${f.messageId} is out of order`);
    p.bytes += f.data.byteLength;
    if (p.bytes > this.maxMessageBytes) {
      this.#open.delete(f.messageId);
      throw new DuetError('RESOURCE_EXHAUSTED', `A control message grew past the ${this.maxMessageBytes}-byte limit (maxMessageBytes).`, {
        reason: 'MESSAGE_TOO_LARGE',
        details: { limit: 'maxMessageBytes', max: this.maxMessageBytes },
      });
    }
    p.parts.push(f.data);
    if (p.parts.length < f.count) return undefined;
    this.#open.delete(f.messageId);
    return concatBytes(p.parts);
  }
}
