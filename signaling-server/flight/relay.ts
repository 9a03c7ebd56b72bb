import { DuetError } from '../../src/errors';
import { configuredLimit } from '../../src/limits';
import {
  FLIGHT_PROTOCOL_VERSION,
  MAX_BUFFERED_BYTES,
  MAX_BUFFERED_RANGE,
  MAX_TICKETS_PER_SESSION,
  MAX_TICKETS_RANGE,
  MAX_TRANSFER_BYTES,
  MAX_TRANSFER_RANGE,
  STALL_TIMEOUT_MS,
  STALL_TIMEOUT_RANGE,
  TICKET_BYTES,
  TICKET_TTL_MS,
  TICKET_TTL_RANGE,
  TOKEN_TTL_MS,
  TOKEN_TTL_RANGE,
} from './constants';
import { hexOf, randomBytes } from './ids';
import { Pipe } from './pipe';
import { TokenStore, type Authenticate, type Principal } from './tokens';

export interface FlightRelayOptions {
  /** Checks the Handshake payload; the hub ties it to a session, a DO to its peer. */
  authenticate: Authenticate;
  ticketTtlMs?: number;
  tokenTtlMs?: number;
  maxTicketsPerSession?: number;
  maxBufferedBytes?: number;
  maxTransferBytes?: number;
  stallTimeoutMs?: number;
  /** Injected clock, for tests. */
  now?: () => number;
}

/** A stream of encoded FlightData messages a DO serves itself (no relay). */
export type FrameSource = () => AsyncIterable<Uint8Array>;

interface TicketEntry {
  sessionId: string;
  expiresAt: number;
  pipe: Pipe;
  source: FrameSource | undefined;
  putClaimed: boolean;
  getClaimed: boolean;
  done: boolean;
}

/**
 * The Flight service's state, apart from any transport: tokens, tickets and the bounded pipes
 * between producers and consumers. The gRPC service and the browser bridge both drive it, so
 * they share every rule. It never looks inside FlightData: the hub stays blind to content.
 */
export class FlightRelay {
  readonly limits: {
    ticketTtlMs: number;
    tokenTtlMs: number;
    maxTicketsPerSession: number;
    maxBufferedBytes: number;
    maxTransferBytes: number;
    stallTimeoutMs: number;
  };
  private readonly tokens: TokenStore;
  private readonly tickets = new Map<string, TicketEntry>();
  private readonly now: () => number;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed: DuetError | undefined;
  /** Largest per-transfer buffer seen, for tests and benchmarks. */
  peakBufferedBytes = 0;

  constructor(private readonly options: FlightRelayOptions) {
    this.now = options.now ?? Date.now;
    this.limits = {
      ticketTtlMs: configuredLimit('ticketTtlMs', options.ticketTtlMs, TICKET_TTL_MS, TICKET_TTL_RANGE),
      tokenTtlMs: configuredLimit('tokenTtlMs', options.tokenTtlMs, TOKEN_TTL_MS, TOKEN_TTL_RANGE),
      maxTicketsPerSession: configuredLimit('maxTicketsPerSession', options.maxTicketsPerSession, MAX_TICKETS_PER_SESSION, MAX_TICKETS_RANGE),
      maxBufferedBytes: configuredLimit('maxBufferedBytes', options.maxBufferedBytes, MAX_BUFFERED_BYTES, MAX_BUFFERED_RANGE),
      maxTransferBytes: configuredLimit('maxTransferBytes', options.maxTransferBytes, MAX_TRANSFER_BYTES, MAX_TRANSFER_RANGE),
      stallTimeoutMs: configuredLimit('stallTimeoutMs', options.stallTimeoutMs, STALL_TIMEOUT_MS, STALL_TIMEOUT_RANGE),
    };
    this.tokens = new TokenStore(this.limits.tokenTtlMs, this.now);
    this.timer = setInterval(() => this.sweep(), Math.min(1000, this.limits.ticketTtlMs, this.limits.stallTimeoutMs));
    this.timer.unref();
  }

  /** Flight Handshake: checks the protocol version and credential, returns a bearer token. */
  async handshake(protocolVersion: number, payload: Uint8Array): Promise<string> {
    this.assertOpen();
    if (protocolVersion !== 0 && protocolVersion !== FLIGHT_PROTOCOL_VERSION) {
      throw new DuetError('FAILED_PRECONDITION', `Flight protocol version ${protocolVersion} is not supported; this service speaks ${FLIGHT_PROTOCOL_VERSION}.`, {
        reason: 'VERSION_MISMATCH',
      });
    }
    let principal: Principal;
    try {
      principal = await this.options.authenticate(payload);
    } catch (e) {
      throw new DuetError('UNAUTHENTICATED', 'The handshake credential was refused.', { reason: 'BAD_CREDENTIAL', cause: e });
    }
    return this.tokens.issue(principal);
  }

  /** The caller of an `authorization` header value, or UNAUTHENTICATED. */
  principalOf(authorization: string | undefined): Principal {
    this.assertOpen();
    return this.tokens.verify(authorization);
  }

  /** A fresh single-use ticket for a relayed transfer in the caller's session. */
  createTicket(principal: Principal): Uint8Array {
    return this.register(principal, undefined);
  }

  /** A ticket whose DoGet streams `source`: how a data owner serves its own tensor (no relay). */
  offer(principal: Principal, source: FrameSource): Uint8Array {
    return this.register(principal, source);
  }

  /** The producer side: every message goes through the bounded pipe. Resolves with the bytes moved. */
  async put(principal: Principal, ticket: Uint8Array, messages: AsyncIterable<Uint8Array>): Promise<number> {
    const entry = this.claim(principal, ticket, 'put');
    const { pipe } = entry;
    try {
      for await (const m of messages) await pipe.push(m);
      // The transfer may have failed (stalled, expired, consumer gone) after the last push.
      if (pipe.error !== undefined) throw pipe.error;
      pipe.end();
      return pipe.transferredBytes;
    } catch (e) {
      // The consumer left, a limit was hit, or the ticket expired: tell the producer that.
      if (pipe.error !== undefined) throw pipe.error;
      // Otherwise the producer's own stream failed: it learns why, the consumer learns it is gone.
      pipe.fail(new DuetError('UNAVAILABLE', 'The producer went away mid-transfer.', { reason: 'PRODUCER_GONE', cause: e }));
      throw DuetError.from(e, 'UNAVAILABLE');
    } finally {
      this.peakBufferedBytes = Math.max(this.peakBufferedBytes, pipe.peakBufferedBytes);
      this.settle(entry);
    }
  }

  /** The consumer side. Ending the iteration early (consumer gone) fails the producer too. */
  async *get(principal: Principal, ticket: Uint8Array): AsyncGenerator<Uint8Array> {
    const entry = this.claim(principal, ticket, 'get');
    const { pipe } = entry;
    let finished = false;
    try {
      if (entry.source !== undefined) {
        for await (const m of entry.source()) {
          if (pipe.error !== undefined) throw pipe.error;
          yield m;
        }
      } else {
        yield* pipe.drain();
      }
      finished = true;
    } finally {
      if (!finished) pipe.fail(pipe.error ?? new DuetError('CANCELLED', 'The consumer went away mid-transfer.', { reason: 'CONSUMER_GONE' }));
      else pipe.end();
      entry.getClaimed = true;
      this.settle(entry, true);
    }
  }

  /** Fails every transfer in flight, e.g. when the server stops. */
  close(reason = new DuetError('UNAVAILABLE', 'The Flight service is shutting down.', { reason: 'SERVER_STOPPING' })): void {
    this.closed = reason;
    clearInterval(this.timer);
    for (const e of this.tickets.values()) e.pipe.fail(reason);
    this.tickets.clear();
  }

  /** Expires waiting tickets and stalled transfers; runs on a timer, callable from tests. @internal */
  sweep(): void {
    const t = this.now();
    for (const [key, e] of this.tickets) {
      if (e.done) {
        // Tombstones live one more TTL, so a late reuse is told "used" or "expired", not "unknown".
        if (t >= e.expiresAt + this.limits.ticketTtlMs) this.tickets.delete(key);
        continue;
      }
      const waiting = !e.putClaimed || !e.getClaimed;
      if (waiting && t >= e.expiresAt) {
        e.pipe.fail(new DuetError('DEADLINE_EXCEEDED', 'The ticket expired before both sides of the transfer arrived.', { reason: 'TICKET_EXPIRED' }));
        e.done = true;
      } else if (!waiting && t - e.pipe.lastActivity > this.limits.stallTimeoutMs) {
        e.pipe.fail(e.pipe.stallFailure(this.limits.stallTimeoutMs));
        e.done = true;
      }
    }
  }

  private register(principal: Principal, source: FrameSource | undefined): Uint8Array {
    this.assertOpen();
    this.sweep();
    let open = 0;
    for (const e of this.tickets.values()) if (e.sessionId === principal.sessionId && !e.done) open++;
    if (open >= this.limits.maxTicketsPerSession) {
      throw new DuetError('RESOURCE_EXHAUSTED', `The session already holds maxTicketsPerSession=${this.limits.maxTicketsPerSession} open tickets.`, {
        reason: 'LIMIT_EXCEEDED',
        details: { limit: 'maxTicketsPerSession' },
      });
    }
    const ticket = randomBytes(TICKET_BYTES);
    this.tickets.set(hexOf(ticket), {
      sessionId: principal.sessionId,
      expiresAt: this.now() + this.limits.ticketTtlMs,
      pipe: new Pipe(this.limits.maxBufferedBytes, this.limits.maxTransferBytes, this.now),
      source,
      putClaimed: source !== undefined,
      getClaimed: false,
      done: false,
    });
    return ticket;
  }

  private claim(principal: Principal, ticket: Uint8Array, side: 'put' | 'get'): TicketEntry {
    this.assertOpen();
    const entry = ticket.byteLength === TICKET_BYTES ? this.tickets.get(hexOf(ticket)) : undefined;
    if (entry === undefined) {
      throw new DuetError('NOT_FOUND', 'Unknown ticket: it was never issued here, or it is long gone.', { reason: 'UNKNOWN_TICKET' });
    }
    if (entry.sessionId !== principal.sessionId) {
      throw new DuetError('PERMISSION_DENIED', 'The ticket belongs to another session.', { reason: 'WRONG_SESSION' });
    }
    if (this.now() >= entry.expiresAt && !entry.done) {
      entry.pipe.fail(new DuetError('DEADLINE_EXCEEDED', 'The ticket expired before both sides of the transfer arrived.', { reason: 'TICKET_EXPIRED' }));
    }
    if (this.now() >= entry.expiresAt) {
      throw new DuetError('FAILED_PRECONDITION', 'The ticket has expired.', { reason: 'TICKET_EXPIRED' });
    }
    const claimed = side === 'put' ? entry.putClaimed : entry.getClaimed;
    // The other side already failed (e.g. the producer left): say that, not "used".
    if (!claimed && entry.pipe.error !== undefined) throw entry.pipe.error;
    if (claimed || entry.done) {
      const what = side === 'put' && entry.source !== undefined ? "serves a data owner's own tensor and takes no DoPut" : `was already used for ${side === 'put' ? 'DoPut' : 'DoGet'}`;
      throw new DuetError('FAILED_PRECONDITION', `The ticket ${what}; tickets are single-use.`, { reason: 'TICKET_USED' });
    }
    if (side === 'put') entry.putClaimed = true;
    else entry.getClaimed = true;
    // The stall clock runs from when the transfer could first make progress, not from the ticket.
    entry.pipe.touch();
    return entry;
  }

  private settle(entry: TicketEntry, consumerDone = false): void {
    // Keep the entry as a tombstone until it expires, so a reuse is told "used", not "unknown".
    if (consumerDone || entry.pipe.error !== undefined) entry.done = true;
  }

  private assertOpen(): void {
    if (this.closed !== undefined) throw this.closed;
  }
}
