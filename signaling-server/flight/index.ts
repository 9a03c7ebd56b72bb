export * from './constants';
export { FlightRelay } from './relay';
export type { FlightRelayOptions, FrameSource } from './relay';
export type { Authenticate, Principal } from './tokens';
export { createFlightServer, startFlightServer, flightPortFromEnv } from './server';
export type { FlightServerOptions, FlightServerHandle } from './server';
export { offerTensor } from './offer';
export { attachFlightBridge } from './bridge';
export type { FlightBridge, FlightBridgeOptions } from './bridge';
