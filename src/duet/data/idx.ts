import { enforceLimit } from '../../limits';
import { tensor, type DType, type Tensor } from '../../tensor';
import { maybeGunzip } from './bytes';
import { parseError, resolveLoadLimits, type LoadOptions } from './options';

// IDX (the MNIST format): two zero bytes, a type code, the number of dimensions, then each
// dimension as a big-endian uint32, then the values, big-endian. MNIST images have magic 2051
// (uint8, 3 dims) and labels 2049 (uint8, 1 dim).

export const IDX_MAGIC_IMAGES = 2051;
export const IDX_MAGIC_LABELS = 2049;

const IDX_TYPES: Record<number, { dtype: DType; width: number }> = {
  0x08: { dtype: 'uint8', width: 1 },
  0x09: { dtype: 'int8', width: 1 },
  0x0b: { dtype: 'int16', width: 2 },
  0x0c: { dtype: 'int32', width: 4 },
  0x0d: { dtype: 'float32', width: 4 },
  0x0e: { dtype: 'float64', width: 8 },
};

export interface IdxOptions extends LoadOptions {
  /** Require this magic number (e.g. IDX_MAGIC_IMAGES), so labels are not loaded as images. */
  expectMagic?: number;
}

export function loadIdx(bytes: Uint8Array, opts: IdxOptions): Tensor {
  const file = opts.name;
  const limits = resolveLoadLimits(opts);
  const raw = maybeGunzip(bytes, file, limits);
  if (raw.byteLength < 4) throw parseError(file, `an IDX file has a 4-byte magic number, but the file has ${raw.byteLength} bytes.`, { offset: 0 });
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const code = raw[2]!;
  const ndim = raw[3]!;
  const type = IDX_TYPES[code];
  if (raw[0] !== 0 || raw[1] !== 0 || type === undefined || ndim === 0) {
    throw parseError(file, `bad IDX magic number ${magic} (0x${magic.toString(16).padStart(8, '0')}); MNIST images are ${IDX_MAGIC_IMAGES}, labels ${IDX_MAGIC_LABELS}.`, { offset: 0 });
  }
  if (opts.expectMagic !== undefined && magic !== opts.expectMagic) {
    throw parseError(file, `IDX magic number ${magic}, expected ${opts.expectMagic}.`, { offset: 0 });
  }
  const headerBytes = 4 + 4 * ndim;
  if (raw.byteLength < headerBytes) throw parseError(file, `the header of ${ndim} dimensions is cut short.`, { offset: raw.byteLength });
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i));
  enforceLimit('MAX_ROWS', shape[0]!, limits.maxRows, `The number of items in ${file}`);
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.width;
  if (raw.byteLength !== expected) {
    throw parseError(file, `shape [${shape.join(', ')}] of ${type.dtype} needs ${expected} bytes, but the file has ${raw.byteLength}.`, {
      offset: Math.min(raw.byteLength, expected),
    });
  }
  return tensor(type.dtype, shape, decodeBigEndian(view, headerBytes, count, type.dtype) as never);
}

function decodeBigEndian(view: DataView, at: number, n: number, dtype: DType): ArrayLike<number> {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + at, n).slice(); // own buffer: the file's may be released
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + at, n).slice();
    case 'int16':
      return Int16Array.from({ length: n }, (_, i) => view.getInt16(at + 2 * i));
    case 'int32':
      return Int32Array.from({ length: n }, (_, i) => view.getInt32(at + 4 * i));
    case 'float32':
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(at + 4 * i));
    default:
      return Float64Array.from({ length: n }, (_, i) => view.getFloat64(at + 8 * i));
  }
}
