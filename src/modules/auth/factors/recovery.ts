import { and, count, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../../../core/db/index.js';
import { newId } from '../../../core/ids/index.js';
import type { Change } from '../../../core/kernel/index.js';
import { constantTimeEqual, newRecoveryCode, normalizeRecoveryCode } from './codes.js';
import type { FactorKeys } from './keys.js';
import type { FactorResult } from './results.js';
import { recoveryCodes } from './schema.js';
import { checkAllowed, recordFailure, reset, throttleKeys } from './throttle.js';

export const RECOVERY_CODE_COUNT = 10;

export const RECOVERY_GENERATED = 'auth.factors.recovery.generated';
export const RECOVERY_USED = 'auth.factors.recovery.used';
export const RECOVERY_FAILED = 'auth.factors.recovery.failed';

const recoveryMac = (keys: FactorKeys, version: number, id: string, normalized: string) =>
  keys.mac(version, `recovery-code:${id}:${normalized}`);

/**
 * A new set of 10 recovery codes (XXXXX-XXXXX), replacing any earlier set. The codes are returned
 * to be shown once; only their HMACs are stored.
 */
export async function generateRecoveryCodes(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string },
): Promise<{ codes: string[] }> {
  const removed = await c.tx
    .delete(recoveryCodes)
    .where(eq(recoveryCodes.accountId, input.accountId))
    .returning({ id: recoveryCodes.id });
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await c.tx.insert(recoveryCodes).values(
    codes.map((code) => {
      const id = newId();
      return {
        id,
        accountId: input.accountId,
        codeHash: recoveryMac(keys, keys.version, id, normalizeRecoveryCode(code) as string),
        keyVersion: keys.version,
        createdAt: c.now,
      };
    }),
  );
  c.audit({
    action: RECOVERY_GENERATED,
    subject: { type: 'account', id: input.accountId },
    after: { count: codes.length, replaced: removed.length },
  });
  return { codes };
}

/**
 * Signs in with a recovery code instead of the second factor. Each code works once; a wrong one
 * counts towards the account's second-factor throttle.
 */
export async function useRecoveryCode(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; code: string },
): Promise<FactorResult<{ remaining: number }>> {
  const normalized = normalizeRecoveryCode(input.code);
  if (!normalized) return { ok: false, reason: 'malformed' };
  const throttleKey = throttleKeys.secondFactor(input.accountId);
  const allowed = await checkAllowed(c.tx, throttleKey, c.now);
  if (!allowed.allowed) return { ok: false, reason: 'locked', retryAfterSeconds: allowed.retryAfterSeconds };
  const unused = await c.tx
    .select()
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.accountId, input.accountId), isNull(recoveryCodes.usedAt)))
    .for('update');
  // Every unused code is compared, so the time taken does not tell which one (if any) matched.
  let matched: string | undefined;
  for (const row of unused) {
    const equal = constantTimeEqual(recoveryMac(keys, row.keyVersion, row.id, normalized), row.codeHash);
    if (equal && !matched) matched = row.id;
  }
  const subject = { type: 'account', id: input.accountId };
  if (!matched) {
    const state = await recordFailure(c, throttleKey);
    const reason = unused.length === 0 ? 'not-enrolled' : 'wrong';
    c.audit({ action: RECOVERY_FAILED, subject, after: { reason } });
    return state.allowed
      ? { ok: false, reason }
      : { ok: false, reason, retryAfterSeconds: state.retryAfterSeconds };
  }
  await c.tx.update(recoveryCodes).set({ usedAt: c.now }).where(eq(recoveryCodes.id, matched));
  await reset(c, throttleKey);
  const remaining = unused.length - 1;
  c.audit({ action: RECOVERY_USED, subject, after: { recoveryCodeId: matched, remaining } });
  c.publish({ topic: RECOVERY_USED, payload: { accountId: input.accountId, remaining } });
  return { ok: true, remaining };
}

/** Unused recovery codes of the account (0 when none were ever made). */
export async function remainingRecoveryCodes(on: Queryable, accountId: string): Promise<number> {
  const [row] = await on
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.accountId, accountId), isNull(recoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}
