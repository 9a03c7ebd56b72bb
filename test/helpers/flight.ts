import { afterAll, beforeAll } from 'vitest';
import { NodeFlightClient } from '../../src/adapters/flight-client-node';
import { DuetError } from '../../src/errors';
import { startFlightServer, type FlightRelayOptions, type FlightServerHandle, type FlightServerOptions } from '../../signaling-server/flight';

const enc = new TextEncoder();

/** Test credential: "session:<id>" authenticates into session <id>; anything else is refused. */
export function credential(sessionId: string): Uint8Array {
  return enc.encode(`session:${sessionId}`);
}

export const testAuthenticate: FlightRelayOptions['authenticate'] = (payload) => {
  const text = new TextDecoder().decode(payload);
  if (!text.startsWith('session:')) throw new DuetError('UNAUTHENTICATED', 'bad test credential');
  return { sessionId: text.slice('session:'.length) };
};

export async function startTestServer(options: Partial<FlightServerOptions> = {}): Promise<FlightServerHandle & { port: number }> {
  return startFlightServer({ authenticate: testAuthenticate, port: 0, host: '127.0.0.1', ...options });
}

export async function connectedClient(port: number, sessionId = 'S1'): Promise<NodeFlightClient> {
  const c = new NodeFlightClient({ address: `127.0.0.1:${port}` });
  await c.handshake(credential(sessionId));
  return c;
}

/** A test server with a producer and a consumer client of one session. */
export interface RelayPair {
  server: FlightServerHandle & { port: number };
  producer: NodeFlightClient;
  consumer: NodeFlightClient;
  close(): Promise<void>;
}

export async function openRelay(options: Partial<FlightServerOptions> = {}): Promise<RelayPair> {
  const server = await startTestServer(options);
  const producer = await connectedClient(server.port);
  const consumer = await connectedClient(server.port);
  return {
    server,
    producer,
    consumer,
    close: async () => {
      producer.close();
      consumer.close();
      await server.close();
    },
  };
}

/** Runs `fn` with a fresh relay pair, closed afterwards whatever happens. */
export async function withRelay<T>(options: Partial<FlightServerOptions>, fn: (r: RelayPair) => Promise<T>): Promise<T> {
  const r = await openRelay(options);
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

/** A relay pair for the enclosing describe block; read its fields inside tests. */
export function relayPerSuite(options: Partial<FlightServerOptions> = {}): RelayPair {
  const r = {} as RelayPair;
  beforeAll(async () => {
    Object.assign(r, await openRelay(options));
  });
  afterAll(() => r.close());
  return r;
}

export { rejection } from './errors';
