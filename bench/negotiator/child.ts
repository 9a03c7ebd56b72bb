// The orchestrator's side of a child: every JSON line it prints is kept until someone asks
// for it (netlab's waitForJsonLine listens only while waiting, and answers here may come
// before the orchestrator starts waiting), and commands go to its stdin.

import type { ChildProcess } from 'node:child_process';
import { objectLines } from '../netlab/spawn';

type Line = Record<string, unknown>;

export class ChildLines {
  readonly #queue: Line[] = [];
  readonly #waiters: { accept: (l: Line) => boolean; resolve: (l: Line) => void; reject: (e: Error) => void }[] = [];
  #stderr = '';
  #exited: string | undefined;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', objectLines((text) => this.#push(JSON.parse(text) as Line)));
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      this.#exited = `${name} exited (code ${code}, signal ${signal}): ${this.#stderr.trim()}`;
      for (const w of this.#waiters.splice(0)) w.reject(new Error(this.#exited));
    });
  }

  #push(line: Line): void {
    if ('error' in line) process.stderr.write(`${this.name}: ${JSON.stringify(line)}\n`);
    const i = this.#waiters.findIndex((w) => w.accept(line));
    if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(line);
    else this.#queue.push(line);
  }

  /** The first line (kept or still to come) that `accept` takes. */
  next(accept: (l: Line) => boolean, timeoutMs: number): Promise<Line> {
    const i = this.#queue.findIndex(accept);
    if (i >= 0) return Promise.resolve(this.#queue.splice(i, 1)[0]!);
    if (this.#exited) return Promise.reject(new Error(this.#exited));
    return new Promise((resolve, reject) => {
      const waiter = {
        accept,
        resolve: (l: Line) => (clearTimeout(timer), resolve(l)),
        reject: (e: Error) => (clearTimeout(timer), reject(e)),
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`${this.name}: no answer within ${timeoutMs} ms; stderr: ${this.#stderr.trim().slice(-1500)}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  send(command: object): void {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  /** Lines nobody asked for (errors the children reported), for the run's log. */
  stray(): Line[] {
    return this.#queue.splice(0);
  }
}
