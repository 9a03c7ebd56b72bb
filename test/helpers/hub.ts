import { startHub, type Hub, type HubOptions } from '../../signaling-server/hub';

/** A real hub on a free port for one test file. */
export async function testHub(options: HubOptions = {}): Promise<Hub> {
  return startHub({ port: 0, host: '127.0.0.1', flight: { port: 0 }, ...options });
}

/** Test-only KDF cost: the real one (150k rounds) is measured in production, not in every test. */
export const FAST_KDF = 1000;
