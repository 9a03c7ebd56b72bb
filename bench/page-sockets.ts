// The browser's own transport limits, with no Duet code in the way: a page uploads bytes to a
// Node WebSocket server (binary messages of 4 MiB, the bridge's kind of upload) and downloads
// them with fetch().arrayBuffer(). The transport benchmark measures these in the same run as
// the paths, so its "why" section states this machine's limits rather than assumed ones.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { WebSocketServer } from 'ws';

const MESSAGE_BYTES = 4 * 1024 * 1024;

export interface PageSocketCeilings {
  /** Page -> Node over one WebSocket, until the server has every byte. */
  ws_upload_mb_per_s: number;
  /** Node -> page, one fetch().arrayBuffer(). */
  fetch_download_mb_per_s: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measurePageSockets(page: Page, bytes: number, runs = 3): Promise<PageSocketCeilings> {
  const body = Buffer.alloc(bytes, 7);
  // The app's pages are cross-origin isolated (COEP require-corp), so this other origin says it may be read.
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes, 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' });
    res.end(body);
  });
  const wss = new WebSocketServer({ server: http, maxPayload: MESSAGE_BYTES, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    let got = 0;
    ws.on('message', (m: Buffer) => {
      got += m.byteLength;
      if (got >= bytes) {
        got = 0;
        ws.send('done');
      }
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `127.0.0.1:${(http.address() as AddressInfo).port}`;
  try {
    const ms = await page.evaluate(
      async ({ url, bytes, runs, MESSAGE_BYTES }) => {
        const data = new Uint8Array(bytes);
        const ws = new WebSocket(`ws://${url}/`);
        await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)));
        const up: number[] = [];
        const down: number[] = [];
        // One warm-up of each, then `runs` timed.
        for (let i = 0; i <= runs; i++) {
          let t0 = performance.now();
          const done = new Promise((r) => (ws.onmessage = r));
          for (let at = 0; at < bytes; at += MESSAGE_BYTES) ws.send(data.subarray(at, Math.min(bytes, at + MESSAGE_BYTES)));
          await done;
          if (i > 0) up.push(performance.now() - t0);
          t0 = performance.now();
          const got = await (await fetch(`http://${url}/`, { cache: 'no-store' })).arrayBuffer();
          if (got.byteLength !== bytes) throw new Error(`downloaded ${got.byteLength} of ${bytes} bytes`);
          if (i > 0) down.push(performance.now() - t0);
        }
        ws.close();
        return { up, down };
      },
      { url, bytes, runs, MESSAGE_BYTES },
    );
    const rate = (xs: number[]) => bytes / 1e6 / (median(xs) / 1000);
    return { ws_upload_mb_per_s: rate(ms.up), fetch_download_mb_per_s: rate(ms.down) };
  } finally {
    for (const c of wss.clients) c.terminate();
    wss.close();
    await new Promise((r) => http.close(r));
  }
}
