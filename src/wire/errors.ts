import { create } from '@bufbuild/protobuf';
import { DuetError, isErrorCode } from '../errors';
import { ErrorInfoSchema, type ErrorInfo } from './gen/duet/v1/common_pb';

export function errorToWire(error: unknown): ErrorInfo {
  const e = DuetError.from(error);
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.details)) details[k] = String(v);
  return create(ErrorInfoSchema, { code: e.code, reason: e.reason ?? '', message: e.message, details });
}

export function errorFromWire(info: ErrorInfo | undefined): DuetError {
  if (!info) return new DuetError('UNKNOWN', 'The peer reported an error without details.');
  const code = isErrorCode(info.code) ? info.code : 'UNKNOWN';
  return new DuetError(code, info.message, { ...(info.reason ? { reason: info.reason } : {}), details: { ...info.details } });
}
