import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import WebSocket from 'ws';
import type { SessionRuntime } from '../duet/session';
import type { WebSocketConstructor } from '../transport/websocket';
import { NodeFlightClient } from './flight-client-node';
import { registerNodeCodecs } from './node-codecs';

// Node's runtime: `ws` for the hub (Node 20 has no global WebSocket) and @roamhq/wrtc,
// passed to simple-peer as `wrtc`, so Node runs the very same WebRTC code as browsers.
export const nodeRuntime: SessionRuntime = {
  WebSocket: WebSocket as unknown as WebSocketConstructor,
  createPeer: ({ initiator, config }) => new SimplePeer({ initiator, config, wrtc, trickle: true }),
  // Node peers speak gRPC to the hub's Flight port, on the hub's host.
  createFlightClient: ({ hubUrl, flightPort }) => new NodeFlightClient({ address: `${new URL(hubUrl).hostname}:${flightPort ?? 8815}` }),
  createCodecs: () => registerNodeCodecs(),
};
