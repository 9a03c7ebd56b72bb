import { DuetError } from '../errors';
import { bytesPerElement } from '../tensor';
import type { Codec } from './codec';
import { checkEncodeInput, checkWholeElements, decodeCap } from './caps';
import { codecLimits, SPARSE_ROW_ELEMENTS, type CodecLimitSettings } from './constants';
import { allocFrame, FRAME_FORMAT, openFrame, readFrameHeader, sealFrame } from './frame';

// Exact sparse codec. It counts the non-zero elements first (zero = all bits zero, so -0.0
// and NaN payloads survive), then writes whichever layout is smallest for that count:
//
//   dense   the bytes as they are (when nothing else is smaller)
//   coo     u32 index per non-zero
//   bitmap  one bit per element
//   csr     rows of 65,536 elements: u32 count per row + u16 column per non-zero
//
// Body (non-dense): u32 nnz, u32 0, values (nnz x width, padded to 4), then the layout's index.
// Values come first so they are 8-aligned in the frame; the index is 4-aligned after padding.

export const SPARSE_MODE = { dense: 0, coo: 1, bitmap: 2, csr: 3 } as const;
type Mode = (typeof SPARSE_MODE)[keyof typeof SPARSE_MODE];

type Lanes = Uint8Array | Uint16Array | Uint32Array;

/** One lane per element, or two u32 lanes for 8-byte elements. */
function lanesOf(bytes: Uint8Array, width: number): Lanes {
  // Copy only when misaligned: typed views need byteOffset % lane width === 0.
  const lane = Math.min(width, 4);
  const b = bytes.byteOffset % lane === 0 ? bytes : bytes.slice();
  if (lane === 1) return b;
  if (lane === 2) return new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2);
  return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

function lanesView(buffer: ArrayBufferLike, byteOffset: number, width: number, count: number): Lanes {
  const lane = Math.min(width, 4);
  const per = width / lane;
  if (lane === 1) return new Uint8Array(buffer, byteOffset, count);
  if (lane === 2) return new Uint16Array(buffer, byteOffset, count * per);
  return new Uint32Array(buffer, byteOffset, count * per);
}

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/** Body size of each layout for n elements of `width` bytes with `nnz` non-zeros. */
export function sparseSizes(n: number, width: number, nnz: number): Record<keyof typeof SPARSE_MODE, number> {
  const values = 8 + pad4(nnz * width);
  return {
    dense: n * width,
    coo: values + 4 * nnz,
    bitmap: values + Math.ceil(n / 8),
    csr: values + 4 * Math.ceil(n / SPARSE_ROW_ELEMENTS) + 2 * nnz,
  };
}

function countNonZero(v: Lanes, per: number): number {
  let nnz = 0;
  if (per === 1) {
    for (let i = 0; i < v.length; i++) if (v[i] !== 0) nnz++;
  } else {
    for (let i = 0; i < v.length; i += 2) if ((v[i]! | v[i + 1]!) !== 0) nnz++;
  }
  return nnz;
}

function corrupt(message: string): DuetError {
  return new DuetError('DATA_LOSS', `A sparse frame is corrupt: ${message}.`, { reason: 'CORRUPT' });
}

export function createSparseCodec(settings: CodecLimitSettings = {}): Codec {
  const limits = codecLimits(settings);
  return {
    id: 'sparse',
    kind: 'lossless',
    accepts: () => true,
    async encode({ dtype, bytes }) {
      checkEncodeInput('sparse', bytes, limits);
      const width = bytesPerElement(dtype);
      checkWholeElements('sparse', bytes, width);
      const n = bytes.byteLength / width;
      const per = width === 8 ? 2 : 1;
      const src = lanesOf(bytes, width);
      const nnz = countNonZero(src, per);
      const sizes = sparseSizes(n, width, nnz);
      let best: keyof typeof SPARSE_MODE = 'dense';
      for (const m of ['coo', 'bitmap', 'csr'] as const) if (sizes[m] < sizes[best]) best = m;
      const mode: Mode = SPARSE_MODE[best];
      const header = { format: FRAME_FORMAT.sparse, dtype, mode, decodedBytes: bytes.byteLength };
      if (mode === SPARSE_MODE.dense) {
        const { frame, body } = allocFrame(bytes.byteLength);
        body.set(bytes);
        return sealFrame(frame, header);
      }
      const { frame, body } = allocFrame(sizes[best]);
      const dv = new DataView(frame.buffer, body.byteOffset);
      dv.setUint32(0, nnz, true);
      const values = lanesView(frame.buffer, body.byteOffset + 8, width, nnz);
      const indexAt = body.byteOffset + 8 + pad4(nnz * width);
      const coo = mode === SPARSE_MODE.coo ? new Uint32Array(frame.buffer, indexAt, nnz) : undefined;
      const bitmap = mode === SPARSE_MODE.bitmap ? new Uint8Array(frame.buffer, indexAt, Math.ceil(n / 8)) : undefined;
      const rows = Math.ceil(n / SPARSE_ROW_ELEMENTS);
      const rowCounts = mode === SPARSE_MODE.csr ? new Uint32Array(frame.buffer, indexAt, rows) : undefined;
      const cols = mode === SPARSE_MODE.csr ? new Uint16Array(frame.buffer, indexAt + 4 * rows, nnz) : undefined;
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (per === 1 ? src[i] === 0 : (src[2 * i]! | src[2 * i + 1]!) === 0) continue;
        if (per === 1) values[k] = src[i]!;
        else {
          values[2 * k] = src[2 * i]!;
          values[2 * k + 1] = src[2 * i + 1]!;
        }
        if (coo) coo[k] = i;
        if (bitmap) bitmap[i >>> 3]! |= 1 << (i & 7);
        if (rowCounts && cols) {
          rowCounts[Math.floor(i / SPARSE_ROW_ELEMENTS)]!++;
          cols[k] = i % SPARSE_ROW_ELEMENTS;
        }
        k++;
      }
      return sealFrame(frame, header);
    },
    async decode(frame, options) {
      const f = await openFrame(frame, FRAME_FORMAT.sparse, 'sparse', decodeCap(limits, options));
      const width = bytesPerElement(f.dtype);
      if (f.decodedBytes % width !== 0) throw corrupt(`${f.decodedBytes} bytes is not a whole number of ${f.dtype} elements`);
      const n = f.decodedBytes / width;
      const body = f.body;
      if (f.mode === SPARSE_MODE.dense) {
        if (body.byteLength !== f.decodedBytes) throw corrupt('the dense body has the wrong length');
        return body;
      }
      if (f.mode > SPARSE_MODE.csr) throw corrupt(`layout ${f.mode} does not exist`);
      if (body.byteLength < 8) throw corrupt('the body is too short');
      // Copy only when misaligned (a frame sliced out of a larger buffer): the typed views need alignment.
      const b = body.byteOffset % 4 === 0 ? body : body.slice();
      const nnz = new DataView(b.buffer, b.byteOffset, 8).getUint32(0, true);
      if (nnz > n) throw corrupt(`${nnz} non-zeros in ${n} elements`);
      const sizes = sparseSizes(n, width, nnz);
      const expected = [0, sizes.coo, sizes.bitmap, sizes.csr][f.mode]!;
      if (b.byteLength !== expected) throw corrupt(`the body has ${b.byteLength} bytes, expected ${expected}`);
      const per = width === 8 ? 2 : 1;
      const values = lanesView(b.buffer, b.byteOffset + 8, width, nnz);
      const indexAt = b.byteOffset + 8 + pad4(nnz * width);
      const out = new Uint8Array(f.decodedBytes);
      const dst = lanesView(out.buffer, 0, width, n);
      const put = (k: number, i: number) => {
        if (per === 1) dst[i] = values[k]!;
        else {
          dst[2 * i] = values[2 * k]!;
          dst[2 * i + 1] = values[2 * k + 1]!;
        }
      };
      if (f.mode === SPARSE_MODE.coo) {
        const idx = new Uint32Array(b.buffer, indexAt, nnz);
        let last = -1;
        for (let k = 0; k < nnz; k++) {
          const i = idx[k]!;
          if (i <= last || i >= n) throw corrupt(`index ${i} after ${last} is out of order or past ${n}`);
          put(k, i);
          last = i;
        }
      } else if (f.mode === SPARSE_MODE.bitmap) {
        const bits = new Uint8Array(b.buffer, indexAt, Math.ceil(n / 8));
        let k = 0;
        for (let byte = 0; byte < bits.length; byte++) {
          let m = bits[byte]!;
          while (m !== 0) {
            const bit = 31 - Math.clz32(m & -m);
            const i = byte * 8 + bit;
            if (i >= n || k >= nnz) throw corrupt('the bitmap has more bits set than it declares, or bits past the end');
            put(k++, i);
            m &= m - 1;
          }
        }
        if (k !== nnz) throw corrupt(`the bitmap has ${k} bits set, not ${nnz}`);
      } else {
        const rows = Math.ceil(n / SPARSE_ROW_ELEMENTS);
        const counts = new Uint32Array(b.buffer, indexAt, rows);
        const cols = new Uint16Array(b.buffer, indexAt + 4 * rows, nnz);
        let k = 0;
        for (let r = 0; r < rows; r++) {
          const rowLen = Math.min(SPARSE_ROW_ELEMENTS, n - r * SPARSE_ROW_ELEMENTS);
          const c = counts[r]!;
          if (c > rowLen || k + c > nnz) throw corrupt(`row ${r} claims ${c} non-zeros`);
          let last = -1;
          for (let j = 0; j < c; j++, k++) {
            const col = cols[k]!;
            if (col <= last || col >= rowLen) throw corrupt(`column ${col} in row ${r} is out of order or out of range`);
            put(k, r * SPARSE_ROW_ELEMENTS + col);
            last = col;
          }
        }
        if (k !== nnz) throw corrupt(`rows hold ${k} non-zeros, not ${nnz}`);
      }
      return out;
    },
    declaredSize: (frame) => readFrameHeader(frame, FRAME_FORMAT.sparse, 'sparse').decodedBytes,
  };
}
