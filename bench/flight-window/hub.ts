// Child in namespace B: a Flight server with the given HTTP/2 stream window, and a sink that
// drains each ticket inside the hub, so only the producer's DoPut crosses the link.
//   node --import tsx bench/flight-window/hub.ts --stream-window N
// Prints {"ready":true,port}; answers {"cmd":"sink","id"} with {"sink":id,"ticket":hex}.

import { startFlightServer } from '../../signaling-server/flight';
import { answer, requiredFlag, serveCommands } from '../negotiator/protocol';

const principal = { sessionId: 'bench' };
const server = await startFlightServer({ authenticate: () => principal, port: 0, host: '0.0.0.0', streamWindowBytes: Number(requiredFlag('--stream-window')) });
answer({ ready: true, port: server.port });

serveCommands<{ cmd: 'sink'; id: string }>(
  (c) => {
    const ticket = server.relay.createTicket(principal);
    answer({ sink: c.id, ticket: Buffer.from(ticket).toString('hex') });
    void (async () => {
      for await (const _ of server.relay.get(principal, ticket));
    })().catch((e: unknown) => answer({ error: String(e), id: c.id }));
  },
  () => void server.close().then(() => process.exit(0)),
);
