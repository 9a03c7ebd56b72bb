import { networkInterfaces } from 'node:os';
import { DuetError } from '../src/errors';
import { DEFAULT_PORT, parseIceServers, startHub } from '../signaling-server/index';
import { flightPortFromEnv } from '../signaling-server/flight';

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

function parsePort(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new DuetError('INVALID_ARGUMENT', `${name}=${value} is not a port number (0-65535).`, { reason: 'BAD_CONFIG' });
  return n;
}

/** `duet start`: the hub with the built app on one port. */
export async function startCommand(args: string[], appDir: string): Promise<number> {
  const portFlag = args.indexOf('--port');
  const port = parsePort(portFlag >= 0 ? args[portFlag + 1] : process.env.PORT, portFlag >= 0 ? '--port' : 'PORT', DEFAULT_PORT);
  const iceServers = parseIceServers(process.env.DUET_ICE_SERVERS);
  const flight = { port: flightPortFromEnv(process.env), ...(process.env.FLIGHT_HOST ? { host: process.env.FLIGHT_HOST } : {}) };
  const hub = await startHub({ port, staticDir: appDir, iceServers, flight });
  const lines = [
    '',
    '  Duet is running.',
    '',
    `  Open ${hub.url} in two browser tabs:`,
    '    one to share data (owner), one to join (scientist).',
    ...lanAddresses().map((a) => `  On your network: http://${a}:${hub.port}`),
    '',
    `  Flight (gRPC, for Node peers): port ${hub.flight?.port ?? 'off'}`,
    `  Health: ${hub.url}/healthz    Stop: Ctrl+C`,
    '',
  ];
  console.log(lines.join('\n'));
  const stop = async () => {
    await hub.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return new Promise<number>(() => undefined); // runs until a signal
}
