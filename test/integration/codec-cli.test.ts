import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codecCommand, type CliIo } from '../../cli/codec';
import { payload } from '../helpers/payloads';

const dir = mkdtempSync(join(tmpdir(), 'duet-codec-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);

function io(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (l) => void lines.push(l), err: (l) => void lines.push(l) };
}

const hasXz = spawnSync('xz', ['--version']).status === 0;
if (!hasXz) console.warn('codec-cli: the xz binary is not installed (apt-get install -y xz-utils); CL2 interop tests are skipped.');

describe('duet codec CLI', () => {
  const smooth = payload('float32', 28 * 28 * 50, 'smooth');
  writeFileSync(path('in.f32'), smooth);

  it.each(['none', 'xz', 'blosc-lz4', 'blosc-zstd', 'sparse'])('CL1: encode then decode round-trips with %s', async (codec) => {
    expect(await codecCommand(['codec', 'encode', '--codec', codec, '--dtype', 'float32', '--shape', '50,28,28', path('in.f32'), path(`o.${codec}`)], io())).toBe(0);
    expect(await codecCommand(['decode', path(`o.${codec}`), path(`back.${codec}`)], io())).toBe(0);
    expect(readFileSync(path(`back.${codec}`)).equals(Buffer.from(smooth))).toBe(true);
  });

  it('CL1: the container records codec, dtype and shape', async () => {
    await codecCommand(['encode', '--codec', 'sparse', '--dtype', 'float32', '--shape', '50,784', path('in.f32'), path('c.sparse')], io());
    const c = readFileSync(path('c.sparse'));
    expect(c.subarray(0, 6).toString()).toBe('DUETCC');
    expect(c.subarray(8, 8 + c[7]!).toString()).toBe('sparse');
    expect(c[8 + c[7]!]).toBe(1); // float32 is DTYPES[1]
    expect(c[9 + c[7]!]).toBe(2); // ndim
    expect(c.readUInt32LE(10 + c[7]!)).toBe(50);
  });

  describe.skipIf(!hasXz)('xz interop (needs the xz binary)', () => {
    it('CL2: `xz -d` reads what `duet codec encode --codec xz` writes', async () => {
      expect(await codecCommand(['encode', '--codec', 'xz', path('in.f32'), path('ours.xz')], io())).toBe(0);
      const plain = execFileSync('xz', ['-dc', path('ours.xz')], { maxBuffer: 64 << 20 });
      expect(plain.equals(Buffer.from(smooth))).toBe(true);
    });

    it('CL2: `duet codec decode` reads what `xz -z` writes, including multi-threaded, multi-block output', async () => {
      const big = payload('float64', 600_000, 'smooth');
      writeFileSync(path('big.f64'), big);
      for (const flags of [['-1'], ['-6'], ['-1', '-T2', '--block-size=1MiB']]) {
        writeFileSync(path('theirs.xz'), execFileSync('xz', ['-z', '-c', ...flags, path('big.f64')], { maxBuffer: 64 << 20 }));
        expect(await codecCommand(['decode', path('theirs.xz'), path('theirs.out')], io())).toBe(0);
        expect(readFileSync(path('theirs.out')).equals(Buffer.from(big))).toBe(true);
      }
    });

    it('CL2: concatenated .xz files decode like `xz -d` does', async () => {
      const a = execFileSync('xz', ['-z', '-c'], { input: Buffer.from('hello ') });
      const b = execFileSync('xz', ['-z', '-c'], { input: Buffer.from('world') });
      writeFileSync(path('cat.xz'), Buffer.concat([a, b]));
      expect(await codecCommand(['decode', path('cat.xz'), path('cat.out')], io())).toBe(0);
      expect(readFileSync(path('cat.out'), 'utf8')).toBe(execFileSync('xz', ['-dc', path('cat.xz')]).toString());
    });
  });

  it('CL3: bad arguments and unreadable input exit non-zero with a message', async () => {
    const cases: [string[], number, RegExp][] = [
      [['encode', path('in.f32'), path('x')], 2, /--codec/],
      [['encode', '--codec', 'nope', path('in.f32'), path('x')], 1, /"nope" is not registered/],
      [['encode', '--codec', 'sparse', '--dtype', 'float99', path('in.f32'), path('x')], 2, /Unknown dtype/],
      [['encode', '--codec', 'sparse', '--dtype', 'float32', '--shape', '3,3', path('in.f32'), path('x')], 2, /needs 36/],
      [['decode', path('in.f32'), path('x')], 1, /neither an \.xz file nor/],
      [['decode', path('missing'), path('x')], 1, /ENOENT/],
      [['frobnicate'], 2, /Unknown subcommand/],
    ];
    for (const [argv, code, message] of cases) {
      const out = io();
      expect(await codecCommand(argv, out)).toBe(code);
      expect(out.lines.join('\n')).toMatch(message);
    }
  });

  it('CL3: a truncated container is refused', async () => {
    await codecCommand(['encode', '--codec', 'blosc-lz4', '--dtype', 'float32', path('in.f32'), path('t.blosc')], io());
    const whole = readFileSync(path('t.blosc'));
    writeFileSync(path('t2.blosc'), whole.subarray(0, whole.length - 10));
    const out = io();
    expect(await codecCommand(['decode', path('t2.blosc'), path('x')], out)).toBe(1);
    expect(out.lines.join('\n')).toMatch(/truncated/);
  });
});
