// Child in namespace B: a Flight server with its default settings (it declares its ticket lifetime).
//   node --import tsx bench/relay-latency/hub.ts
// Prints {"ready":true,port}.

import { startFlightServer } from '../../signaling-server/flight';
import { answer, serveCommands } from '../negotiator/protocol';

const server = await startFlightServer({ authenticate: () => ({ sessionId: 'bench' }), port: 0, host: '0.0.0.0' });
answer({ ready: true, port: server.port });
serveCommands(
  () => undefined,
  () => void server.close().then(() => process.exit(0)),
);
