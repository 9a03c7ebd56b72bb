import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { SessionRuntime } from '../duet/session';
import { BridgeFlightClient } from '../transport/flight/bridge-client';
import type { WebSocketConstructor } from '../transport/websocket';
import { registerBrowserCodecs } from './browser-codecs';

// The browser's runtime: its own WebSocket and WebRTC; simple-peer's standalone bundle,
// because its index.js expects Node globals that Vite does not provide.
export const browserRuntime: SessionRuntime = {
  // The DOM's WebSocket types its handlers with DOM events; the runtime only needs WebSocketLike's.
  WebSocket: WebSocket as unknown as WebSocketConstructor,
  createPeer: ({ initiator, config }) => new SimplePeer({ initiator, config, trickle: true }),
  // Pages reach Flight through the hub's HTTP bridge: gRPC-web down, a WebSocket up.
  createFlightClient: ({ hubUrl }) => new BridgeFlightClient({ baseUrl: new URL('/flight', hubUrl).toString(), WebSocket: browserRuntime.WebSocket }),
  createCodecs: () => registerBrowserCodecs(),
};
