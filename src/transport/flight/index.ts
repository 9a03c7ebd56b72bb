// The Flight transport as the app sees it: the FlightClient interface, the page (bridge) client,
// and the runtime-neutral pieces. The grpc-js client is Node-only: src/adapters/flight-client-node.ts.
export type { FlightClient, FrameTransport, TransferOptions, TransferProgress, PutOptions, GetOptions, PutSummary } from './types';
export { BridgeFlightClient } from './bridge-client';
export type { BridgeClientOptions, WebSocketConstructor, WebSocketLike } from './bridge-client';
export { putTensorOver, getTensorOver } from './tensor-transfer';
export { encodeFlightData, decodeFlightData, frameOf, ticketOfDescriptor } from './flight-data-codec';
export { sealFrames, FrameOpener } from './sealed-frames';
export { generateSealKeyPair, exportSealPublicKey, deriveSealKey, createSealer, createOpener } from '../seal';
export type { SealKey, SealHeader, Sealer, Opener } from '../seal';
