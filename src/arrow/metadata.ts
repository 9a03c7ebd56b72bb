import { DuetError } from '../errors';
import { enforceLimit } from '../limits';
import { assertShape, bytesPerElement, HASH_ALGORITHM, isDType, sizeOf, type DType } from '../tensor';
import { CODEC_NONE, MAX_RANK, META, TENSOR_FORMAT_VERSION } from './constants';

/** What travels beside the flat column so the reader can rebuild and check the tensor. */
export interface TensorContext {
  dtype: DType;
  shape: readonly number[];
  /** Always 'little': every runtime Duet targets is little-endian, and typed arrays use host order. */
  byteOrder: 'little';
  /** The codec id of the column's bytes; 'none' for raw tensor bytes. */
  codec: string;
  hashAlgorithm: string;
  /** Hex digest of the tensor's raw bytes; '' when it travels in the last batch instead. */
  hash: string;
  totalBytes: number;
  batchBytes: number;
}

export function contextToMetadata(ctx: TensorContext): Map<string, string> {
  const meta = new Map([
    [META.version, TENSOR_FORMAT_VERSION],
    [META.dtype, ctx.dtype],
    [META.shape, JSON.stringify(ctx.shape)],
    [META.byteOrder, ctx.byteOrder],
    [META.codec, ctx.codec],
    [META.hashAlgorithm, ctx.hashAlgorithm],
    [META.hash, ctx.hash],
    [META.totalBytes, String(ctx.totalBytes)],
    [META.batchBytes, String(ctx.batchBytes)],
  ]);
  if (ctx.hash === '') meta.delete(META.hash);
  return meta;
}

function bad(reason: string, message: string): DuetError {
  return new DuetError('INVALID_ARGUMENT', `Bad tensor metadata: ${message}`, { reason });
}

function required(meta: ReadonlyMap<string, string>, key: string): string {
  const v = meta.get(key);
  if (v === undefined) throw bad('BAD_METADATA', `missing key "${key}".`);
  return v;
}

function nonNegativeInt(meta: ReadonlyMap<string, string>, key: string): number {
  const raw = required(meta, key);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw bad('BAD_METADATA', `"${key}" must be a non-negative integer, got "${raw}".`);
  return n;
}

/** Reads and checks the context; `maxTensorBytes` is enforced before anyone allocates. */
export function contextFromMetadata(meta: ReadonlyMap<string, string>, maxTensorBytes: number, limitName: string): TensorContext {
  const version = required(meta, META.version);
  if (version.split('.')[0] !== TENSOR_FORMAT_VERSION) {
    throw new DuetError('FAILED_PRECONDITION', `Tensor format version ${version} is not supported (this reader speaks ${TENSOR_FORMAT_VERSION}).`, {
      reason: 'VERSION_MISMATCH',
    });
  }
  const dtype = required(meta, META.dtype);
  if (!isDType(dtype)) throw bad('BAD_DTYPE', `unknown dtype "${dtype}".`);
  let shape: unknown;
  try {
    shape = JSON.parse(required(meta, META.shape));
  } catch {
    throw bad('BAD_SHAPE', 'shape is not JSON.');
  }
  if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every((d): d is number => typeof d === 'number')) {
    throw bad('BAD_SHAPE', `shape must be an array of at most ${MAX_RANK} numbers.`);
  }
  try {
    assertShape(shape);
  } catch (e) {
    throw bad('BAD_SHAPE', DuetError.from(e).message);
  }
  const byteOrder = required(meta, META.byteOrder);
  if (byteOrder !== 'little') throw bad('BAD_METADATA', `byte order "${byteOrder}" is not supported.`);
  const totalBytes = nonNegativeInt(meta, META.totalBytes);
  const expected = sizeOf(shape) * bytesPerElement(dtype);
  const codec = required(meta, META.codec);
  if (codec === CODEC_NONE && totalBytes !== expected) {
    throw bad('BAD_SHAPE', `a ${dtype} tensor of shape [${shape.join(', ')}] has ${expected} bytes, but total_bytes says ${totalBytes}.`);
  }
  enforceLimit(limitName, Math.max(totalBytes, expected), maxTensorBytes, 'The tensor');
  const hashAlgorithm = required(meta, META.hashAlgorithm);
  if (hashAlgorithm !== HASH_ALGORITHM) throw bad('BAD_METADATA', `hash algorithm "${hashAlgorithm}" is not supported.`);
  const hash = meta.get(META.hash) ?? '';
  if (hash !== '' && !isHash(hash)) throw bad('BAD_METADATA', 'hash must be 32 hex digits.');
  const batchBytes = nonNegativeInt(meta, META.batchBytes);
  return { dtype, shape, byteOrder, codec, hashAlgorithm, hash, totalBytes, batchBytes };
}

export function isHash(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value);
}
