import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimedUin, verifiedLogins } from './claims.js';

describe('claimedUin', () => {
  it('reads the claim at the top level, trimmed, numbers as text', () => {
    expect(claimedUin({ sub: 'x', individual_id: ' 1234567890 ' }, 'individual_id')).toBe('1234567890');
    expect(claimedUin({ uin: 1234567890 }, 'uin')).toBe('1234567890');
  });

  it('prefers the value in verified_claims (an object or an array of them)', () => {
    const one = { uin: 'top', verified_claims: { verification: {}, claims: { uin: 'verified' } } };
    expect(claimedUin(one, 'uin')).toBe('verified');
    const many = { verified_claims: [{ claims: { name: 'Lineo' } }, { claims: { uin: 'second' } }] };
    expect(claimedUin(many, 'uin')).toBe('second');
  });

  it('is undefined when the claim is absent or not a scalar', () => {
    expect(claimedUin({ sub: 'x' }, 'uin')).toBeUndefined();
    expect(claimedUin({ uin: { value: '1' } }, 'uin')).toBeUndefined();
    expect(claimedUin({ verified_claims: null, uin: ['1'] }, 'uin')).toBeUndefined();
  });

  it('never throws, whatever the provider sends', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (claims, name) => {
        const found = claimedUin(claims, name);
        expect(found === undefined || typeof found === 'string').toBe(true);
      }),
    );
  });
});

describe('verifiedLogins', () => {
  it('returns the phone and address the provider verified, written as logins are here', () => {
    expect(
      verifiedLogins({
        phone_number: '+266 5811 2233',
        phone_number_verified: true,
        email: 'Lineo@Example.org',
        email_verified: true,
      }),
    ).toEqual(['+26658112233', 'lineo@example.org']);
  });

  it('leaves out what is not verified (false, missing, or "true" as text) and what is not a login', () => {
    expect(verifiedLogins({ phone_number: '+26658112233', phone_number_verified: false })).toEqual([]);
    expect(verifiedLogins({ phone_number: '+26658112233' })).toEqual([]);
    expect(verifiedLogins({ email: 'a@example.org', email_verified: 'true' })).toEqual([]);
    expect(verifiedLogins({ phone_number: 'not a phone', phone_number_verified: true })).toEqual([]);
  });

  it('never throws, whatever the provider sends', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (claims) => {
        expect(Array.isArray(verifiedLogins(claims))).toBe(true);
      }),
    );
  });
});
