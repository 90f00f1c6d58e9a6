import { and, count, desc, eq, gt, isNull, min, sql } from 'drizzle-orm';
import type { Locale } from '../../../core/i18n/index.js';
import { translate } from '../../../core/i18n/index.js';
import { newId } from '../../../core/ids/index.js';
import { type ActionContext, type Change, change, type Kernel } from '../../../core/kernel/index.js';
import { asE164, type E164, type SmsGateway, type SmsReceipt, toGsm7 } from '../../messaging/sms/index.js';
import { constantTimeEqual, maskPhone, newNumericCode, normalizeNumericCode } from './codes.js';
import type { FactorKeys } from './keys.js';
import './messages.js';
import type { FactorResult, Refusal } from './results.js';
import { oneTimeCodes } from './schema.js';
import { checkAllowed, recordFailure, reset, throttleKeys } from './throttle.js';

export const SMS_CODE = {
  digits: 6,
  ttlSeconds: 5 * 60,
  maxAttempts: 5,
  /** A new code for the same purpose no sooner than this after the last unused one. */
  resendAfterSeconds: 30,
  /** Codes per account, and per phone number, in any hour: SMS cost money and can be abused. */
  perHour: 10,
} as const;

/** What a one-time code is for; a code for one purpose never satisfies another. */
export type CodePurpose = 'sign-in' | 'step-up' | 'link-uin' | 'phone-verify' | 'sms-enrol';

export const CODE_ISSUED = 'auth.factors.code.issued';
export const CODE_VERIFIED = 'auth.factors.code.verified';
export const CODE_FAILED = 'auth.factors.code.failed';

/** An SMS to send once the transaction that issued the code has committed. */
export interface OutgoingSms {
  to: E164;
  text: string;
}

export type IssueResult =
  | { ok: true; codeId: string; expiresAt: Date; sms: OutgoingSms }
  | { ok: false; reason: 'too-soon' | 'rate-limited'; retryAfterSeconds: number };

/** Stable lock class for "issuing a code for (account, purpose)", beside the audit chain lock. */
const ISSUE_LOCK = 7_311_005;

const codeMac = (keys: FactorKeys, version: number, id: string, purpose: string, code: string) =>
  keys.mac(version, `one-time-code:${id}:${purpose}:${code}`);

/** The SMS text in the person's language, kept to GSM-7 so it is one segment everywhere. */
export function codeText(locale: Locale, code: string): string {
  return toGsm7(translate(locale, 'auth.factors.sms.code', { code, minutes: SMS_CODE.ttlSeconds / 60 }));
}

/**
 * Makes a code and stores only its HMAC; the previous live code for the same account and purpose
 * dies. The returned SMS is sent by the caller after commit (`sendSms`, or use
 * `issueAndSendSmsCode`), never inside the transaction.
 */
export async function issueSmsCode(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; purpose: CodePurpose; to: string; locale: Locale },
): Promise<IssueResult> {
  const to = asE164(input.to);
  await c.tx.execute(
    sql`SELECT pg_advisory_xact_lock(${ISSUE_LOCK}, hashtext(${`${input.accountId}:${input.purpose}`}))`,
  );
  const [last] = await c.tx
    .select({ createdAt: oneTimeCodes.createdAt })
    .from(oneTimeCodes)
    .where(
      and(
        eq(oneTimeCodes.accountId, input.accountId),
        eq(oneTimeCodes.purpose, input.purpose),
        isNull(oneTimeCodes.consumedAt),
      ),
    )
    .orderBy(desc(oneTimeCodes.createdAt))
    .limit(1);
  const resendAt = last ? last.createdAt.getTime() + SMS_CODE.resendAfterSeconds * 1000 : 0;
  if (resendAt > c.now.getTime()) {
    return {
      ok: false,
      reason: 'too-soon',
      retryAfterSeconds: Math.ceil((resendAt - c.now.getTime()) / 1000),
    };
  }
  const hourAgo = new Date(c.now.getTime() - 3600_000);
  for (const sentTo of [eq(oneTimeCodes.accountId, input.accountId), eq(oneTimeCodes.destination, to)]) {
    const [sent] = await c.tx
      .select({ n: count(), oldest: min(oneTimeCodes.createdAt) })
      .from(oneTimeCodes)
      .where(and(sentTo, gt(oneTimeCodes.createdAt, hourAgo)));
    if (sent && sent.n >= SMS_CODE.perHour && sent.oldest) {
      const wait = new Date(sent.oldest).getTime() + 3600_000 - c.now.getTime();
      return { ok: false, reason: 'rate-limited', retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
    }
  }
  await c.tx
    .update(oneTimeCodes)
    .set({ invalidatedAt: c.now })
    .where(
      and(
        eq(oneTimeCodes.accountId, input.accountId),
        eq(oneTimeCodes.purpose, input.purpose),
        isNull(oneTimeCodes.consumedAt),
        isNull(oneTimeCodes.invalidatedAt),
      ),
    );
  const id = newId();
  const code = newNumericCode(SMS_CODE.digits);
  const expiresAt = new Date(c.now.getTime() + SMS_CODE.ttlSeconds * 1000);
  await c.tx.insert(oneTimeCodes).values({
    id,
    accountId: input.accountId,
    purpose: input.purpose,
    codeHash: codeMac(keys, keys.version, id, input.purpose, code),
    keyVersion: keys.version,
    destination: to,
    createdAt: c.now,
    expiresAt,
    attempts: 0,
  });
  c.audit({
    action: CODE_ISSUED,
    subject: { type: 'account', id: input.accountId },
    after: { codeId: id, purpose: input.purpose, to: maskPhone(to), expiresAt: expiresAt.toISOString() },
  });
  return { ok: true, codeId: id, expiresAt, sms: { to, text: codeText(input.locale, code) } };
}

/**
 * Checks a code against the live one for the account and purpose. A wrong code uses one of its
 * 5 attempts (the fifth wrong one kills it) and counts towards the account's second-factor
 * throttle; a right one is consumed. With `destination`, the code must have gone to that number.
 */
export async function verifySmsCode(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; purpose: CodePurpose; code: string; destination?: string },
): Promise<FactorResult<{ codeId: string; destination: E164 }>> {
  const code = normalizeNumericCode(input.code, SMS_CODE.digits);
  if (!code) return { ok: false, reason: 'malformed' };
  const throttleKey = throttleKeys.secondFactor(input.accountId);
  const allowed = await checkAllowed(c.tx, throttleKey, c.now);
  if (!allowed.allowed) return { ok: false, reason: 'locked', retryAfterSeconds: allowed.retryAfterSeconds };
  const subject = { type: 'account', id: input.accountId };
  const [live] = await c.tx
    .select()
    .from(oneTimeCodes)
    .where(
      and(
        eq(oneTimeCodes.accountId, input.accountId),
        eq(oneTimeCodes.purpose, input.purpose),
        isNull(oneTimeCodes.consumedAt),
        isNull(oneTimeCodes.invalidatedAt),
      ),
    )
    .for('update');
  const refuse = (refusal: Refusal): Refusal => {
    c.audit({
      action: CODE_FAILED,
      subject,
      after: { codeId: live?.id ?? null, purpose: input.purpose, reason: refusal.reason },
    });
    return refusal;
  };
  if (!live || (input.destination !== undefined && live.destination !== input.destination)) {
    return refuse({ ok: false, reason: 'no-code' });
  }
  if (live.attempts >= SMS_CODE.maxAttempts)
    return refuse({ ok: false, reason: 'too-many-attempts', attemptsLeft: 0 });
  if (live.expiresAt.getTime() <= c.now.getTime()) return refuse({ ok: false, reason: 'expired' });
  const right = constantTimeEqual(codeMac(keys, live.keyVersion, live.id, live.purpose, code), live.codeHash);
  if (!right) {
    const attempts = live.attempts + 1;
    await c.tx.update(oneTimeCodes).set({ attempts }).where(eq(oneTimeCodes.id, live.id));
    const state = await recordFailure(c, throttleKey);
    const attemptsLeft = SMS_CODE.maxAttempts - attempts;
    return refuse({
      ok: false,
      reason: 'wrong',
      attemptsLeft,
      ...(state.allowed ? {} : { retryAfterSeconds: state.retryAfterSeconds }),
    });
  }
  await c.tx
    .update(oneTimeCodes)
    .set({ consumedAt: c.now, attempts: live.attempts + 1 })
    .where(eq(oneTimeCodes.id, live.id));
  await reset(c, throttleKey);
  c.audit({ action: CODE_VERIFIED, subject, after: { codeId: live.id, purpose: input.purpose } });
  return { ok: true, codeId: live.id, destination: live.destination as E164 };
}

/** Sends an issued code's SMS. Call after the issuing transaction committed. */
export function sendSms(gateway: SmsGateway, sms: OutgoingSms): Promise<SmsReceipt> {
  return gateway.send(sms.to, sms.text);
}

/**
 * Issues a code in its own `change()` and, once committed, sends it. If sending fails the code
 * stays valid but unknown to anyone; the person asks again (after the resend delay).
 */
export async function issueAndSendSmsCode(
  kernel: Kernel,
  context: ActionContext,
  deps: { keys: FactorKeys; gateway: SmsGateway },
  input: { accountId: string; purpose: CodePurpose; to: string; locale: Locale },
): Promise<
  Exclude<IssueResult, { ok: true }> | { ok: true; codeId: string; expiresAt: Date; receipt: SmsReceipt }
> {
  const issued = await change(kernel, context, (c) => issueSmsCode(c, deps.keys, input));
  if (!issued.ok) return issued;
  const receipt = await sendSms(deps.gateway, issued.sms);
  return { ok: true, codeId: issued.codeId, expiresAt: issued.expiresAt, receipt };
}

/** Removes codes that ended more than a day ago; they serve nothing after that. */
export async function pruneOneTimeCodes(c: Change): Promise<number> {
  const before = new Date(c.now.getTime() - 24 * 3600_000);
  const removed = await c.tx
    .delete(oneTimeCodes)
    .where(sql`${oneTimeCodes.expiresAt} < ${before}`)
    .returning({ id: oneTimeCodes.id });
  return removed.length;
}
