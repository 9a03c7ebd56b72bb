import { TICKET_SPARE_MAX_AGE_SHARE } from '../constants';
import type { FlightClient } from './types';

// A sender keeps one ticket ready, so a transfer through the hub does not first wait a round
// trip for its ticket: from a data owner's tab to a remote hub, that is one RTT of the two and
// a half a small tensor takes. Only with hubs that declare their ticket lifetime
// (TICKET_TTL_HEADER): a spare older than TICKET_SPARE_MAX_AGE_SHARE of it is not used, so the
// receiver still has most of the lifetime to arrive. The spare holds one of the session's
// open tickets at the hub (maxTicketsPerSession); an unused one expires there.

/** The ticket lifetime a hub declared, or undefined when the header is absent or not a positive integer. */
export function ticketTtlOf(header: string | null | undefined): number | undefined {
  if (header === null || header === undefined || !/^[0-9]{1,15}$/.test(header)) return undefined;
  const ms = Number(header);
  return ms > 0 ? ms : undefined;
}

export class TicketSpare {
  #spare: { ticket: Uint8Array; requestedAt: number } | undefined;
  #filling: Promise<void> | undefined;

  constructor(
    private readonly client: () => Promise<FlightClient>,
    private readonly now: () => number = () => globalThis.performance.now(),
  ) {}

  /** A ticket for one transfer: the spare if it is fresh enough, else a new one. Refills the spare. */
  async take(): Promise<Uint8Array> {
    const client = await this.client();
    if (this.#filling) await this.#filling;
    const spare = this.#spare;
    this.#spare = undefined;
    const ticket = spare && this.#fresh(client, spare.requestedAt) ? spare.ticket : await client.createTicket();
    if (client.ticketTtlMs !== undefined) this.#refill(client);
    return ticket;
  }

  #fresh(client: FlightClient, requestedAt: number): boolean {
    const ttl = client.ticketTtlMs;
    // Aged from when it was asked for: the hub's clock started no earlier than that.
    return ttl !== undefined && this.now() - requestedAt < ttl * TICKET_SPARE_MAX_AGE_SHARE;
  }

  #refill(client: FlightClient): void {
    if (this.#filling) return;
    const requestedAt = this.now();
    this.#filling = client
      .createTicket()
      .then(
        (ticket) => {
          this.#spare = { ticket, requestedAt };
        },
        // No spare this time: the next transfer asks for its own ticket and sees any error itself.
        () => undefined,
      )
      .finally(() => {
        this.#filling = undefined;
      });
  }
}
