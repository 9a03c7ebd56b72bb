import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// docs/spec/datascience.md and the tests must agree: every rule is cited by a test title, and
// every id a data-science test cites is a rule. (The project-wide docs test does the same for all
// spec files; this one keeps this branch honest on its own.)

const AREAS = ['LD', 'ST', 'PL', 'DP', 'DS', 'PO', 'AU'];
const spec = readFileSync('docs/spec/datascience.md', 'utf8');
const ruleIds = new Set([...spec.matchAll(/^- \*\*([A-Z]+\d+)\*\*/gm)].map((m) => m[1]!));

function citedIds(): Set<string> {
  const ids = new Set<string>();
  for (const f of readdirSync('test/unit')) {
    if (!f.endsWith('.test.ts') || f === 'ds-spec.test.ts') continue;
    const src = readFileSync(`test/unit/${f}`, 'utf8');
    for (const m of src.matchAll(/\bit\(\s*['"`]([^'"`]*)/g)) {
      for (const id of m[1]!.matchAll(/\b([A-Z]{2})(\d+)\b/g)) if (AREAS.includes(id[1]!)) ids.add(`${id[1]}${id[2]}`);
    }
  }
  return ids;
}

describe('data-science spec', () => {
  it('every rule in docs/spec/datascience.md is cited by a test, and every cited id is a rule', () => {
    const cited = citedIds();
    expect([...ruleIds].filter((id) => !cited.has(id))).toEqual([]);
    expect([...cited].filter((id) => !ruleIds.has(id))).toEqual([]);
    expect(ruleIds.size).toBeGreaterThan(25);
  });
});
