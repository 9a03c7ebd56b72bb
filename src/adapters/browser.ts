import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { SessionRuntime } from '../duet/session';
import type { WebSocketLike } from '../transport/signaling-client';
import { BridgeFlightClient, type WebSocketConstructor } from '../transport/flight/bridge-client';
import { registerBrowserCodecs } from './browser-codecs';

// The browser's runtime: its own WebSocket and WebRTC; simple-peer's standalone bundle,
// because its index.js expects Node globals that Vite does not provide.
export const browserRuntime: SessionRuntime = {
  openWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  createPeer: ({ initiator, config }) => new SimplePeer({ initiator, config, trickle: true }),
  // Pages reach Flight through the hub's HTTP bridge: gRPC-web down, a WebSocket up.
  createFlightClient: ({ hubUrl }) => new BridgeFlightClient({ baseUrl: new URL('/flight', hubUrl).toString(), WebSocket: WebSocket as unknown as WebSocketConstructor }),
  createCodecs: () => registerBrowserCodecs(),
};
