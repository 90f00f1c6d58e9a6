import { and, asc, eq, isNotNull } from 'drizzle-orm';
import type { Queryable } from '../../../core/db/index.js';
import { fieldError, problems } from '../../../core/http/index.js';
import type { Locale } from '../../../core/i18n/index.js';
import { newId } from '../../../core/ids/index.js';
import type { Change } from '../../../core/kernel/index.js';
import { isLesothoMobile, parsePhone } from '../../../core/phone/index.js';
import { type E164, isE164 } from '../../messaging/sms/index.js';
import { maskPhone } from './codes.js';
import type { FactorKeys } from './keys.js';
import type { FactorResult } from './results.js';
import { factorEnrolments } from './schema.js';
import { type IssueResult, issueSmsCode, verifySmsCode } from './sms-codes.js';
import { FACTOR_ADDED } from './totp.js';

export const SMS_ENROLLED = 'auth.factors.sms.enrolled';
export const SMS_CONFIRMED = 'auth.factors.sms.confirmed';
export const FACTOR_REMOVED = 'auth.factors.removed';

export interface FactorSummary {
  id: string;
  kind: 'totp' | 'sms';
  /** SMS factors: the full number (mask it with `maskPhone` for display). */
  phone: E164 | null;
  createdAt: Date;
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
}

/** The account's factors, confirmed or still being enrolled, oldest first. No secrets. */
export async function listFactors(on: Queryable, accountId: string): Promise<FactorSummary[]> {
  const found = await on
    .select({
      id: factorEnrolments.id,
      kind: factorEnrolments.kind,
      phone: factorEnrolments.phone,
      createdAt: factorEnrolments.createdAt,
      confirmedAt: factorEnrolments.confirmedAt,
      lastUsedAt: factorEnrolments.lastUsedAt,
    })
    .from(factorEnrolments)
    .where(eq(factorEnrolments.accountId, accountId))
    .orderBy(asc(factorEnrolments.createdAt), asc(factorEnrolments.id));
  return found.map((f) => ({ ...f, phone: f.phone as E164 | null }));
}

/** True when the account has a confirmed second factor (mandatory for staff, needed for "substantial"). */
export async function hasSecondFactor(on: Queryable, accountId: string): Promise<boolean> {
  const [found] = await on
    .select({ id: factorEnrolments.id })
    .from(factorEnrolments)
    .where(and(eq(factorEnrolments.accountId, accountId), isNotNull(factorEnrolments.confirmedAt)))
    .limit(1);
  return found !== undefined;
}

/** A number as typed, in E.164, if an SMS can reach it (in Lesotho: a mobile, 5… or 6…). */
export function smsPhone(text: string): E164 | undefined {
  const parsed = parsePhone(text);
  if (!parsed.ok || !isE164(parsed.e164)) return undefined;
  if (parsed.e164.startsWith('+266') && !isLesothoMobile(parsed.e164)) return undefined;
  return parsed.e164;
}

/**
 * Adds a phone (as typed: 58123456, +266 5812 3456, …) as an SMS second factor and sends it a code
 * ('sms-enrol'); it counts once `confirmSmsFactor` gets that code back. Send the returned SMS after
 * commit. A number no SMS can reach is a 422 on /phone.
 */
export async function enrolSmsFactor(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; phone: string; locale: Locale },
): Promise<{ enrolmentId: string; issued: IssueResult }> {
  const phone = smsPhone(input.phone);
  if (!phone) throw problems.invalid([fieldError('/phone', 'phone', 'auth.factors.error.phone')]);
  const [existing] = await c.tx
    .select()
    .from(factorEnrolments)
    .where(
      and(
        eq(factorEnrolments.accountId, input.accountId),
        eq(factorEnrolments.kind, 'sms'),
        eq(factorEnrolments.phone, phone),
      ),
    )
    .for('update');
  if (existing?.confirmedAt) throw problems.conflict('auth.factors.error.sms-exists');
  const enrolmentId = existing?.id ?? newId();
  if (!existing) {
    await c.tx
      .insert(factorEnrolments)
      .values({ id: enrolmentId, accountId: input.accountId, kind: 'sms', phone, createdAt: c.now });
    c.audit({
      action: SMS_ENROLLED,
      subject: { type: 'account', id: input.accountId },
      after: { enrolmentId, kind: 'sms', phone: maskPhone(phone) },
    });
  }
  const issued = await issueSmsCode(c, keys, {
    accountId: input.accountId,
    purpose: 'sms-enrol',
    to: phone,
    locale: input.locale,
  });
  return { enrolmentId, issued };
}

/** The code sent by `enrolSmsFactor`, typed back: the phone counts from now on. */
export async function confirmSmsFactor(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; enrolmentId: string; code: string },
): Promise<FactorResult<{ enrolmentId: string }>> {
  const [enrolment] = await c.tx
    .select()
    .from(factorEnrolments)
    .where(
      and(
        eq(factorEnrolments.id, input.enrolmentId),
        eq(factorEnrolments.accountId, input.accountId),
        eq(factorEnrolments.kind, 'sms'),
      ),
    )
    .for('update');
  if (!enrolment?.phone || enrolment.confirmedAt) return { ok: false, reason: 'not-enrolled' };
  const verified = await verifySmsCode(c, keys, {
    accountId: input.accountId,
    purpose: 'sms-enrol',
    code: input.code,
    destination: enrolment.phone,
  });
  if (!verified.ok) return verified;
  await c.tx
    .update(factorEnrolments)
    .set({ confirmedAt: c.now })
    .where(eq(factorEnrolments.id, enrolment.id));
  c.audit({
    action: SMS_CONFIRMED,
    subject: { type: 'account', id: input.accountId },
    after: { enrolmentId: enrolment.id, phone: maskPhone(enrolment.phone) },
  });
  c.publish({
    topic: FACTOR_ADDED,
    payload: { accountId: input.accountId, enrolmentId: enrolment.id, kind: 'sms' },
  });
  return { ok: true, enrolmentId: enrolment.id };
}

/**
 * Sends a sign-in or step-up code to one of the account's confirmed SMS factors (the first one
 * when no enrolment is named). Send the returned SMS after commit.
 */
export async function issueSmsFactorCode(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; purpose: 'sign-in' | 'step-up'; locale: Locale; enrolmentId?: string },
): Promise<IssueResult | { ok: false; reason: 'not-enrolled' }> {
  const [factor] = await c.tx
    .select({ phone: factorEnrolments.phone })
    .from(factorEnrolments)
    .where(
      and(
        eq(factorEnrolments.accountId, input.accountId),
        eq(factorEnrolments.kind, 'sms'),
        isNotNull(factorEnrolments.confirmedAt),
        input.enrolmentId ? eq(factorEnrolments.id, input.enrolmentId) : undefined,
      ),
    )
    .orderBy(asc(factorEnrolments.createdAt))
    .limit(1);
  if (!factor?.phone) return { ok: false, reason: 'not-enrolled' };
  return issueSmsCode(c, keys, {
    accountId: input.accountId,
    purpose: input.purpose,
    to: factor.phone,
    locale: input.locale,
  });
}

/**
 * Checks the code sent by `issueSmsFactorCode`: it must have gone to a phone that is still a
 * confirmed factor of the account. Marks that factor used.
 */
export async function verifySmsFactorCode(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; purpose: 'sign-in' | 'step-up'; code: string },
): Promise<FactorResult<{ enrolmentId: string }>> {
  const verified = await verifySmsCode(c, keys, input);
  if (!verified.ok) return verified;
  const [factor] = await c.tx
    .update(factorEnrolments)
    .set({ lastUsedAt: c.now })
    .where(
      and(
        eq(factorEnrolments.accountId, input.accountId),
        eq(factorEnrolments.kind, 'sms'),
        eq(factorEnrolments.phone, verified.destination),
        isNotNull(factorEnrolments.confirmedAt),
      ),
    )
    .returning({ id: factorEnrolments.id });
  // The phone was removed as a factor after the code was sent: the code proves nothing now.
  if (!factor) return { ok: false, reason: 'not-enrolled' };
  return { ok: true, enrolmentId: factor.id };
}

/** Removes a factor (confirmed or not). Whether the account may be left without one is the caller's rule. */
export async function removeFactor(
  c: Change,
  input: { accountId: string; enrolmentId: string },
): Promise<void> {
  const [removed] = await c.tx
    .delete(factorEnrolments)
    .where(and(eq(factorEnrolments.id, input.enrolmentId), eq(factorEnrolments.accountId, input.accountId)))
    .returning({
      id: factorEnrolments.id,
      kind: factorEnrolments.kind,
      confirmedAt: factorEnrolments.confirmedAt,
    });
  if (!removed) throw problems.notFound();
  c.audit({
    action: FACTOR_REMOVED,
    subject: { type: 'account', id: input.accountId },
    after: { enrolmentId: removed.id, kind: removed.kind, wasConfirmed: removed.confirmedAt !== null },
  });
  c.publish({
    topic: FACTOR_REMOVED,
    payload: { accountId: input.accountId, enrolmentId: removed.id, kind: removed.kind },
  });
}
