import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { existsSync } from 'node:fs';
import sirv from 'sirv';
import { WebSocketServer } from 'ws';
import { APP_VERSION, PROTOCOL_VERSION } from '../src/wire/version';
import { HARD_MAX_FRAME_BYTES, resolveHubLimits, type HubLimits } from './constants';
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
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Hub {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly limits: HubLimits;
  readonly registry: SessionRegistry;
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
    if (path === '/config') return json(res, 200, { iceServers: options.iceServers ?? [], protocolVersion: PROTOCOL_VERSION });
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
    addRoute: (prefix, handler) => void routes.set(prefix, handler),
    addUpgrade: (path, handler) => void upgrades.set(path, handler),
    close: async () => {
      clearInterval(heartbeat);
      registry.close();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
