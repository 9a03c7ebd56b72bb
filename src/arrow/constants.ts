// Limits and fixed names of the Arrow layer. Options default to these and never copy the numbers.

/**
 * Bytes of tensor data per record batch. 4 MiB keeps a batch well under gRPC's message limit,
 * gives the receiver something to hash and copy while the next batch is on the wire, and keeps
 * per-batch overhead (one flatbuffer header, one protobuf frame) under 0.01%.
 */
export const DEFAULT_BATCH_BYTES = 4 * 1024 * 1024;
/** Smallest configurable batch: one float64. Tests use tiny batches to get many of them. */
export const MIN_BATCH_BYTES = 8;
/** Largest configurable batch: must stay below the Flight message limit (64 MiB plus headers). */
export const MAX_BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Default largest tensor a reader accepts. The reader allocates the whole tensor once it has
 * read the schema, so this bounds what a peer can make us allocate. 2 GiB is what every
 * browser we target can hold in one ArrayBuffer.
 */
export const DEFAULT_MAX_TENSOR_BYTES = 2 * 1024 * 1024 * 1024;
export const MAX_TENSOR_BYTES_RANGE = { min: 0, max: Number.MAX_SAFE_INTEGER } as const;

/** A data_header is a flatbuffer of a few hundred bytes; anything near this is malformed. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** numpy's limit on dimensions; also bounds the shape string in the metadata. */
export const MAX_RANK = 64;

/** Version of Duet's metadata keys below; a reader refuses a major it does not know. */
export const TENSOR_FORMAT_VERSION = '1';

/** Schema metadata keys: the tensor's "context" (the seed's flattened-tensor side channel). */
export const META = {
  version: 'duet.tensor.version',
  dtype: 'duet.tensor.dtype',
  shape: 'duet.tensor.shape',
  byteOrder: 'duet.tensor.byte_order',
  codec: 'duet.tensor.codec',
  hashAlgorithm: 'duet.tensor.hash_algorithm',
  hash: 'duet.tensor.hash',
  totalBytes: 'duet.tensor.total_bytes',
  batchBytes: 'duet.tensor.batch_bytes',
} as const;

/**
 * Record batch (message) metadata keys. The content hash travels in the schema when the sender
 * knows it up front, else in the last batch's metadata, so the sender can hash while it sends.
 */
export const BATCH_META = {
  index: 'duet.batch.index',
  offset: 'duet.batch.offset',
  hash: 'duet.tensor.hash',
} as const;

/** The single column's name. */
export const COLUMN_NAME = 'data';

/** The only codec this layer applies itself; other ids are carried for the codec layer. */
export const CODEC_NONE = 'none';
