import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKernel, type TestKernel } from '../../../../test/support/kernel.js';
import { type FactorKeys, loadFactorKeys } from './keys.js';
import {
  generateRecoveryCodes,
  RECOVERY_FAILED,
  RECOVERY_GENERATED,
  RECOVERY_USED,
  remainingRecoveryCodes,
  useRecoveryCode,
} from './recovery.js';
import { act, auditOf, createAccount } from './test-support.js';

let t: TestKernel;
let keys: FactorKeys;
beforeAll(async () => {
  t = await createTestKernel();
  keys = loadFactorKeys(t.dataDir);
});
afterAll(() => t.close());

const use = (accountId: string, code: string) => act(t, (c) => useRecoveryCode(c, keys, { accountId, code }));

describe('recovery codes', () => {
  it('makes 10 distinct codes, stores only HMACs, and lets each be used once', async () => {
    const account = await createAccount(t);
    const { codes } = await act(t, (c) => generateRecoveryCodes(c, keys, { accountId: account.id }));
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const stored = JSON.stringify(
      await t.kernel.db.query('SELECT * FROM auth.recovery_codes WHERE account_id = $1', [account.id]),
    );
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace('-', ''));
    }
    expect(await remainingRecoveryCodes(t.kernel.db.orm, account.id)).toBe(10);

    const [first, second] = codes as [string, string];
    expect(await use(account.id, first.toLowerCase())).toEqual({ ok: true, remaining: 9 });
    expect(await use(account.id, first)).toEqual({ ok: false, reason: 'wrong' });
    expect(await use(account.id, ` ${second.replace('-', ' ')} `)).toEqual({ ok: true, remaining: 8 });
    expect(await remainingRecoveryCodes(t.kernel.db.orm, account.id)).toBe(8);

    const audit = await auditOf(t, account.id);
    expect(audit.map((a) => a.action)).toEqual([
      RECOVERY_GENERATED,
      RECOVERY_USED,
      RECOVERY_FAILED,
      RECOVERY_USED,
    ]);
    for (const entry of audit) for (const code of codes) expect(entry.text).not.toContain(code.slice(0, 5));
    const events = await t.kernel.db.query<{ topic: string }>(
      `SELECT topic FROM core.outbox WHERE payload->>'accountId' = $1 ORDER BY id`,
      [account.id],
    );
    expect(events.map((e) => e.topic)).toEqual([RECOVERY_USED, RECOVERY_USED]);
  });

  it('a new set replaces the old one', async () => {
    const account = await createAccount(t);
    const old = await act(t, (c) => generateRecoveryCodes(c, keys, { accountId: account.id }));
    await use(account.id, old.codes[0] as string);
    const fresh = await act(t, (c) => generateRecoveryCodes(c, keys, { accountId: account.id }));
    expect(await use(account.id, old.codes[1] as string)).toMatchObject({ ok: false, reason: 'wrong' });
    expect(await use(account.id, fresh.codes[9] as string)).toEqual({ ok: true, remaining: 9 });
    const [generated] = (await auditOf(t, account.id))
      .filter((a) => a.action === RECOVERY_GENERATED)
      .slice(-1);
    expect(generated?.after).toEqual({ count: 10, replaced: 10 });
  });

  it("one account's codes do not work for another", async () => {
    const a = await createAccount(t);
    const b = await createAccount(t);
    const { codes } = await act(t, (c) => generateRecoveryCodes(c, keys, { accountId: a.id }));
    await act(t, (c) => generateRecoveryCodes(c, keys, { accountId: b.id }));
    expect(await use(b.id, codes[0] as string)).toMatchObject({ ok: false, reason: 'wrong' });
    const none = await createAccount(t);
    expect(await use(none.id, codes[0] as string)).toMatchObject({ ok: false, reason: 'not-enrolled' });
  });

  it('ignores malformed input and locks after 5 wrong codes', async () => {
    const account = await createAccount(t);
    const { codes } = await act(t, (c) => generateRecoveryCodes(c, keys, { accountId: account.id }));
    expect(await use(account.id, 'ABCD')).toEqual({ ok: false, reason: 'malformed' });
    for (let i = 0; i < 4; i += 1)
      expect(await use(account.id, '00000-00000')).toEqual({ ok: false, reason: 'wrong' });
    expect(await use(account.id, '00000-00000')).toEqual({
      ok: false,
      reason: 'wrong',
      retryAfterSeconds: 60,
    });
    expect(await use(account.id, codes[0] as string)).toEqual({
      ok: false,
      reason: 'locked',
      retryAfterSeconds: 60,
    });
    t.clock.advance(60_000);
    expect(await use(account.id, codes[0] as string)).toEqual({ ok: true, remaining: 9 });
  });

  it('two concurrent uses of the same code: exactly one succeeds', async () => {
    const account = await createAccount(t);
    const { codes } = await act(t, (c) => generateRecoveryCodes(c, keys, { accountId: account.id }));
    const results = await Promise.all([
      use(account.id, codes[3] as string),
      use(account.id, codes[3] as string),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await remainingRecoveryCodes(t.kernel.db.orm, account.id)).toBe(9);
  });
});
