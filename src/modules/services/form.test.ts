import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from './catalogue.js';
import { formErrors } from './form.js';
import { SHIPPED_CATALOGUE } from './settings.js';

const entry = loadCatalogue(SHIPPED_CATALOGUE).get('birth-certificate-copy');
if (!entry) throw new Error('the example service is missing');

const valid = {
  subject: { givenNames: 'Palesa', surname: 'Mokoena', dateOfBirth: '1994-03-21', district: 'C' },
  relationship: 'self',
  copies: 1,
};

describe('formErrors', () => {
  it('accepts a complete form', () => {
    expect(formErrors(entry, valid, 'en')).toEqual([]);
  });

  it('gives one error per field, with the ministry’s text in the caller’s language', () => {
    const bad = { subject: { givenNames: '', surname: 'Mokoena', dateOfBirth: '21/03/1994' }, copies: 9 };
    const en = formErrors(entry, bad, 'en');
    expect(en.map((e) => [e.pointer, e.code])).toEqual(
      expect.arrayContaining([
        ['/form/subject/givenNames', 'minLength'],
        ['/form/subject/dateOfBirth', 'format'],
        ['/form/subject/district', 'required'],
        ['/form/relationship', 'required'],
        ['/form/copies', 'maximum'],
      ]),
    );
    expect(new Set(en.map((e) => e.pointer)).size).toBe(en.length);
    const st = formErrors(entry, bad, 'st');
    expect(st.find((e) => e.pointer === '/form/copies')?.detail).toBe('Kopa likopi tse 5 kapa ka tlase');
    expect(en.find((e) => e.pointer === '/form/copies')?.detail).toBe('Ask for 5 copies or fewer');
  });

  it('falls back to the platform’s text, naming the field by its label', () => {
    const errors = formErrors(entry, { ...valid, extra: true }, 'en');
    expect(errors).toEqual([
      {
        pointer: '/form/extra',
        in: 'body',
        code: 'additionalProperties',
        detail: 'extra is not an accepted field',
      },
    ]);
  });

  it('never accepts what the schema refuses, and names a field for every refusal', () => {
    fc.assert(
      fc.property(fc.anything(), (data) => {
        const errors = formErrors(entry, data, 'st');
        expect(errors.length === 0).toBe(entry.validateForm(data));
        for (const e of errors) expect(e.pointer.startsWith('/form')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
