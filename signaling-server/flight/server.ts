import { Server, ServerCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { flightServiceDefinition } from '../../src/adapters/flight-grpc-node';
import { DuetError } from '../../src/errors';
import { configuredLimit } from '../../src/limits';
import { FLIGHT_CONNECTION_WINDOW_STREAMS, FLIGHT_HOST, FLIGHT_PORT, FLIGHT_STREAM_WINDOW_BYTES, FLIGHT_STREAM_WINDOW_RANGE, MAX_FLIGHT_MESSAGE_BYTES } from './constants';
import { advertiseStreamWindow, widenConnectionWindows } from './receive-window';
import { FlightRelay, type FlightRelayOptions } from './relay';
import { flightServiceHandlers } from './service';

export type FlightServerOptions = {
  grpcOptions?: ChannelOptions;
  /** HTTP/2 receive window per stream; default FLIGHT_STREAM_WINDOW_BYTES (65535 is HTTP/2's own). */
  streamWindowBytes?: number;
} & (
  | (FlightRelayOptions & { relay?: undefined })
  /** Share a relay (e.g. the one the HTTP bridge also drives). */
  | { relay: FlightRelay }
);

export interface FlightServerHandle {
  readonly relay: FlightRelay;
  readonly server: Server;
  /** Binds HTTP/2 on host:port (port 0 picks a free one) and resolves with the port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Stops accepting, fails transfers in flight with UNAVAILABLE, and closes connections. */
  close(): Promise<void>;
}

/**
 * The Flight service, the same code in the hub (relay) and in a headless Node data owner
 * (serving its own tensors via relay.offer). Not yet listening: call listen().
 */
export function createFlightServer(options: FlightServerOptions): FlightServerHandle {
  const relay = options.relay ?? new FlightRelay(options as FlightRelayOptions);
  const server = new Server({
    'grpc.max_receive_message_length': MAX_FLIGHT_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_FLIGHT_MESSAGE_BYTES,
    ...options.grpcOptions,
  });
  const streamWindow = configuredLimit('streamWindowBytes', options.streamWindowBytes, FLIGHT_STREAM_WINDOW_BYTES, FLIGHT_STREAM_WINDOW_RANGE);
  // The range's floor is HTTP/2's own default: at that setting grpc-js is left as it is.
  const widen = streamWindow > FLIGHT_STREAM_WINDOW_RANGE.min;
  if (widen) advertiseStreamWindow(server, streamWindow);
  server.addService(flightServiceDefinition, flightServiceHandlers(relay));
  return {
    relay,
    server,
    listen: (port = FLIGHT_PORT, host = FLIGHT_HOST) =>
      new Promise<number>((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
          if (err) reject(new DuetError('UNAVAILABLE', `Flight could not listen on ${host}:${port}: ${err.message}`, { reason: 'LISTEN_FAILED', cause: err }));
          else {
            if (widen) widenConnectionWindows(server, streamWindow * FLIGHT_CONNECTION_WINDOW_STREAMS);
            resolve(bound);
          }
        });
      }),
    close: async () => {
      relay.close();
      // In-flight calls already got their status from relay.close(); give them a moment to flush.
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 100);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

/** createFlightServer + listen; `port` defaults to FLIGHT_PORT (env FLIGHT_PORT when the hub passes it). */
export async function startFlightServer(options: FlightServerOptions & { port?: number; host?: string }): Promise<FlightServerHandle & { port: number }> {
  const handle = createFlightServer(options);
  const port = await handle.listen(options.port, options.host);
  return { ...handle, port };
}

/** The port from the environment's FLIGHT_PORT (validated), else FLIGHT_PORT; for the hub's bootstrap. */
export function flightPortFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env['FLIGHT_PORT'];
  return configuredLimit('FLIGHT_PORT', raw === undefined || raw === '' ? undefined : Number(raw), FLIGHT_PORT, { min: 0, max: 65535 });
}
