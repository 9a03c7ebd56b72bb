import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { existsSync } from 'node:fs';
import sirv from 'sirv';
import { WebSocketServer } from 'ws';
import { APP_VERSION, PROTOCOL_VERSION } from '../src/wire/version';
import { HARD_MAX_FRAME_BYTES, resolveHubLimits, type HubLimits } from './constants';
import { DuetError } from '../src/errors';
import { attachFlightBridge, createFlightServer, FLIGHT_HOST, FLIGHT_PORT, FlightRelay, type FlightServerHandle } from './flight';
import type { IceServer } from './ice';
import { SessionRegistry } from './sessions';
import { SignalSocket } from './signal-socket';

export const DEFAULT_PORT = 8080;
export const SIGNAL_PATH = '/signal';

export interface HubOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The built app (dist/app); the hub serves it at `/`. */
  staticDir?: string;
  iceServers?: IceServer[];
  limits?: Partial<HubLimits>;
  /** The Flight service (gRPC) for Node peers; pages use the bridge on the hub's own port. false turns both off. */
  flight?: { port?: number; host?: string } | false;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Hub {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly limits: HubLimits;
  readonly registry: SessionRegistry;
  /** The Flight relay and its gRPC port (undefined when Flight is off). */
  readonly flight: { relay: FlightRelay; port: number } | undefined;
  /** Lets other services (the Flight bridge) share the one port under their own paths. */
  addRoute(prefix: string, handler: HttpHandler): void;
  addUpgrade(path: string, handler: UpgradeHandler): void;
  close(): Promise<void>;
}

// Cross-origin isolation lets the app use SharedArrayBuffer (some wasm codecs need it).
const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...ISOLATION_HEADERS });
  res.end(JSON.stringify(body));
}

export async function startHub(options: HubOptions = {}): Promise<Hub> {
  const limits = resolveHubLimits(options.limits);
  const registry = new SessionRegistry(limits);
  const started = Date.now();
  const routes = new Map<string, HttpHandler>();
  const upgrades = new Map<string, UpgradeHandler>();
  const statics =
    options.staticDir && existsSync(options.staticDir)
      ? sirv(options.staticDir, { etag: true, setHeaders: (res) => Object.entries(ISOLATION_HEADERS).forEach(([k, v]) => res.setHeader(k, v)) })
      : undefined;

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    for (const [prefix, handler] of routes) if (path.startsWith(prefix)) return handler(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'Only GET is served here.' });
    if (path === '/healthz') {
      return json(res, 200, { status: 'ok', protocolVersion: PROTOCOL_VERSION, appVersion: APP_VERSION, uptimeS: Math.round((Date.now() - started) / 1000), sessions: registry.size, peers: registry.peerCount });
    }
    if (path === '/config') return json(res, 200, { iceServers: options.iceServers ?? [], protocolVersion: PROTOCOL_VERSION, flightPort: flight?.port ?? null });
    if (statics) return statics(req, res, () => json(res, 404, { error: `Nothing at ${path}.` }));
    json(res, 404, { error: 'The app is not built; run `npm run build`.' });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_FRAME_BYTES });
  const sockets = new Set<SignalSocket>();
  upgrades.set(SIGNAL_PATH, (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s = new SignalSocket(ws, req.socket.remoteAddress ?? 'unknown', registry, limits);
      sockets.add(s);
      ws.on('close', () => sockets.delete(s));
    }),
  );
  server.on('upgrade', (req, socket, head) => {
    const handler = upgrades.get((req.url ?? '').split('?')[0]!);
    if (handler) return handler(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
  });
  const heartbeat = setInterval(() => sockets.forEach((s) => s.heartbeat()), limits.heartbeatMs);

  // Flight: one relay behind both the gRPC service (Node peers) and the HTTP bridge (pages).
  // A peer proves membership of a session with the credential it got when it joined.
  let flight: { relay: FlightRelay; port: number; server: FlightServerHandle; closeBridge(): void } | undefined;
  if (options.flight !== false) {
    const relay = new FlightRelay({
      authenticate: (payload) => {
        const session = registry.sessionOfCredential(payload);
        if (!session) throw new DuetError('UNAUTHENTICATED', 'This Flight credential belongs to no live session place.', { reason: 'BAD_CREDENTIAL' });
        return { sessionId: session.key };
      },
    });
    const bridge = attachFlightBridge(server, relay, { attach: false });
    routes.set('/flight/', (req, res) => void bridge.handleRequest(req, res));
    upgrades.set('/flight/ws', (req, socket, head) => void bridge.handleUpgrade(req, socket, head));
    const grpc = createFlightServer({ relay });
    const port = await grpc.listen(options.flight?.port ?? FLIGHT_PORT, options.flight?.host ?? FLIGHT_HOST);
    flight = { relay, port, server: grpc, closeBridge: () => bridge.close() };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULT_PORT);

  return {
    url: `http://localhost:${port}`,
    port,
    server,
    limits,
    registry,
    flight: flight && { relay: flight.relay, port: flight.port },
    addRoute: (prefix, handler) => void routes.set(prefix, handler),
    addUpgrade: (path, handler) => void upgrades.set(path, handler),
    close: async () => {
      clearInterval(heartbeat);
      flight?.closeBridge();
      await flight?.server.close();
      registry.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
