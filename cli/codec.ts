import { readFile, writeFile } from 'node:fs/promises';
import { registerNodeCodecs } from '../src/adapters/node-codecs';
import { looksLikeXz } from '../src/codecs';
import { DuetError, isDuetError } from '../src/errors';
import { assertDType, assertShape, bytesPerElement, DTYPES, sizeOf, type DType } from '../src/tensor';

// `duet codec encode --codec <id> [--dtype uint8] [--shape 28,28] <in> <out>`
// `duet codec decode <in> <out>`
//
// Raw bytes in, raw bytes out. `--codec xz` writes a plain .xz file (what `xz -d` reads);
// every other codec's frame goes in a small self-describing container:
//
//   0  "DUETCC"   6  u8 version (1)   7  u8 codec id length L   8  codec id (ASCII, L bytes)
//   8+L u8 dtype (index in DTYPES)    9+L u8 ndim   10+L u32 dims[ndim] (LE)   then the codec frame
//
// `decode` tells the two apart by the xz magic.

const MAGIC = 'DUETCC';
const VERSION = 1;
const MAX_NDIM = 32; // a format bound: ndim is a u8, and no tensor of ours has more

const USAGE = `usage:
  duet codec encode --codec <id> [--dtype <dtype>] [--shape d0,d1,...] <in> <out>
  duet codec decode <in> <out>
codecs: ${registerNodeCodecs().ids().join(', ')}
dtypes: ${DTYPES.join(', ')} (default uint8; the input must be whole elements)`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const processIo: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

function usage(message: string): DuetError {
  return new DuetError('INVALID_ARGUMENT', message, { reason: 'USAGE' });
}

interface Parsed {
  flags: Map<string, string>;
  positional: string[];
}

function parse(args: readonly string[]): Parsed {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const [name, value] = eq > 0 ? [a.slice(2, eq), a.slice(eq + 1)] : [a.slice(2), args[++i]];
      if (value === undefined) throw usage(`Option --${name} needs a value.`);
      flags.set(name, value);
    } else positional.push(a);
  }
  return { flags, positional };
}

function container(id: string, dtype: DType, shape: readonly number[], frame: Uint8Array): Uint8Array {
  const idBytes = new TextEncoder().encode(id);
  const head = 10 + idBytes.byteLength + 4 * shape.length;
  const out = new Uint8Array(head + frame.byteLength);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  v.setUint8(6, VERSION);
  v.setUint8(7, idBytes.byteLength);
  out.set(idBytes, 8);
  v.setUint8(8 + idBytes.byteLength, DTYPES.indexOf(dtype));
  v.setUint8(9 + idBytes.byteLength, shape.length);
  shape.forEach((d, i) => v.setUint32(10 + idBytes.byteLength + 4 * i, d, true));
  out.set(frame, head);
  return out;
}

function openContainer(bytes: Uint8Array): { id: string; dtype: DType; shape: number[]; frame: Uint8Array } {
  const bad = (what: string) => new DuetError('DATA_LOSS', `Not a readable codec container: ${what}.`, { reason: 'BAD_CONTAINER' });
  if (bytes.byteLength < 10 || new TextDecoder().decode(bytes.subarray(0, 6)) !== MAGIC) {
    throw new DuetError('INVALID_ARGUMENT', 'The input is neither an .xz file nor a duet codec container ("DUETCC").', { reason: 'NOT_A_FRAME' });
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint8(6) !== VERSION) throw bad(`version ${v.getUint8(6)}, expected ${VERSION}`);
  const idLength = v.getUint8(7);
  if (bytes.byteLength < 10 + idLength) throw bad('it is truncated');
  const id = new TextDecoder().decode(bytes.subarray(8, 8 + idLength));
  const dtype = DTYPES[v.getUint8(8 + idLength)];
  if (dtype === undefined) throw bad(`dtype ${v.getUint8(8 + idLength)} does not exist`);
  const ndim = v.getUint8(9 + idLength);
  const head = 10 + idLength + 4 * ndim;
  if (ndim > MAX_NDIM || bytes.byteLength < head) throw bad('the shape is truncated or too long');
  const shape = Array.from({ length: ndim }, (_, i) => v.getUint32(10 + idLength + 4 * i, true));
  return { id, dtype, shape, frame: bytes.subarray(head) };
}

async function encode(p: Parsed, io: CliIo): Promise<void> {
  const id = p.flags.get('codec');
  if (id === undefined) throw usage('encode needs --codec <id>.');
  if (p.positional.length !== 2) throw usage('encode needs <in> and <out>.');
  const [inPath, outPath] = p.positional as [string, string];
  const dtype = assertDType(p.flags.get('dtype') ?? 'uint8');
  const registry = registerNodeCodecs();
  const codec = registry.get(id);
  const bytes = new Uint8Array(await readFile(inPath));
  const width = bytesPerElement(dtype);
  const shapeFlag = p.flags.get('shape');
  const shape = assertShape(shapeFlag === undefined ? [bytes.byteLength / width] : shapeFlag.split(',').map(Number));
  if (shape.length > MAX_NDIM) throw usage(`A shape has at most ${MAX_NDIM} dimensions.`);
  if (sizeOf(shape) * width !== bytes.byteLength) {
    throw usage(`${inPath} has ${bytes.byteLength} bytes, but ${dtype}[${shape.join(',')}] needs ${sizeOf(shape) * width}.`);
  }
  const frame = await codec.encode({ dtype, bytes });
  const out = id === 'xz' ? frame : container(id, dtype, shape, frame);
  await writeFile(outPath, out);
  io.out(`${id}: ${bytes.byteLength} -> ${out.byteLength} bytes (${(bytes.byteLength / Math.max(1, out.byteLength)).toFixed(2)}x)`);
}

async function decode(p: Parsed, io: CliIo): Promise<void> {
  if (p.positional.length !== 2) throw usage('decode needs <in> and <out>.');
  const [inPath, outPath] = p.positional as [string, string];
  const bytes = new Uint8Array(await readFile(inPath));
  const registry = registerNodeCodecs();
  let out: Uint8Array;
  let id: string;
  if (looksLikeXz(bytes)) {
    id = 'xz';
    out = await registry.get('xz').decode(bytes);
  } else {
    const c = openContainer(bytes);
    id = c.id;
    const expected = sizeOf(c.shape) * bytesPerElement(c.dtype);
    // The container's shape caps the decode: a frame declaring more is refused before decoding.
    out = await registry.get(c.id).decode(c.frame, { maxBytes: expected });
    if (out.byteLength !== expected) {
      throw new DuetError('DATA_LOSS', `Decoded ${out.byteLength} bytes, but ${c.dtype}[${c.shape.join(',')}] needs ${expected}.`, { reason: 'BAD_LENGTH' });
    }
  }
  await writeFile(outPath, out);
  io.out(`${id}: ${bytes.byteLength} -> ${out.byteLength} bytes`);
}

/** The `duet codec` command; argv may start with "codec". Returns the exit code: 0 ok, 1 failed, 2 usage. */
export async function codecCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = argv[0] === 'codec' ? argv.slice(1) : argv;
  const [sub, ...rest] = args;
  try {
    if (sub === 'encode') await encode(parse(rest), io);
    else if (sub === 'decode') await decode(parse(rest), io);
    else if (sub === undefined || sub === '--help' || sub === 'help') {
      io.out(USAGE);
      return sub === undefined ? 2 : 0;
    } else throw usage(`Unknown subcommand "${sub}".`);
    return 0;
  } catch (e) {
    const err = isDuetError(e) ? e : DuetError.from(e, 'UNKNOWN');
    io.err(`duet codec: ${err.message} [${err.code}]`);
    if (err.reason === 'USAGE' || err.reason === 'BAD_DTYPE' || err.reason === 'BAD_SHAPE') {
      io.err(USAGE);
      return 2;
    }
    return 1;
  }
}
