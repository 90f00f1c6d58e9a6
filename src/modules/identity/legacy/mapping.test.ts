import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileMapping, ImportSetupError, loadMapping } from './mapping.js';

const here = (file: string) => new URL(file, import.meta.url).pathname;
const minimal = {
  columns: {
    SURNAME: 'surname',
    NAMES: 'givenNames',
    SEX: 'sex',
    DOB: 'dateOfBirth',
    DISTRICT: 'birthDistrict',
  },
};

/** The one line a bad mapping stops with. */
function refusal(raw: unknown): string {
  try {
    compileMapping(raw, 'm.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ImportSetupError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('the mapping was accepted');
}

describe('column mappings', () => {
  it('the shipped mappings load', () => {
    const sample = loadMapping(here('./mappings/civil-registry-legacy.json'));
    expect(sample.columns.get('dateOfBirth')).toBe('DOB');
    expect(sample.sex('2')).toBe('F');
    expect(sample.sex(' male ')).toBe('M');
    expect(sample.status('DECEASED')).toBe('deceased');
    expect(sample.districts.match('Hlotse')).toBe('C');
    const sesotho = loadMapping(here('./mappings/sesotho-register.json'));
    expect(sesotho).toMatchObject({ delimiter: ';', encoding: 'latin1' });
    expect(sesotho.columns.get('motherName')).toBe('’Mè');
    expect(sesotho.status('o shoele')).toBe('deceased');
    expect(sesotho.districts.match('SEMONKONG')).toBe('A');
  });

  it('has defaults for what it leaves out', () => {
    const m = compileMapping(minimal);
    expect(m).toMatchObject({ delimiter: ',', encoding: 'utf8', maxAgeYears: 120, centuryPivot: undefined });
    expect(m.dateFormats.map((f) => f.source)).toEqual(['YYYY-MM-DD', 'YYYY-MM', 'YYYY']);
    expect(m.sex('Mosali')).toBe('F');
    expect(m.sex('1')).toBeUndefined(); // numeric codes differ between systems: the mapping says
  });

  it('keys import runs by content, not by layout', () => {
    const a = compileMapping({ ...minimal, delimiter: ';' });
    const b = compileMapping(
      JSON.parse(`{"delimiter":";",\n  "columns": ${JSON.stringify(minimal.columns)}}`),
    );
    const c = compileMapping({ ...minimal, delimiter: ',' });
    expect(a.sha256).toBe(b.sha256);
    expect(a.sha256).not.toBe(c.sha256);
  });

  it.each([
    [
      { ...minimal, columns: { ...minimal.columns, X: 'birthday' } },
      /^mapping m\.json: \/columns\/X: "birthday" is not one of legacyId, surname, .*registeredOn$/,
    ],
    [{ columns: { SURNAME: 'surname' } }, /\/columns: no column is mapped to givenNames, which is required$/],
    [
      { ...minimal, columns: { ...minimal.columns, LAST: 'surname' } },
      /\/columns\/LAST: surname is already filled from column "SURNAME"$/,
    ],
    [{ ...minimal, encoding: 'cp1252' }, /\/encoding: "cp1252" is not one of utf8, latin1$/],
    [{ ...minimal, delimiter: ';;' }, /\/delimiter: ";;" must not have more than 1 characters$/],
    [{ ...minimal, values: { sex: { 3: 'X' } } }, /\/values\/sex\/3: "X" is not one of M, F$/],
    [
      { ...minimal, values: { districts: { 'Maseru West': 'Z' } } },
      /\/values\/districts\/Maseru West: "Z" is not one of A, B, C, D, E, F, G, H, J, K$/,
    ],
    [
      { ...minimal, values: { deceased: ['Alive'], alive: ['alive'] } },
      /\/values\/deceased\/0: "Alive" is also listed as alive$/,
    ],
    [
      { ...minimal, dates: { formats: ['DD/QQ/YYYY'] } },
      /\/dates\/formats\/0: "DD\/QQ\/YYYY": "Q" is not a date part/,
    ],
    [{ ...minimal, dates: { formats: [] } }, /\/dates\/formats: \[\] must not have fewer than 1 items$/],
    [{ ...minimal, dates: { formats: ['YYYY'], centuryPivot: 100 } }, /\/dates\/centuryPivot: 100 /],
    [{ ...minimal, maxAgeYears: 150 }, /\/maxAgeYears: 150 /],
    [{ ...minimal, colour: 'blue' }, /^mapping m\.json: \/colour: is not a mapping setting$/],
    [{ colums: {} }, /\/columns: is required$/],
    [[], /^mapping m\.json: \/: \[\] must be object$/],
  ])('refuses %j in one line naming the path', (raw, expected) => {
    expect(refusal(raw)).toMatch(expected);
  });

  it('names the file when it cannot be read or is not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmuso-mapping-'));
    try {
      fs.writeFileSync(path.join(dir, 'broken.json'), '{"columns": ');
      expect(() => loadMapping(path.join(dir, 'broken.json'))).toThrow(
        /^mapping broken\.json: is not valid JSON: /,
      );
      expect(() => loadMapping(path.join(dir, 'none.json'))).toThrow(
        /^mapping .*none\.json: cannot be read \(no such file\)$/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
