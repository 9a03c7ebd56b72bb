import SimplePeer from 'simple-peer/simplepeer.min.js';
import type { SessionRuntime } from '../duet/session';
import type { WebSocketLike } from '../transport/signaling-client';

// The browser's runtime: its own WebSocket and WebRTC; simple-peer's standalone bundle,
// because its index.js expects Node globals that Vite does not provide.
export const browserRuntime: SessionRuntime = {
  openWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
  createPeer: ({ initiator, config }) => new SimplePeer({ initiator, config, trickle: true }),
};
