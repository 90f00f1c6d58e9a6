import fc from 'fast-check';
import { Secret, TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../../test/support/kernel.js';
import { type FactorKeys, loadFactorKeys } from './keys.js';
import { act, auditOf, createAccount } from './test-support.js';
import { checkAllowed, throttleKeys } from './throttle.js';
import {
  confirmTotp,
  enrolTotp,
  FACTOR_ADDED,
  matchTotp,
  newTotpSecret,
  TOTP_CONFIRMED,
  TOTP_ENROLLED,
  TOTP_FAILED,
  TOTP_VERIFIED,
  totpCode,
  totpStep,
  totpUri,
  verifyTotp,
} from './totp.js';

/** RFC 6238 appendix B, SHA-1 rows: the 8-digit values, of which a 6-digit code is the last six. */
const RFC_SECRET = new Secret({ buffer: new TextEncoder().encode('12345678901234567890').buffer }).base32;
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP codes (pure)', () => {
  it('match the RFC 6238 test vectors, truncated to 6 digits', () => {
    expect(RFC_SECRET).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    for (const [seconds, eight] of RFC_VECTORS) {
      const at = new Date(seconds * 1000);
      expect(totpCode(RFC_SECRET, totpStep(at))).toBe(eight.slice(2));
      expect(matchTotp(RFC_SECRET, eight.slice(2), at)).toBe(totpStep(at));
    }
  });

  it('accept the previous and the next step, nothing further', () => {
    const at = new Date(1111111111 * 1000);
    const step = totpStep(at);
    for (const delta of [-1, 0, 1])
      expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step + delta), at)).toBe(step + delta);
    for (const delta of [-3, -2, 2, 3])
      expect(matchTotp(RFC_SECRET, totpCode(RFC_SECRET, step + delta), at)).toBeNull();
  });

  it('refuse every code but the few of the window', () => {
    const at = new Date(1234567890 * 1000);
    const step = totpStep(at);
    const valid = new Set([-1, 0, 1].map((d) => totpCode(RFC_SECRET, step + d)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (n) => {
        const code = n.toString().padStart(6, '0');
        expect(matchTotp(RFC_SECRET, code, at) !== null).toBe(valid.has(code));
      }),
      { numRuns: 3000 },
    );
  });

  it('make 160-bit secrets and otpauth URIs that authenticator apps (and otpauth) read back', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = totpUri(secret, '+26658123456');
    expect(uri).toBe(
      `otpauth://totp/Mmuso:%2B26658123456?issuer=Mmuso&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
    const app = URI.parse(uri);
    expect(app).toBeInstanceOf(TOTP);
    expect(app).toMatchObject({ issuer: 'Mmuso', label: '+26658123456', digits: 6, period: 30 });
    const at = new Date('2026-11-23T08:00:00Z');
    expect(app.generate({ timestamp: at.getTime() })).toBe(totpCode(secret, totpStep(at)));
  });
});

let t: TestKernel;
let keys: FactorKeys;
beforeAll(async () => {
  t = await createTestKernel();
  keys = loadFactorKeys(t.dataDir);
});
afterAll(() => t.close());

/** The code an app holding `secret` shows at the test clock's time plus `offsetSeconds`. */
const appCode = (secret: string, offsetSeconds = 0) =>
  totpCode(secret, totpStep(new Date(t.clock.now().getTime() + offsetSeconds * 1000)));

async function enrolled(login?: string) {
  const account = await createAccount(t, login);
  const enrolment = await act(t, (c) => enrolTotp(c, keys, { accountId: account.id, login: account.login }));
  return { account, enrolment };
}

describe('TOTP enrolment and verification', () => {
  it('enrols with a sealed secret, a URI and a QR code; a first code confirms it', async () => {
    const { account, enrolment } = await enrolled('+26658000001');
    expect(enrolment.uri).toContain('otpauth://totp/Mmuso:%2B26658000001?');
    expect(enrolment.qrSvg).toMatch(/^<svg[^>]*>.*<\/svg>\s*$/s);
    expect(enrolment.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    const [row] = await t.kernel.db.query<{ secret: string; confirmed_at: Date | null }>(
      'SELECT secret, confirmed_at FROM auth.factor_enrolments WHERE id = $1',
      [enrolment.enrolmentId],
    );
    expect(row?.secret).toMatch(/^v1\./);
    expect(row?.secret).not.toContain(enrolment.secret);
    expect(row?.confirmed_at).toBeNull();

    // Not usable for sign-in before it is confirmed.
    expect(
      await act(t, (c) => verifyTotp(c, keys, { accountId: account.id, code: appCode(enrolment.secret) })),
    ).toEqual({ ok: false, reason: 'not-enrolled' });
    const confirmed = await act(t, (c) =>
      confirmTotp(c, keys, { accountId: account.id, code: appCode(enrolment.secret) }),
    );
    expect(confirmed).toEqual({ ok: true, enrolmentId: enrolment.enrolmentId });
    t.clock.advance(30_000);
    expect(
      await act(t, (c) => verifyTotp(c, keys, { accountId: account.id, code: appCode(enrolment.secret) })),
    ).toEqual({ ok: true, enrolmentId: enrolment.enrolmentId });

    const audit = await auditOf(t, account.id);
    expect(audit.map((a) => a.action)).toEqual([TOTP_ENROLLED, TOTP_CONFIRMED, TOTP_VERIFIED]);
    for (const entry of audit) {
      expect(entry.text).not.toContain(enrolment.secret);
      expect(entry.text).not.toContain(row?.secret as string);
    }
    const events = await t.kernel.db.query<{ topic: string }>(
      `SELECT topic FROM core.outbox WHERE payload->>'accountId' = $1`,
      [account.id],
    );
    expect(events).toEqual([{ topic: FACTOR_ADDED }]);
  });

  it('re-enrolling before confirmation replaces the secret; after confirmation it is refused', async () => {
    const { account, enrolment } = await enrolled();
    const again = await act(t, (c) => enrolTotp(c, keys, { accountId: account.id, login: account.login }));
    expect(again.enrolmentId).toBe(enrolment.enrolmentId);
    expect(again.secret).not.toBe(enrolment.secret);
    expect(
      await act(t, (c) => confirmTotp(c, keys, { accountId: account.id, code: appCode(enrolment.secret) })),
    ).toMatchObject({ ok: false, reason: 'wrong' });
    expect(
      await act(t, (c) => confirmTotp(c, keys, { accountId: account.id, code: appCode(again.secret) })),
    ).toMatchObject({ ok: true });
    await expect(
      act(t, (c) => enrolTotp(c, keys, { accountId: account.id, login: account.login })),
    ).rejects.toMatchObject({ status: 409 });
  });

  it('accepts a clock one step off either way, not two', async () => {
    const { account, enrolment } = await enrolled();
    const verify = (offset: number) =>
      act(t, (c) => verifyTotp(c, keys, { accountId: account.id, code: appCode(enrolment.secret, offset) }));
    expect(
      await act(t, (c) =>
        confirmTotp(c, keys, { accountId: account.id, code: appCode(enrolment.secret, -30) }),
      ),
    ).toMatchObject({ ok: true });
    t.clock.advance(120_000);
    expect(await verify(-60)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(await verify(60)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(await verify(-30)).toMatchObject({ ok: true });
    t.clock.advance(60_000);
    expect(await verify(30)).toMatchObject({ ok: true });
  });

  it('accepts each step once: a replayed code, or an older one, is refused', async () => {
    const { account, enrolment } = await enrolled();
    const code = appCode(enrolment.secret);
    expect(await act(t, (c) => confirmTotp(c, keys, { accountId: account.id, code }))).toMatchObject({
      ok: true,
    });
    // The same code again, still within its step and within the window of the next one.
    expect(await act(t, (c) => verifyTotp(c, keys, { accountId: account.id, code }))).toEqual({
      ok: false,
      reason: 'replayed',
    });
    t.clock.advance(30_000);
    expect(await act(t, (c) => verifyTotp(c, keys, { accountId: account.id, code }))).toMatchObject({
      reason: 'replayed',
    });
    const next = appCode(enrolment.secret);
    expect(await act(t, (c) => verifyTotp(c, keys, { accountId: account.id, code: next }))).toMatchObject({
      ok: true,
    });
    // A code of the previous step is inside the window but before the newest accepted step.
    expect(
      await act(t, (c) =>
        verifyTotp(c, keys, { accountId: account.id, code: appCode(enrolment.secret, -30) }),
      ),
    ).toMatchObject({ reason: 'replayed' });
    const audit = await auditOf(t, account.id);
    expect(audit.filter((a) => a.action === TOTP_FAILED).map((a) => a.after?.reason)).toEqual([
      'replayed',
      'replayed',
      'replayed',
    ]);
    for (const entry of audit) expect(entry.text).not.toContain(`"${code}"`);
  });

  it('the same code sent twice at once is accepted once', async () => {
    const { account, enrolment } = await enrolled();
    await act(t, (c) => confirmTotp(c, keys, { accountId: account.id, code: appCode(enrolment.secret) }));
    t.clock.advance(30_000);
    const code = appCode(enrolment.secret);
    const results = await Promise.all(
      [1, 2, 3].map(() => act(t, (c) => verifyTotp(c, keys, { accountId: account.id, code }))),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'replayed')).toHaveLength(2);
  });

  it('ignores malformed input, and locks the second factor after 5 wrong codes', async () => {
    const { account, enrolment } = await enrolled();
    await act(t, (c) => confirmTotp(c, keys, { accountId: account.id, code: appCode(enrolment.secret) }));
    t.clock.advance(30_000);
    const verify = (code: string) => act(t, (c) => verifyTotp(c, keys, { accountId: account.id, code }));
    expect(await verify('12345')).toEqual({ ok: false, reason: 'malformed' });
    const right = appCode(enrolment.secret);
    const wrong = right === '000000' ? '000001' : '000000';
    for (let i = 0; i < 4; i += 1) expect(await verify(wrong)).toEqual({ ok: false, reason: 'wrong' });
    expect(await verify(wrong)).toEqual({ ok: false, reason: 'wrong', retryAfterSeconds: 60 });
    // Locked: even the right code is refused without being looked at.
    expect(await verify(right)).toEqual({ ok: false, reason: 'locked', retryAfterSeconds: 60 });
    t.clock.advance(60_000);
    expect(await verify(appCode(enrolment.secret))).toMatchObject({ ok: true });
    expect(await checkAllowed(t.kernel.db.orm, throttleKeys.secondFactor(account.id), t.clock.now())).toEqual(
      {
        allowed: true,
        retryAfterSeconds: 0,
      },
    );
  });

  it('a secret sealed for one account does not open for another', async () => {
    const a = await enrolled();
    const b = await enrolled();
    await t.kernel.db.query(
      `UPDATE auth.factor_enrolments SET secret = (SELECT secret FROM auth.factor_enrolments WHERE id = $1)
       WHERE id = $2`,
      [a.enrolment.enrolmentId, b.enrolment.enrolmentId],
    );
    await expect(
      act(t, (c) => confirmTotp(c, keys, { accountId: b.account.id, code: appCode(a.enrolment.secret) })),
    ).rejects.toThrow();
  });
});
