import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';

/** A typed remote method: its name on the wire and its protobuf request/response schemas. */
export interface MethodDef<Req extends DescMessage = DescMessage, Res extends DescMessage = DescMessage> {
  readonly name: string;
  readonly request: Req;
  readonly response: Res;
}

/** A typed one-way event. */
export interface EventDef<E extends DescMessage = DescMessage> {
  readonly name: string;
  readonly schema: E;
}

export function defineMethod<Req extends DescMessage, Res extends DescMessage>(name: string, request: Req, response: Res): MethodDef<Req, Res> {
  return { name, request, response };
}

export function defineEvent<E extends DescMessage>(name: string, schema: E): EventDef<E> {
  return { name, schema };
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HandlerContext {
  /** Aborted when the caller cancels, its deadline passes, or the channel closes. */
  signal: AbortSignal;
}

export type Handler<Req extends DescMessage, Res extends DescMessage> = (
  request: MessageShape<Req>,
  ctx: HandlerContext,
) => Promise<MessageInitShape<Res>> | MessageInitShape<Res>;
