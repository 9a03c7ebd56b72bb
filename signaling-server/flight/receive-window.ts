import type { Http2Server, Http2Session, Settings } from 'node:http2';
import type { Server } from '@grpc/grpc-js';

// grpc-js servers have no option for their HTTP/2 receive window (grpc/grpc-node#3058, open as
// of 1.14), so every DoPut into the hub would get Node's default 64 KiB: the producer then waits
// a round trip for each 64 KiB, which caps an upload at 64 KiB / RTT whatever the link. We set
// the windows ourselves, through two grpc-js internals; the FL8 window test fails if they move.
// (That PR would apply one value to both windows; stream windows of 8 MiB or more can deadlock,
// see FLIGHT_STREAM_WINDOW_BYTES in constants.ts.)

interface GrpcServerInternals {
  commonServerOptions?: { settings?: Settings };
  http2Servers?: Map<Http2Server, unknown>;
}

/** Before bind: new sessions advertise `bytes` as each stream's initial window. */
export function advertiseStreamWindow(server: Server, bytes: number): void {
  const internals = server as unknown as GrpcServerInternals;
  if (internals.commonServerOptions === undefined) return;
  internals.commonServerOptions.settings = { ...internals.commonServerOptions.settings, initialWindowSize: bytes };
}

/** After bind: each new session's connection-level window becomes `bytes` (it starts at 64 KiB whatever the settings say). */
export function widenConnectionWindows(server: Server, bytes: number): void {
  const servers = (server as unknown as GrpcServerInternals).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const http2Server of servers.keys()) {
    http2Server.on('session', (session: Http2Session) => {
      try {
        session.setLocalWindowSize(bytes);
      } catch {
        // A session torn down before its socket was ready has no window to set.
      }
    });
  }
}
