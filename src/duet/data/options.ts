import { DuetError } from '../../errors';
import { configuredLimit, enforceLimit } from '../../limits';
import { MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS } from '../constants';

/** What every loader takes: the file's name (for messages) and optional tighter limits. */
export interface LoadOptions {
  /** The file's name, used in error messages and to pick a loader. */
  name: string;
  maxFileBytes?: number;
  maxRows?: number;
  maxColumns?: number;
}

export interface LoadLimits {
  maxFileBytes: number;
  maxRows: number;
  maxColumns: number;
}

// A setting may tighten a limit but never raise it past the constant, whose reason still holds.
export function resolveLoadLimits(opts: LoadOptions): LoadLimits {
  return {
    maxFileBytes: configuredLimit('MAX_FILE_BYTES', opts.maxFileBytes, MAX_FILE_BYTES, { min: 1, max: MAX_FILE_BYTES }),
    maxRows: configuredLimit('MAX_ROWS', opts.maxRows, MAX_ROWS, { min: 1, max: MAX_ROWS }),
    maxColumns: configuredLimit('MAX_COLUMNS', opts.maxColumns, MAX_COLUMNS, { min: 1, max: MAX_COLUMNS }),
  };
}

export function checkShapeLimits(limits: LoadLimits, file: string, rows: number, columns: number): void {
  enforceLimit('MAX_ROWS', rows, limits.maxRows, `The number of rows in ${file}`);
  enforceLimit('MAX_COLUMNS', columns, limits.maxColumns, `The number of columns in ${file}`);
}

export interface Where {
  /** 1-based line in a text file. */
  line?: number;
  /** 0-based byte offset in a binary file. */
  offset?: number;
}

/** A file that cannot be parsed: INVALID_ARGUMENT naming the file and, where known, the place. */
export function parseError(file: string, message: string, where: Where = {}, cause?: unknown): DuetError {
  const at = where.line !== undefined ? ` (line ${where.line})` : where.offset !== undefined ? ` (byte ${where.offset})` : '';
  const details: Record<string, string | number> = { file };
  if (where.line !== undefined) details['line'] = where.line;
  if (where.offset !== undefined) details['offset'] = where.offset;
  return new DuetError('INVALID_ARGUMENT', `Cannot read ${file}${at}: ${message}`, { reason: 'PARSE_ERROR', details, cause });
}
