// The hub's public surface, for `import { startHub } from 'duet/hub'` and the CLI.
export { startHub, DEFAULT_PORT, SIGNAL_PATH } from './hub';
export type { Hub, HubOptions, HttpHandler, UpgradeHandler } from './hub';
export { resolveHubLimits } from './constants';
export type { HubLimits } from './constants';
export { parseIceServers } from './ice';
export type { IceServer } from './ice';
