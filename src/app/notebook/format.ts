import { DuetError } from '../../errors';

// A notebook on disk and in the browser's storage: its cells' code, nothing else. Outputs are
// not kept: they are released values, which belong to the moment they were approved.

export interface CellSource {
  readonly id: string;
  readonly code: string;
}

export const NOTEBOOK_FORMAT = 'duet-notebook/1';

/** Most cells in one notebook: far more than a person reads, and bounds what an import may add. */
export const MAX_CELLS = 500;

/** Largest notebook file accepted by an import: code only, so 5 MiB is generous. */
export const MAX_NOTEBOOK_BYTES = 5 * 1024 * 1024;

export function newCellId(): string {
  return `c${Math.random().toString(36).slice(2, 10)}`;
}

export function toJson(cells: readonly CellSource[], title = 'Duet notebook'): string {
  return JSON.stringify({ format: NOTEBOOK_FORMAT, title, cells: cells.map((c) => ({ code: c.code })) }, null, 2);
}

/** Markdown with one fenced TypeScript block per cell, readable on its own and importable back. */
export function toMarkdown(cells: readonly CellSource[], title = 'Duet notebook'): string {
  const fence = (code: string) => {
    // A fence longer than any backtick run in the code keeps the block intact.
    const longest = Math.max(2, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
    const f = '`'.repeat(longest + 1);
    return `${f}ts\n${code}\n${f}`;
  };
  return `# ${title}\n\n${cells.map((c) => fence(c.code)).join('\n\n')}\n`;
}

function badNotebook(why: string): DuetError {
  return new DuetError('INVALID_ARGUMENT', `This is not a Duet notebook: ${why}.`, { reason: 'PARSE_ERROR' });
}

function cellsOf(codes: readonly string[]): CellSource[] {
  if (codes.length > MAX_CELLS) throw badNotebook(`it has ${codes.length} cells, more than MAX_CELLS=${MAX_CELLS}`);
  return codes.map((code) => ({ id: newCellId(), code }));
}

export function fromJson(text: string): CellSource[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw badNotebook(`the JSON does not parse (${e instanceof Error ? e.message : String(e)})`);
  }
  const cells = (doc as { cells?: unknown })?.cells;
  if ((doc as { format?: unknown })?.format !== NOTEBOOK_FORMAT || !Array.isArray(cells)) throw badNotebook(`expected {"format": "${NOTEBOOK_FORMAT}", "cells": [...]}`);
  return cellsOf(
    cells.map((c, i) => {
      const code = (c as { code?: unknown })?.code;
      if (typeof code !== 'string') throw badNotebook(`cell ${i + 1} has no code`);
      return code;
    }),
  );
}

/** Every fenced js/ts block (or unlabelled block) is a cell; prose between blocks is dropped. */
export function fromMarkdown(text: string): CellSource[] {
  const codes: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const [, fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j] !== fence) body.push(lines[j++]!);
    if (j >= lines.length) throw badNotebook(`the code block at line ${i + 1} is not closed`);
    if (['', 'ts', 'typescript', 'js', 'javascript', 'tsx', 'jsx'].includes(lang!.toLowerCase())) codes.push(body.join('\n'));
    i = j;
  }
  if (codes.length === 0) throw badNotebook('no ```ts code blocks found');
  return cellsOf(codes);
}

/** Picks the format from the file name, then its content. */
export function importNotebook(name: string, text: string): CellSource[] {
  if (text.length > MAX_NOTEBOOK_BYTES) throw badNotebook(`it is ${text.length} bytes, over MAX_NOTEBOOK_BYTES=${MAX_NOTEBOOK_BYTES}`);
  if (/\.json$/i.test(name) || text.trimStart().startsWith('{')) return fromJson(text);
  return fromMarkdown(text);
}

const STORAGE_KEY = 'duet.notebook.v1';

export function saveCells(storage: Pick<Storage, 'setItem'>, cells: readonly CellSource[]): void {
  try {
    storage.setItem(STORAGE_KEY, toJson(cells));
  } catch {
    // Storage full or disabled (private mode): the notebook still works, it just is not kept.
  }
}

export function loadCells(storage: Pick<Storage, 'getItem'>): CellSource[] | undefined {
  const text = storage.getItem(STORAGE_KEY);
  if (text === null) return undefined;
  try {
    return fromJson(text);
  } catch {
    return undefined;
  }
}
