import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// STYLE 4: every error reason the codec layer, its adapters, the negotiator and the CLI can
// raise is documented in docs/codecs.md, and every rule id a test cites exists in the spec.

const root = join(import.meta.dirname, '../..');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('codec docs', () => {
  it('CD9: every DuetError reason raised by codecs, adapters, negotiator and CLI is in docs/codecs.md', () => {
    const doc = readFileSync(join(root, 'docs/codecs.md'), 'utf8');
    // Only the codec adapters and the codec CLI: other adapters (Flight, WebRTC) document their reasons elsewhere.
    const sources = ['src/codecs', 'src/negotiator', 'src/adapters', 'cli']
      .flatMap((d) => files(join(root, d)))
      .filter((f) => !/[/\\](adapters|cli)[/\\]/.test(f) || /codec/.test(f));
    const reasons = new Set<string>();
    for (const f of sources) for (const m of readFileSync(f, 'utf8').matchAll(/reason: (?:ret === 6 \? )?'([A-Z_]+)'(?: : '([A-Z_]+)')?/g)) {
      reasons.add(m[1]!);
      if (m[2]) reasons.add(m[2]);
    }
    expect(reasons.size).toBeGreaterThan(15);
    const missing = [...reasons].filter((r) => !doc.includes(`\`${r}\``));
    expect(missing).toEqual([]);
  });

  it('CD9: every rule id cited by a codec or negotiator test is defined in docs/spec/codecs.md', () => {
    const spec = readFileSync(join(root, 'docs/spec/codecs.md'), 'utf8');
    const tests = [...files(join(root, 'test/unit')), ...files(join(root, 'test/integration'))].filter((f) => /codec|negotiator/.test(f));
    const cited = new Set<string>();
    for (const f of tests) for (const m of readFileSync(f, 'utf8').matchAll(/['`]((?:CD|LC|NG|CL|DD)\d+):/g)) cited.add(m[1]!);
    expect(cited.size).toBeGreaterThan(20);
    expect([...cited].filter((id) => !spec.includes(`**${id}**`))).toEqual([]);
  });
});
