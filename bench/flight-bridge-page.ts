// Bundled into the page by bench/flight-bridge-browser.ts: the bridge client and tensor helpers.
import { BridgeFlightClient } from '../src/transport/flight/bridge-client';
import { tensor } from '../src/tensor';

declare global {
  interface Window {
    duet: { BridgeFlightClient: typeof BridgeFlightClient; tensor: typeof tensor };
  }
}

window.duet = { BridgeFlightClient, tensor };
