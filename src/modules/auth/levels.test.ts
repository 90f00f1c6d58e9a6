import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACR, ACR_VALUES } from './clients.js';
import { type Acr, achievedLevel, meets, rank, requiredLevel } from './levels.js';

const level = fc.constantFrom(...(ACR_VALUES as Acr[]));

describe('assurance levels', () => {
  it('a password alone is low; a second factor substantial; with a linked account high', () => {
    expect(achievedLevel({ secondFactor: false, linkedToPerson: true })).toBe(ACR.low);
    expect(achievedLevel({ secondFactor: true, linkedToPerson: false })).toBe(ACR.substantial);
    expect(achievedLevel({ secondFactor: true, linkedToPerson: true })).toBe(ACR.high);
  });

  it('the demand is the highest of client, request and staff rule; unknown values count for nothing', () => {
    expect(requiredLevel({})).toBe(ACR.low);
    expect(requiredLevel({ acrValues: 'urn:other:gold' })).toBe(ACR.low);
    expect(requiredLevel({ staff: true })).toBe(ACR.substantial);
    expect(requiredLevel({ clientRequires: ACR.high, acrValues: ACR.substantial })).toBe(ACR.high);
    // acr_values lists acceptable levels: the lowest of them is enough.
    expect(requiredLevel({ acrValues: `${ACR.high} ${ACR.substantial}` })).toBe(ACR.substantial);
    expect(requiredLevel({ claimsAcr: { essential: true, values: [ACR.high] } })).toBe(ACR.high);
    expect(requiredLevel({ claimsAcr: { value: ACR.substantial } })).toBe(ACR.substantial);
  });

  it('never asks for less than any one demand, and is met only by itself or higher', () => {
    fc.assert(
      fc.property(
        fc.option(level, { nil: undefined }),
        fc.array(level, { maxLength: 3 }),
        fc.boolean(),
        level,
        (client, requested, staff, achieved) => {
          const required = requiredLevel({ clientRequires: client, acrValues: requested.join(' '), staff });
          if (client) expect(rank(required)).toBeGreaterThanOrEqual(rank(client));
          if (staff) expect(rank(required)).toBeGreaterThanOrEqual(rank(ACR.substantial));
          expect(meets(achieved, required)).toBe(rank(achieved) >= rank(required));
        },
      ),
    );
  });
});
