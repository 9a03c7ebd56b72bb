// What the orchestrator (bench/negotiator.ts) and its two children say to each other: one
// JSON object per line, commands on the child's stdin, answers on its stdout. A child exits
// when its stdin closes (the netlab convention), so it never outlives the orchestrator.

import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PathName } from '../../src/transport/paths/types';
import type { PayloadName } from './payloads';

/** Orchestrator → owner: send one tensor. `codec: null` lets the negotiator choose. */
export interface SendCommand {
  cmd: 'send';
  id: string;
  payload: PayloadName;
  codec: string | null;
  path: PathName | null;
}

/** Orchestrator → scientist: get ready for one transfer. */
export interface ExpectCommand {
  cmd: 'expect';
  id: string;
  payload: PayloadName;
}

/** Orchestrator → owner: report the negotiator's state (path estimates). */
export interface StateCommand {
  cmd: 'state';
}

/** Orchestrator → owner and scientist: collect garbage now, untimed, before the next transfer. */
export interface SettleCommand {
  cmd: 'settle';
}

export type Command = SendCommand | ExpectCommand | StateCommand | SettleCommand;

let gc: (() => void) | undefined;

/**
 * A full collection, answered with {settled}. Between transfers: without it a transfer paid for
 * the garbage the one before it left (a raw 4 MB send before left up to 20 ms of collection to
 * whichever column came next), and the seeded order put the negotiated column after a raw
 * send in 64 of 135 loopback runs of sparse-f32 against 41 for sparse sent fixed.
 */
export function settle(): void {
  if (gc === undefined) {
    // --expose-gc, set from inside: the netlab spawns children with fixed arguments.
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  answer({ settled: true });
}

/** Owner → orchestrator, once `send` returned. t0 on the shared monotonic clock. */
export interface SentAnswer {
  sent: string;
  t0: number;
  codec: string;
  path: string;
  reason: string;
  wireBytes: number;
}

/** Scientist → orchestrator, once the tensor is decoded and checked. t1 on the shared clock. */
export interface GotAnswer {
  got: string;
  t1: number;
  codec: string;
  /** Lossless: bytes equal to the scientist's own copy. Lossy: dtype and shape equal, values finite. */
  ok: boolean;
  /** Lossy codecs only: relative L2 error of what arrived. */
  relError?: number;
}

/**
 * Milliseconds on CLOCK_MONOTONIC, which every process on the machine shares (network
 * namespaces do not change it), so the owner's start and the scientist's end can be
 * subtracted although they were read in two processes.
 */
export function sharedClockMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function answer(value: object): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Calls `handle` for each command on stdin, one at a time; exits when stdin closes. */
export function serveCommands<C extends object = Command>(handle: (command: C) => Promise<void> | void, onClose: () => void): void {
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let command: C;
    try {
      command = JSON.parse(line) as C;
    } catch {
      answer({ error: `not JSON: ${line.slice(0, 80)}` });
      return;
    }
    Promise.resolve(handle(command)).catch((e: unknown) => answer({ error: e instanceof Error ? e.message : String(e), command }));
  });
  rl.on('close', onClose);
}

export function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function requiredFlag(name: string): string {
  const v = flag(name);
  if (v === undefined) throw new Error(`missing ${name}`);
  return v;
}
