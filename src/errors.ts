// One error type for the whole product. `code` is a closed set modelled on gRPC's
// status codes, so it maps 1:1 onto Flight and survives any wire as a stable string.
// `reason` is an optional finer, stable machine-readable cause (like google.rpc.ErrorInfo),
// which the UI turns into words; see docs/PROTOCOL.md "Errors".

export const ERROR_CODES = [
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** gRPC numeric status for each code (the array order above is gRPC's order, from 1). */
export function grpcStatusOf(code: ErrorCode): number {
  return ERROR_CODES.indexOf(code) + 1;
}

export function codeFromGrpcStatus(status: number): ErrorCode {
  return ERROR_CODES[status - 1] ?? 'UNKNOWN';
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

const ERROR_BRAND = Symbol.for('duet/error');

export interface DuetErrorInit {
  reason?: string;
  cause?: unknown;
  details?: Record<string, string | number | boolean>;
}

export class DuetError extends Error {
  readonly [ERROR_BRAND] = true;
  readonly code: ErrorCode;
  readonly reason: string | undefined;
  readonly details: Record<string, string | number | boolean>;

  constructor(code: ErrorCode, message: string, init: DuetErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'DuetError';
    this.code = code;
    this.reason = init.reason;
    this.details = init.details ?? {};
  }

  /** Normalises anything thrown into a DuetError, keeping the original as `cause`. */
  static from(value: unknown, fallback: ErrorCode = 'INTERNAL'): DuetError {
    if (isDuetError(value)) return value;
    if (value instanceof Error) {
      if (value.name === 'AbortError') return new DuetError('CANCELLED', value.message || 'Cancelled', { cause: value });
      if (value.name === 'TimeoutError') return new DuetError('DEADLINE_EXCEEDED', value.message || 'Timed out', { cause: value });
      return new DuetError(fallback, value.message, { cause: value });
    }
    return new DuetError(fallback, String(value));
  }
}

// A brand rather than instanceof, because errors cross bundles (app vs. worker vs. Node dist).
export function isDuetError(value: unknown): value is DuetError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ERROR_BRAND] === true;
}
