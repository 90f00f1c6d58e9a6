import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../../test/support/kernel.js';
import { anonymous } from '../../../core/actors/index.js';
import { createSmsSimulator, isGsm7 } from '../../messaging/sms/index.js';
import {
  confirmSmsFactor,
  enrolSmsFactor,
  FACTOR_REMOVED,
  hasSecondFactor,
  issueSmsFactorCode,
  listFactors,
  removeFactor,
  SMS_CONFIRMED,
  SMS_ENROLLED,
  verifySmsFactorCode,
} from './enrolments.js';
import { type FactorKeys, loadFactorKeys } from './keys.js';
import {
  CODE_FAILED,
  CODE_ISSUED,
  CODE_VERIFIED,
  codeText,
  type IssueResult,
  issueAndSendSmsCode,
  issueSmsCode,
  pruneOneTimeCodes,
  sendSms,
  verifySmsCode,
} from './sms-codes.js';
import { act, auditOf, createAccount } from './test-support.js';

let t: TestKernel;
let keys: FactorKeys;
beforeAll(async () => {
  t = await createTestKernel();
  keys = loadFactorKeys(t.dataDir);
});
afterAll(() => t.close());

const sms = createSmsSimulator();
beforeEach(() => sms.clear());

const PHONE = '+26658123456';

/** Issues a sign-in code, "delivers" it and reads the code back out of the text. */
async function issue(
  account: { id: string; login: string },
  options: { to?: string; purpose?: 'sign-in' | 'link-uin'; locale?: 'en' | 'st' } = {},
) {
  const issued = await act(t, (c) =>
    issueSmsCode(c, keys, {
      accountId: account.id,
      purpose: options.purpose ?? 'sign-in',
      to: options.to ?? account.login,
      locale: options.locale ?? 'en',
    }),
  );
  if (!issued.ok) return { issued, code: '' };
  await sendSms(sms, issued.sms);
  const code = /\d{6}/.exec(issued.sms.text)?.[0] ?? '';
  return { issued, code };
}

const verify = (
  accountId: string,
  code: string,
  purpose: 'sign-in' | 'link-uin' = 'sign-in',
  destination?: string,
) =>
  act(t, (c) =>
    verifySmsCode(c, keys, { accountId, purpose, code, ...(destination ? { destination } : {}) }),
  );

const other = (code: string) => ((Number(code) + 1) % 1_000_000).toString().padStart(6, '0');

describe('SMS texts', () => {
  it('say the code and its 5 minutes in English and Sesotho, in one GSM-7 segment', () => {
    expect(codeText('en', '123456')).toBe('Your Mmuso code is 123456. It expires in 5 minutes.');
    expect(codeText('st', '123456')).toBe("Khoutu ea hau ea Mmuso ke 123456. E fela ka mor'a metsotso e 5.");
    for (const locale of ['en', 'st'] as const) expect(isGsm7(codeText(locale, '000000'))).toBe(true);
  });
});

describe('SMS one-time codes', () => {
  it('issues a 6-digit code valid for 5 minutes, stores only its HMAC, and accepts it once', async () => {
    const account = await createAccount(t, PHONE);
    const { issued, code } = await issue(account, { locale: 'st' });
    expect(issued.ok).toBe(true);
    expect(code).toMatch(/^\d{6}$/);
    expect(sms.lastTo(PHONE)?.text).toContain('Khoutu ea hau ea Mmuso');
    expect(sms.lastTo(PHONE)?.segments).toBe(1);
    const [row] = await t.kernel.db.query<Record<string, unknown>>(
      'SELECT * FROM auth.one_time_codes WHERE account_id = $1',
      [account.id],
    );
    expect(JSON.stringify(row)).not.toContain(code);
    expect(row).toMatchObject({ purpose: 'sign-in', destination: PHONE, attempts: 0, key_version: 1 });
    expect(new Date(row?.expires_at as string).getTime() - t.clock.now().getTime()).toBe(300_000);

    expect(await verify(account.id, ` ${code.slice(0, 3)} ${code.slice(3)} `)).toMatchObject({
      ok: true,
      destination: PHONE,
    });
    expect(await verify(account.id, code)).toEqual({ ok: false, reason: 'no-code' });

    const audit = await auditOf(t, account.id);
    expect(audit.map((a) => a.action)).toEqual([CODE_ISSUED, CODE_VERIFIED, CODE_FAILED]);
    expect(audit[0]?.after).toMatchObject({ purpose: 'sign-in', to: '+266 •••• ••56' });
    for (const entry of audit) {
      expect(entry.text).not.toContain(code);
      expect(entry.text).not.toContain(row?.code_hash as string);
      expect(entry.text).not.toContain(PHONE);
    }
  });

  it('expires after 5 minutes', async () => {
    const a = await createAccount(t);
    const b = await createAccount(t);
    const first = await issue(a);
    const second = await issue(b);
    t.clock.advance(299_000);
    expect(await verify(b.id, second.code)).toMatchObject({ ok: true });
    t.clock.advance(1_000);
    expect(await verify(a.id, first.code)).toEqual({ ok: false, reason: 'expired' });
  });

  it('dies after 5 wrong attempts, even for the right code afterwards', async () => {
    const account = await createAccount(t);
    const { code } = await issue(account);
    for (let left = 4; left >= 0; left -= 1) {
      expect(await verify(account.id, other(code))).toMatchObject({
        ok: false,
        reason: 'wrong',
        attemptsLeft: left,
      });
    }
    t.clock.advance(60_000); // past the second-factor lockout the fifth failure started
    expect(await verify(account.id, code)).toEqual({
      ok: false,
      reason: 'too-many-attempts',
      attemptsLeft: 0,
    });
  });

  it('a new code for the same purpose invalidates the previous one; other purposes are separate', async () => {
    const account = await createAccount(t);
    const first = await issue(account);
    const link = await issue(account, { purpose: 'link-uin', to: '+26662000000' });
    t.clock.advance(30_000);
    const second = await issue(account);
    expect(second.issued.ok).toBe(true);
    if (first.code !== second.code)
      expect(await verify(account.id, first.code)).toMatchObject({ reason: 'wrong' });
    expect(await verify(account.id, second.code)).toMatchObject({ ok: true });
    expect(await verify(account.id, link.code, 'sign-in')).toMatchObject({ ok: false });
    expect(await verify(account.id, link.code, 'link-uin', account.login)).toEqual({
      ok: false,
      reason: 'no-code',
    });
    expect(await verify(account.id, link.code, 'link-uin', '+26662000000')).toMatchObject({ ok: true });
  });

  it('limits resending to one code per 30 seconds and 10 an hour, per account and per phone', async () => {
    const account = await createAccount(t);
    await issue(account);
    t.clock.advance(10_000);
    expect((await issue(account)).issued).toEqual({ ok: false, reason: 'too-soon', retryAfterSeconds: 20 });
    for (let i = 0; i < 9; i += 1) {
      t.clock.advance(31_000);
      expect((await issue(account)).issued.ok).toBe(true);
    }
    t.clock.advance(31_000);
    const limited = (await issue(account)).issued as Extract<IssueResult, { ok: false }>;
    expect(limited).toMatchObject({ ok: false, reason: 'rate-limited' });
    expect(limited.retryAfterSeconds).toBe(3600 - 10 - 10 * 31);
    // Another account cannot be used to flood the same phone either.
    const flooder = await createAccount(t);
    expect((await issue(flooder, { to: account.login })).issued).toMatchObject({
      ok: false,
      reason: 'rate-limited',
    });
    expect((await issue(flooder)).issued.ok).toBe(true);
    t.clock.advance(limited.retryAfterSeconds * 1000);
    expect((await issue(account)).issued.ok).toBe(true);
  });

  it('refuses malformed input without using an attempt', async () => {
    const account = await createAccount(t);
    const { code } = await issue(account);
    for (const bad of ['', '12345', '1234567', 'abcdef']) {
      expect(await verify(account.id, bad)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(await verify(account.id, code)).toMatchObject({ ok: true });
  });

  it('refuses every wrong code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 999_999 }), async (n) => {
        const account = await createAccount(t);
        const { code } = await issue(account);
        const guess = n.toString().padStart(6, '0');
        const result = await verify(account.id, guess);
        expect(result.ok).toBe(guess === code);
        if (!result.ok) expect(result.reason).toBe('wrong');
      }),
      { numRuns: 25 },
    );
  });

  it('issueAndSendSmsCode commits, then sends', async () => {
    const account = await createAccount(t);
    const sent = await issueAndSendSmsCode(
      t.kernel,
      { actor: anonymous },
      { keys, gateway: sms },
      { accountId: account.id, purpose: 'sign-in', to: account.login, locale: 'en' },
    );
    expect(sent).toMatchObject({ ok: true, receipt: { segments: 1 } });
    const code = /\d{6}/.exec(sms.lastTo(account.login)?.text ?? '')?.[0] as string;
    expect(await verify(account.id, code)).toMatchObject({ ok: true });
  });

  it('prunes codes that ended more than a day ago', async () => {
    const account = await createAccount(t);
    await issue(account);
    t.clock.advance(25 * 3600_000);
    expect(await act(t, (c) => pruneOneTimeCodes(c))).toBeGreaterThanOrEqual(1);
    const left = await t.kernel.db.query('SELECT 1 FROM auth.one_time_codes WHERE account_id = $1', [
      account.id,
    ]);
    expect(left).toEqual([]);
  });
});

describe('SMS as a second factor', () => {
  it('enrols a phone with a code, then signs in with codes sent to it', async () => {
    const account = await createAccount(t);
    const phone = '+26656111222';
    const { enrolmentId, issued } = await act(t, (c) =>
      enrolSmsFactor(c, keys, { accountId: account.id, phone: '5611 1222', locale: 'en' }),
    );
    if (!issued.ok) throw new Error('not issued');
    expect(await hasSecondFactor(t.kernel.db.orm, account.id)).toBe(false);
    // No sign-in code goes to a phone that is not confirmed.
    expect(
      await act(t, (c) =>
        issueSmsFactorCode(c, keys, { accountId: account.id, purpose: 'sign-in', locale: 'en' }),
      ),
    ).toEqual({ ok: false, reason: 'not-enrolled' });
    const enrolCode = /\d{6}/.exec(issued.sms.text)?.[0] as string;
    expect(
      await act(t, (c) =>
        confirmSmsFactor(c, keys, { accountId: account.id, enrolmentId, code: other(enrolCode) }),
      ),
    ).toMatchObject({ ok: false, reason: 'wrong' });
    expect(
      await act(t, (c) => confirmSmsFactor(c, keys, { accountId: account.id, enrolmentId, code: enrolCode })),
    ).toEqual({ ok: true, enrolmentId });
    expect(await hasSecondFactor(t.kernel.db.orm, account.id)).toBe(true);
    await expect(
      act(t, (c) => enrolSmsFactor(c, keys, { accountId: account.id, phone, locale: 'en' })),
    ).rejects.toMatchObject({ status: 409 });

    const signIn = await act(t, (c) =>
      issueSmsFactorCode(c, keys, { accountId: account.id, purpose: 'sign-in', locale: 'en' }),
    );
    if (!signIn.ok) throw new Error('not issued');
    expect(signIn.sms.to).toBe(phone);
    const code = /\d{6}/.exec(signIn.sms.text)?.[0] as string;
    expect(
      await act(t, (c) => verifySmsFactorCode(c, keys, { accountId: account.id, purpose: 'sign-in', code })),
    ).toEqual({ ok: true, enrolmentId });
    const [factor] = await listFactors(t.kernel.db.orm, account.id);
    expect(factor).toMatchObject({ id: enrolmentId, kind: 'sms', phone, lastUsedAt: t.clock.now() });

    const actions = (await auditOf(t, account.id)).map((a) => a.action);
    expect(actions).toContain(SMS_ENROLLED);
    expect(actions).toContain(SMS_CONFIRMED);
  });

  it('refuses numbers no SMS reaches with 422 on /phone, storing nothing', async () => {
    const account = await createAccount(t);
    for (const phone of ['22312345', '+266 2231 2345', '123', 'call me']) {
      await expect(
        act(t, (c) => enrolSmsFactor(c, keys, { accountId: account.id, phone, locale: 'en' })),
      ).rejects.toMatchObject({
        status: 422,
        options: { errors: [expect.objectContaining({ pointer: '/phone' })] },
      });
    }
    expect(await listFactors(t.kernel.db.orm, account.id)).toEqual([]);
  });

  it('a code sent before the phone was removed proves nothing afterwards', async () => {
    const account = await createAccount(t);
    const phone = '+26656333444';
    const { enrolmentId, issued } = await act(t, (c) =>
      enrolSmsFactor(c, keys, { accountId: account.id, phone, locale: 'en' }),
    );
    if (!issued.ok) throw new Error('not issued');
    await act(t, (c) =>
      confirmSmsFactor(c, keys, {
        accountId: account.id,
        enrolmentId,
        code: /\d{6}/.exec(issued.sms.text)?.[0] as string,
      }),
    );
    const signIn = await act(t, (c) =>
      issueSmsFactorCode(c, keys, { accountId: account.id, purpose: 'sign-in', locale: 'en' }),
    );
    if (!signIn.ok) throw new Error('not issued');
    await act(t, (c) => removeFactor(c, { accountId: account.id, enrolmentId }));
    expect(await listFactors(t.kernel.db.orm, account.id)).toEqual([]);
    expect(
      await act(t, (c) =>
        verifySmsFactorCode(c, keys, {
          accountId: account.id,
          purpose: 'sign-in',
          code: /\d{6}/.exec(signIn.sms.text)?.[0] as string,
        }),
      ),
    ).toEqual({ ok: false, reason: 'not-enrolled' });
    expect((await auditOf(t, account.id)).map((a) => a.action)).toContain(FACTOR_REMOVED);
    await expect(
      act(t, (c) => removeFactor(c, { accountId: account.id, enrolmentId })),
    ).rejects.toMatchObject({
      status: 404,
    });
  });
});
