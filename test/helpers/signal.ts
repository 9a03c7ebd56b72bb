import WebSocket from 'ws';
import { SignalingClient, type WebSocketLike } from '../../src/transport/signaling-client';
import { deriveCodeSecrets, generateCode } from '../../src/duet/code';
import { FAST_KDF } from './hub';

export const wsFactory = (url: string) => new WebSocket(url) as unknown as WebSocketLike;

export function signalUrl(hubUrl: string): string {
  return hubUrl.replace(/^http/, 'ws') + '/signal';
}

export function connectClient(hubUrl: string, version?: string): Promise<SignalingClient> {
  return SignalingClient.connect(signalUrl(hubUrl), wsFactory, version);
}

export async function freshLookup(): Promise<Uint8Array> {
  return (await deriveCodeSecrets(generateCode(), FAST_KDF)).lookup;
}

/** A raw socket, for bytes no well-behaved client would send. */
export async function rawSocket(hubUrl: string): Promise<{ ws: WebSocket; messages: Buffer[]; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(signalUrl(hubUrl));
  const messages: Buffer[] = [];
  ws.on('message', (d: Buffer) => messages.push(d));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
