import { DuetError } from '../../errors';

// The plan layer's errors, so every check says the same thing the same way.

export function malformed(message: string, node?: number): DuetError {
  return new DuetError('INVALID_ARGUMENT', node === undefined ? `Malformed plan: ${message}` : `Malformed plan, node ${node}: ${message}`, {
    reason: 'MALFORMED_PLAN',
    details: node === undefined ? {} : { node },
  });
}

export function badArgument(op: string, message: string, node?: number): DuetError {
  return new DuetError('INVALID_ARGUMENT', `${op}${node === undefined ? '' : ` (node ${node})`}: ${message}`, {
    reason: 'BAD_ARGUMENT',
    details: node === undefined ? { op } : { op, node },
  });
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function shapeMismatch(op: string, left: readonly number[], right: readonly number[], why = 'do not match'): DuetError {
  return new DuetError('INVALID_ARGUMENT', `${op}: shapes ${formatShape(left)} and ${formatShape(right)} ${why}.`, {
    reason: 'SHAPE_MISMATCH',
    details: { op, left: formatShape(left), right: formatShape(right) },
  });
}

export function opNotAllowed(op: string, node?: number): DuetError {
  return new DuetError('PERMISSION_DENIED', `Op "${op}" is not in the allow-list${node === undefined ? '' : ` (node ${node})`}.`, {
    reason: 'OP_NOT_ALLOWED',
    details: node === undefined ? { op } : { op, node },
  });
}
