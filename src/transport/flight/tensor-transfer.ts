import { encodeTensorStream, TensorDecoder, type FlightFrame } from '../../arrow';
import { DuetError } from '../../errors';
import type { Tensor } from '../../tensor';
import { FrameOpener, sealFrames } from './sealed-frames';
import type { FrameTransport, GetOptions, PutOptions, PutSummary } from './types';

// Tensor <-> frame streams over any FrameTransport: encoding, optional sealing, progress,
// cancellation and the final hash check live here once, for every runtime.

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw DuetError.from(signal.reason ?? new DOMException('Aborted', 'AbortError'), 'CANCELLED');
}

export async function putTensorOver(transport: FrameTransport, ticket: Uint8Array, t: Tensor, options: PutOptions = {}): Promise<PutSummary> {
  checkAbort(options.signal);
  const totalBytes = t.data.byteLength;
  let hash = '';
  let count = 0;
  let sent = 0;
  async function* plain(): AsyncGenerator<FlightFrame> {
    for await (const f of encodeTensorStream(t, { batchBytes: options.batchBytes, hash: options.hash }, (h) => (hash = h))) {
      checkAbort(options.signal);
      yield f;
      count++;
      sent += f.dataBody.byteLength;
      options.onProgress?.({ bytes: Math.min(sent, totalBytes), totalBytes });
    }
  }
  const stream = options.sealKey === undefined ? plain() : sealFrames(plain(), options.sealKey, ticket, transport.sealCrypto);
  await transport.doPut(ticket, stream, options.signal);
  return { bytes: totalBytes, batches: count - 1, hash };
}

export async function getTensorOver(transport: FrameTransport, ticket: Uint8Array, options: GetOptions = {}): Promise<Tensor> {
  checkAbort(options.signal);
  const decoder = await TensorDecoder.create({ maxTensorBytes: options.maxTensorBytes, expect: options.expect });
  const opener = options.sealKey === undefined ? undefined : new FrameOpener(options.sealKey, ticket, transport.sealCrypto);
  for await (const frame of transport.doGet(ticket, options.signal)) {
    checkAbort(options.signal);
    decoder.push(opener === undefined ? frame : await opener.open(frame));
    const p = decoder.progress;
    options.onProgress?.({ bytes: p.receivedBytes, totalBytes: p.totalBytes });
  }
  opener?.finish();
  return decoder.finish();
}
