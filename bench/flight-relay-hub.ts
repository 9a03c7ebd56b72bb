// The hub of bench/flight-relay-memory.ts, alone in its process so its memory is its own.
// It samples RSS and ArrayBuffer memory every 10 ms and reports the peaks on request.
import { startFlightServer } from '../signaling-server/flight';

async function main() {
  const server = await startFlightServer({ authenticate: () => ({ sessionId: 'bench' }), port: 0, host: '127.0.0.1' });
  let peak = { rss: 0, arrayBuffers: 0, heapUsed: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak = { rss: Math.max(peak.rss, m.rss), arrayBuffers: Math.max(peak.arrayBuffers, m.arrayBuffers), heapUsed: Math.max(peak.heapUsed, m.heapUsed) };
  };
  setInterval(sample, 10);
  process.on('message', (msg: string) => {
    if (msg === 'reset') {
      sample();
      const base = process.memoryUsage();
      peak = { rss: base.rss, arrayBuffers: base.arrayBuffers, heapUsed: base.heapUsed };
      process.send!({ baseline: base });
    } else if (msg === 'peak') {
      sample();
      process.send!({ peak, relayPeakBuffered: server.relay.peakBufferedBytes });
    } else if (msg === 'stop') {
      void server.close().then(() => process.exit(0));
    }
  });
  process.send!({ port: server.port });
}

void main();
