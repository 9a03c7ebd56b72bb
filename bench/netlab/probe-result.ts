// The probe client's output, and a check of it: it crosses a process boundary as JSON,
// so it is validated rather than trusted.

export interface BulkRun {
  direction: 'up' | 'down';
  bytes: number;
  /** Receiver's clock, first payload byte to last: the link's rate, without setup. */
  firstToLastMs: number;
  /** Sender's view, connect to confirmation: what an application waits. */
  totalMs: number;
  hashOk: boolean;
}

export interface ProbeResult {
  tcpRttMs: number[];
  udpRttMs: number[];
  udpLost: number;
  bulk: BulkRun[];
}

const isNumberArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

function isBulkRun(v: unknown): v is BulkRun {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    (r['direction'] === 'up' || r['direction'] === 'down') &&
    typeof r['bytes'] === 'number' &&
    typeof r['firstToLastMs'] === 'number' &&
    typeof r['totalMs'] === 'number' &&
    typeof r['hashOk'] === 'boolean'
  );
}

export function parseProbeResult(value: unknown): ProbeResult {
  if (typeof value === 'object' && value !== null) {
    const r = value as Record<string, unknown>;
    const bulk = r['bulk'];
    if (
      isNumberArray(r['tcpRttMs']) &&
      isNumberArray(r['udpRttMs']) &&
      typeof r['udpLost'] === 'number' &&
      Array.isArray(bulk) &&
      bulk.every(isBulkRun)
    ) {
      return { tcpRttMs: r['tcpRttMs'], udpRttMs: r['udpRttMs'], udpLost: r['udpLost'], bulk };
    }
  }
  throw new Error(`probe client printed an unexpected result: ${JSON.stringify(value).slice(0, 300)}`);
}
