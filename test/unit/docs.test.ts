import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors';

function files(dir: string, ext: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'gen' ? [] : files(p, ext);
    return ext.test(name) ? [p] : [];
  });
}

const sources = ['src', 'signaling-server', 'cli'].flatMap((d) => files(d, /\.tsx?$/)).map((f) => readFileSync(f, 'utf8'));
const docs = files('docs', /\.md$/).map((f) => readFileSync(f, 'utf8')).join('\n');
const specs = ['docs/SPEC.md', ...files('docs/spec', /\.md$/).filter((f) => f !== 'docs/SPEC.md')].map((f) => readFileSync(f, 'utf8')).join('\n');
const tests = files('test', /\.test\.ts$/).map((f) => readFileSync(f, 'utf8')).join('\n');

describe('docs', () => {
  it('DOC1: every error code and reason used in the code is documented', () => {
    const reasons = new Set(sources.flatMap((s) => [...s.matchAll(/reason: '([A-Z_]+)'/g)].map((m) => m[1]!)));
    const codes = new Set(sources.flatMap((s) => [...s.matchAll(/new DuetError\('([A-Z_]+)'/g)].map((m) => m[1]!)));
    expect(reasons.size).toBeGreaterThan(10);
    const documented = (word: string) => new RegExp(`\\b${word}\\b`).test(docs);
    for (const r of reasons) expect(documented(r), `reason ${r} is in no doc`).toBe(true);
    for (const c of [...codes, ...ERROR_CODES]) expect(documented(c), `code ${c} is in no doc`).toBe(true);
  });

  it('DOC2: every rule id is cited by a test, and every cited id is a rule', () => {
    // A rule is a list item "- **ID** ..." or a table row "| ID | ...".
    const ruleIds = new Set([...specs.matchAll(/^\s*(?:[-*] \*\*|\| )([A-Z]+\d+[a-z]?)(?:\*\*| \|)/gm)].map((m) => m[1]!));
    // A test cites a rule in its title or in an assertion message: a string starting "ID:".
    const cited = new Set([...tests.matchAll(/['"`]([A-Z]+\d+[a-z]?):/g)].map((m) => m[1]!));
    expect(ruleIds.size).toBeGreaterThan(20);
    for (const id of ruleIds) expect(cited.has(id), `rule ${id} is cited by no test`).toBe(true);
    for (const id of cited) expect(ruleIds.has(id), `test cites ${id}, which no spec defines`).toBe(true);
  });
});
