import { runCase, runCeiling, runStripedCeiling, BenchPrepare, BenchSend, type CaseResult, type RunOptions } from '../../duet/bench';
import type { Session } from '../../duet/session';
import type { Transfers } from '../../duet/transfers';
import { hashBytes, tensorBytes, type DType } from '../../tensor';
import { randomId } from '../../util/bytes';
import type { PathName } from '../../transport/paths/types';

/** What the scientist's bench page offers to automation (bench/transport.ts, e2e tests). */
export interface DuetBenchApi {
  runCase(dtype: DType, shape: number[], options?: RunOptions): Promise<CaseResult[]>;
  ceiling(transport: 'datachannel' | 'flight', bytes: number, runs?: number): Promise<number>;
  /** Both transports at once, `datachannelShare` of the bytes on the DataChannel; MB/s of the whole. */
  stripedCeiling(bytes: number, datachannelShare: number, runs?: number): Promise<number>;
  /** One transfer; returns the hash computed here and the one the owner sent, to compare. */
  roundTrip(dtype: DType, shape: number[], path: PathName): Promise<{ received: string; sent: string; bytes: number }>;
}

declare global {
  interface Window {
    duetBench?: DuetBenchApi;
  }
}

export function benchApi(session: Session, transfers: Transfers): DuetBenchApi {
  return {
    runCase: (dtype, shape, options) => runCase(session, transfers, { dtype, shape }, options),
    ceiling: (transport, bytes, runs) => runCeiling(session, transfers, transport, bytes, runs),
    stripedCeiling: (bytes, share, runs) => runStripedCeiling(session, transfers, bytes, share, runs),
    roundTrip: async (dtype, shape, path) => {
      await session.call(BenchPrepare, { dtype, shape: shape.map(BigInt), seed: 1 });
      const transferId = randomId(12);
      const arrived = transfers.expect(transferId);
      const [t, sent] = await Promise.all([arrived, session.call(BenchSend, { transferId, path })]);
      return { received: await hashBytes(tensorBytes(t)), sent: sent.hash, bytes: t.data.byteLength };
    },
  };
}
