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

/** A server with a producer and a consumer (one session), for the enclosing describe block; read its fields inside tests. */
export function relayPerSuite(options: Partial<FlightServerOptions> = {}): { server: FlightServerHandle & { port: number }; producer: NodeFlightClient; consumer: NodeFlightClient } {
  const r = {} as ReturnType<typeof relayPerSuite>;
  beforeAll(async () => {
    r.server = await startTestServer(options);
    r.producer = await connectedClient(r.server.port);
    r.consumer = await connectedClient(r.server.port);
  });
  afterAll(async () => {
    r.producer.close();
    r.consumer.close();
    await r.server.close();
  });
  return r;
}

export { rejection } from './errors';
