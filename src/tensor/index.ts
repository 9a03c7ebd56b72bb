export { DTYPES, ARRAY_OF, isDType, assertDType, bytesPerElement } from './dtype';
export type { DType, DataOf, TensorData } from './dtype';
export { tensor, isTensor, sizeOf, assertShape, byteLengthOf, tensorBytes, tensorFromBytes } from './tensor';
export type { Tensor } from './tensor';
export { toFloat16Bits, fromFloat16Bits, float16ArrayFrom, float16ToFloat32 } from './float16';
export { HASH_ALGORITHM, createHasher, hashBytes } from './hash';
export type { Hasher } from './hash';
