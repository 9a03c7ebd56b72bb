import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { CallOptions, EventDef, MethodDef } from '../transport/rpc-types';
import type { PeerHandler, PeerView } from './session';

/**
 * What the data owner and the data scientist need of a connection. A `Session` is one; unit
 * tests give them a control channel over an in-memory transport instead (STYLE 2).
 */
export interface DsLink {
  handleFrom<Req extends DescMessage, Res extends DescMessage>(def: MethodDef<Req, Res>, handler: PeerHandler<Req, Res>): void;
  call<Req extends DescMessage, Res extends DescMessage>(
    def: MethodDef<Req, Res>,
    request: MessageInitShape<Req>,
    options?: CallOptions & { peerId?: string },
  ): Promise<MessageShape<Res>>;
  onEvent<E extends DescMessage>(def: EventDef<E>, listener: (message: MessageShape<E>, peerId: string) => void): void;
  channel(peerId?: string): { emitEvent<E extends DescMessage>(def: EventDef<E>, message: MessageInitShape<E>): Promise<void> };
  readonly peers: readonly PeerView[];
  /** A control channel to a peer opened (first connect, or again after a drop); a Session emits it. */
  on?(event: 'channel', listener: (e: { peerId: string }) => void): () => void;
}
