import { useCallback, useEffect, useRef, useState } from 'react';
import type { DataScientist } from '../../duet/scientist';
import { compileCell } from './compile';
import { exampleNotebook } from './example';
import { loadCells, newCellId, saveCells, type CellSource } from './format';
import { images, toArray, toRows } from './helpers';

export type CellStatus = 'idle' | 'running' | 'done' | 'error';

export interface CellState extends CellSource {
  readonly status: CellStatus;
  readonly outputs: readonly unknown[];
  /** The run number shown beside the cell, as in Jupyter. */
  readonly count?: number;
  readonly ms?: number;
}

export interface NotebookApi {
  cells: readonly CellState[];
  running: boolean;
  run(id: string): Promise<boolean>;
  runAll(): Promise<void>;
  setCode(id: string, code: string): void;
  add(afterId?: string): void;
  remove(id: string): void;
  move(id: string, by: -1 | 1): void;
  replace(cells: readonly CellSource[]): void;
}

const fresh = (c: CellSource): CellState => ({ id: c.id, code: c.code, status: 'idle', outputs: [] });

/** The notebook's cells, their runs and outputs; code is saved in the browser as it changes. */
export function useNotebook(duet: DataScientist | undefined): NotebookApi {
  const [cells, setCells] = useState<CellState[]>(() => (loadCells(window.localStorage) ?? exampleNotebook()).map(fresh));
  const [runningAll, setRunningAll] = useState(false);
  const latest = useRef(cells);
  latest.current = cells;
  const counter = useRef(0);
  // One namespace for all cells (what a cell declares, the next one sees).
  const scope = useRef<Record<string, unknown>>({ images, toArray, toRows });

  useEffect(() => {
    scope.current['duet'] = duet;
  }, [duet]);
  useEffect(() => {
    // Plot is loaded on its own so the first paint does not wait for the charting library.
    let live = true;
    void import('@observablehq/plot').then((Plot) => {
      if (live) scope.current['Plot'] = Plot;
    });
    return () => {
      live = false;
    };
  }, []);
  useEffect(() => saveCells(window.localStorage, cells), [cells.map((c) => `${c.id}:${c.code}`).join('\u0000')]); // eslint-disable-line react-hooks/exhaustive-deps

  const update = useCallback((id: string, patch: Partial<CellState> | ((c: CellState) => Partial<CellState>)) => {
    setCells((cs) => cs.map((c) => (c.id === id ? { ...c, ...(typeof patch === 'function' ? patch(c) : patch) } : c)));
  }, []);

  const run = useCallback(
    async (id: string): Promise<boolean> => {
      const cell = latest.current.find((c) => c.id === id);
      if (!cell) return false;
      const count = ++counter.current;
      update(id, { status: 'running', outputs: [], count });
      const outputs: unknown[] = [];
      const show = (v: unknown) => {
        outputs.push(v);
        update(id, { outputs: [...outputs] });
      };
      const local: Record<string, unknown> = {
        display: show,
        console: { ...console, log: (...a: unknown[]) => show(a.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ')) },
      };
      const shared = scope.current;
      // Reads see this run's display/console first; every write lands in the shared namespace.
      const runScope = new Proxy(shared, {
        has: (t, k) => k in local || k in t,
        get: (t, k) => (k === Symbol.unscopables ? undefined : typeof k === 'string' && k in local ? local[k] : t[k as string]),
        set: (t, k, v) => {
          t[k as string] = v;
          return true;
        },
      });
      const started = performance.now();
      try {
        const value = await compileCell(cell.code).run(runScope);
        if (value !== undefined) outputs.push(value);
        update(id, { status: 'done', outputs: [...outputs], ms: performance.now() - started });
        return true;
      } catch (e) {
        outputs.push(e instanceof Error ? e : new Error(String(e)));
        update(id, { status: 'error', outputs: [...outputs], ms: performance.now() - started });
        return false;
      }
    },
    [update],
  );

  const runAll = useCallback(async () => {
    setRunningAll(true);
    try {
      for (const c of latest.current) if (!(await run(c.id))) break; // stop at the first error, as Jupyter does
    } finally {
      setRunningAll(false);
    }
  }, [run]);

  return {
    cells,
    running: runningAll,
    run,
    runAll,
    setCode: (id, code) => update(id, { code }),
    add: (afterId) =>
      setCells((cs) => {
        const at = afterId === undefined ? cs.length : cs.findIndex((c) => c.id === afterId) + 1;
        return [...cs.slice(0, at), fresh({ id: newCellId(), code: '' }), ...cs.slice(at)];
      }),
    remove: (id) => setCells((cs) => cs.filter((c) => c.id !== id)),
    move: (id, by) =>
      setCells((cs) => {
        const i = cs.findIndex((c) => c.id === id);
        const j = i + by;
        if (i < 0 || j < 0 || j >= cs.length) return cs;
        const next = [...cs];
        [next[i], next[j]] = [next[j]!, next[i]!];
        return next;
      }),
    replace: (sources) => setCells(sources.map(fresh)),
  };
}
