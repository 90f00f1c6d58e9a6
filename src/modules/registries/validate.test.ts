import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translate } from '../../core/i18n/index.js';
import { registryCatalogue } from './catalogue.js';
import { recordErrors } from './validate.js';

const registry = registryCatalogue().get('residential-addresses');
if (!registry) throw new Error('the shipped residential-addresses registry is missing');

const districts = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'J', 'K'] as const;
const date = fc
  .date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const reference = fc
  .tuple(
    fc.constantFrom('CA', 'BC', 'DL'),
    fc.integer({ min: 1000, max: 9999 }),
    fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'), minLength: 6, maxLength: 6 }),
  )
  .map(([prefix, year, random]) => `${prefix}-${year}-${random}`);
const valid = fc.record(
  {
    reference,
    personId: fc.string({ minLength: 1, maxLength: 100 }),
    district: fc.constantFrom(...districts),
    constituency: fc.string({ maxLength: 100 }),
    village: fc.string({ minLength: 1, maxLength: 100 }),
    since: date,
  },
  { requiredKeys: ['reference', 'district', 'village', 'since'] },
);
const REQUIRED = ['reference', 'district', 'village', 'since'] as const;
const FIELDS = ['reference', 'personId', 'district', 'constituency', 'village', 'since'] as const;

describe('the record validator', () => {
  it('accepts every record that fits the schema', () => {
    fc.assert(
      fc.property(valid, (record) => {
        expect(recordErrors(registry, record)).toEqual([]);
      }),
    );
  });

  it('reports a missing required field once, at its pointer, and nothing else', () => {
    fc.assert(
      fc.property(valid, fc.constantFrom(...REQUIRED), (record, field) => {
        const { [field]: _gone, ...rest } = record;
        expect(recordErrors(registry, rest)).toEqual([
          { pointer: `/${field}`, in: 'body', code: 'required', detail: 'field.required', values: { field } },
        ]);
      }),
    );
  });

  it('reports each broken field exactly once, however many rules it breaks', () => {
    fc.assert(
      fc.property(
        valid,
        fc.subarray([...FIELDS], { minLength: 1 }),
        fc.constantFrom(42, true, [], {}),
        (record, broken, wrong) => {
          const bad: Record<string, unknown> = { ...record };
          for (const field of broken) bad[field] = wrong;
          const errors = recordErrors(registry, bad);
          expect(errors.map((e) => e.pointer).sort()).toEqual(broken.map((f) => `/${f}`).sort());
        },
      ),
    );
  });

  it('refuses unknown fields by name, and values outside the rules with the kernel’s field texts', () => {
    fc.assert(
      fc.property(valid, fc.stringMatching(/^[a-z]{3,10}$/), (record, extra) => {
        fc.pre(!(FIELDS as readonly string[]).includes(extra));
        expect(recordErrors(registry, { ...record, [extra]: 'x' })).toEqual([
          expect.objectContaining({ pointer: `/${extra}`, code: 'additionalProperties' }),
        ]);
      }),
    );
    const errors = recordErrors(registry, {
      reference: 'CA-2026-7K3M9Q',
      district: 'Z',
      village: '',
      since: '2026-02-30',
    });
    expect(errors.map((e) => [e.pointer, e.code])).toEqual([
      ['/district', 'enum'],
      ['/village', 'minLength'],
      ['/since', 'format'],
    ]);
    const [district, village] = errors;
    expect(translate('st', district?.detail ?? '', district?.values)).not.toBe(district?.detail);
    expect(translate('en', village?.detail ?? '', village?.values)).toBe(
      'village must be at least 1 characters',
    );
  });
});
