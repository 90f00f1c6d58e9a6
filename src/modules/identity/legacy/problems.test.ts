import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROBLEM_KINDS } from './problems.js';
import { csvCell } from './report.js';

describe('problem kinds', () => {
  it('docs/identity-import.md lists each one with its severity', () => {
    const docs = fs.readFileSync(
      fileURLToPath(new URL('../../../../docs/identity-import.md', import.meta.url)),
      'utf8',
    );
    const table = new Map(
      [...docs.matchAll(/^\| `([a-z-]+)` \| ([a-z-]+) \|/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    expect(Object.fromEntries(table)).toEqual(
      Object.fromEntries(Object.entries(PROBLEM_KINDS).map(([code, kind]) => [code, kind.severity])),
    );
  });
});

describe('report cells', () => {
  it.each([
    ['Tšepo', 'Tšepo'],
    ["'Mathabo", "'Mathabo"],
    ['Mokoena, Thabo', '"Mokoena, Thabo"'],
    ['say "hi"', '"say ""hi"""'],
    [' Seeiso  ', '" Seeiso  "'],
    ['+266 5812 3456', "'+266 5812 3456"],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['two\nlines', '"two\nlines"'],
    [null, ''],
    [42, '42'],
  ])('%j is written %s', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});
