import { createHmac, randomBytes } from 'node:crypto';
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import { HOTP, Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Queryable } from '../../../core/db/index.js';
import { problems } from '../../../core/http/index.js';
import { newId } from '../../../core/ids/index.js';
import type { Change } from '../../../core/kernel/index.js';
import { constantTimeEqual, normalizeNumericCode } from './codes.js';
import type { FactorKeys } from './keys.js';
import type { FactorResult } from './results.js';
import { factorEnrolments } from './schema.js';
import { checkAllowed, recordFailure, reset, throttleKeys } from './throttle.js';

/** RFC 6238 as every authenticator app implements it: HMAC-SHA-1, 6 digits, 30-second steps. */
export const TOTP_SETTINGS = {
  issuer: 'Mmuso',
  algorithm: 'SHA1',
  digits: 6,
  period: 30,
  window: 1,
} as const;

export const TOTP_ENROLLED = 'auth.factors.totp.enrolled';
export const TOTP_CONFIRMED = 'auth.factors.totp.confirmed';
export const TOTP_VERIFIED = 'auth.factors.totp.verified';
export const TOTP_FAILED = 'auth.factors.totp.failed';
/** Published when a factor starts counting, so the person can be told ("was this you?"). */
export const FACTOR_ADDED = 'auth.factors.added';

/** The time step a moment falls in. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_SETTINGS.period);
}

/** The code for one step: HOTP (RFC 4226) over the step number. */
export function totpCode(secretBase32: string, step: number): string {
  return HOTP.generate({
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_SETTINGS.algorithm,
    digits: TOTP_SETTINGS.digits,
    counter: step,
    hmac: nodeHmac,
  });
}

/** Node's own HMAC: several times faster than the library's portable one. */
const nodeHmac = (algorithm: string, key: Uint8Array, message: Uint8Array) =>
  new Uint8Array(createHmac(algorithm.toLowerCase().replace('-', ''), key).update(message).digest());

/**
 * The step the code belongs to within ±window steps of `at`, or null. Every step in the window
 * is computed and compared in constant time, whether or not an earlier one matched.
 */
export function matchTotp(
  secretBase32: string,
  code: string,
  at: Date,
  window: number = TOTP_SETTINGS.window,
) {
  const now = totpStep(at);
  let matched: number | null = null;
  for (let step = now - window; step <= now + window; step += 1) {
    if (constantTimeEqual(totpCode(secretBase32, step), code) && matched === null) matched = step;
  }
  return matched;
}

/** A new 160-bit secret (RFC 4226 §4), base32. */
export function newTotpSecret(): string {
  return new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;
}

/** otpauth://totp/Mmuso:<login>?secret=…&issuer=Mmuso&algorithm=SHA1&digits=6&period=30 */
export function totpUri(secretBase32: string, login: string): string {
  return new TOTP({
    issuer: TOTP_SETTINGS.issuer,
    label: login,
    secret: Secret.fromBase32(secretBase32),
    algorithm: TOTP_SETTINGS.algorithm,
    digits: TOTP_SETTINGS.digits,
    period: TOTP_SETTINGS.period,
  }).toString();
}

/** The enrolment QR code as SVG markup and as a data URL for an <img>. */
export async function qrCode(uri: string): Promise<{ svg: string; dataUrl: string }> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { svg, dataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

export interface TotpEnrolment {
  enrolmentId: string;
  /** Base32, for people who type it into their app instead of scanning. Shown once. */
  secret: string;
  uri: string;
  qrSvg: string;
  qrDataUrl: string;
}

const sealContext = (accountId: string) => `auth.factor_enrolments.secret:${accountId}`;

/**
 * Starts (or restarts) enrolling an authenticator app. It counts only after `confirmTotp`; an
 * account that already has a confirmed app must remove it first.
 */
export async function enrolTotp(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; login: string },
): Promise<TotpEnrolment> {
  const secret = newTotpSecret();
  const sealed = keys.seal(secret, sealContext(input.accountId));
  const [existing] = await c.tx
    .select()
    .from(factorEnrolments)
    .where(and(eq(factorEnrolments.accountId, input.accountId), eq(factorEnrolments.kind, 'totp')))
    .for('update');
  if (existing?.confirmedAt) throw problems.conflict('auth.factors.error.totp-exists');
  const enrolmentId = existing?.id ?? newId();
  if (existing) {
    await c.tx
      .update(factorEnrolments)
      .set({ secret: sealed, createdAt: c.now, lastUsedStep: null })
      .where(eq(factorEnrolments.id, enrolmentId));
  } else {
    await c.tx.insert(factorEnrolments).values({
      id: enrolmentId,
      accountId: input.accountId,
      kind: 'totp',
      secret: sealed,
      createdAt: c.now,
    });
  }
  c.audit({
    action: TOTP_ENROLLED,
    subject: { type: 'account', id: input.accountId },
    after: { enrolmentId, kind: 'totp', restarted: existing !== undefined },
  });
  return enrolmentView(enrolmentId, secret, input.login);
}

/** An enrolment not yet confirmed, shown again (same secret) after a mistyped first code. */
export async function pendingTotpEnrolment(
  on: Queryable,
  keys: FactorKeys,
  input: { accountId: string; login: string },
): Promise<TotpEnrolment | undefined> {
  const [pending] = await on
    .select()
    .from(factorEnrolments)
    .where(
      and(
        eq(factorEnrolments.accountId, input.accountId),
        eq(factorEnrolments.kind, 'totp'),
        isNull(factorEnrolments.confirmedAt),
      ),
    );
  if (!pending?.secret) return undefined;
  return enrolmentView(pending.id, keys.open(pending.secret, sealContext(input.accountId)), input.login);
}

async function enrolmentView(enrolmentId: string, secret: string, login: string): Promise<TotpEnrolment> {
  const uri = totpUri(secret, login);
  const qr = await qrCode(uri);
  return { enrolmentId, secret, uri, qrSvg: qr.svg, qrDataUrl: qr.dataUrl };
}

async function checkTotp(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; code: string },
  confirming: boolean,
): Promise<FactorResult<{ enrolmentId: string }>> {
  const code = normalizeNumericCode(input.code, TOTP_SETTINGS.digits);
  if (!code) return { ok: false, reason: 'malformed' };
  const throttleKey = throttleKeys.secondFactor(input.accountId);
  const allowed = await checkAllowed(c.tx, throttleKey, c.now);
  if (!allowed.allowed) return { ok: false, reason: 'locked', retryAfterSeconds: allowed.retryAfterSeconds };
  const [enrolment] = await c.tx
    .select()
    .from(factorEnrolments)
    .where(
      and(
        eq(factorEnrolments.accountId, input.accountId),
        eq(factorEnrolments.kind, 'totp'),
        confirming ? isNull(factorEnrolments.confirmedAt) : isNotNull(factorEnrolments.confirmedAt),
      ),
    )
    .for('update');
  if (!enrolment?.secret) return { ok: false, reason: 'not-enrolled' };
  const secret = keys.open(enrolment.secret, sealContext(input.accountId));
  const step = matchTotp(secret, code, c.now);
  const replayed = step !== null && enrolment.lastUsedStep !== null && step <= enrolment.lastUsedStep;
  const subject = { type: 'account', id: input.accountId };
  if (step === null || replayed) {
    const reason = replayed ? 'replayed' : 'wrong';
    const state = await recordFailure(c, throttleKey);
    c.audit({ action: TOTP_FAILED, subject, after: { enrolmentId: enrolment.id, reason, confirming } });
    return state.allowed
      ? { ok: false, reason }
      : { ok: false, reason, retryAfterSeconds: state.retryAfterSeconds };
  }
  await c.tx
    .update(factorEnrolments)
    .set({ lastUsedStep: step, lastUsedAt: c.now, ...(confirming ? { confirmedAt: c.now } : {}) })
    .where(eq(factorEnrolments.id, enrolment.id));
  await reset(c, throttleKey);
  c.audit({
    action: confirming ? TOTP_CONFIRMED : TOTP_VERIFIED,
    subject,
    after: { enrolmentId: enrolment.id },
  });
  if (confirming) {
    c.publish({
      topic: FACTOR_ADDED,
      payload: { accountId: input.accountId, enrolmentId: enrolment.id, kind: 'totp' },
    });
  }
  return { ok: true, enrolmentId: enrolment.id };
}

/** The first code from the app: the enrolment counts from now on. */
export function confirmTotp(c: Change, keys: FactorKeys, input: { accountId: string; code: string }) {
  return checkTotp(c, keys, input, true);
}

/**
 * A code from the confirmed app, within ±1 step. Each step is accepted once per account: a code
 * seen before, or one older than the newest accepted, is refused as 'replayed'. Wrong codes count
 * towards the account's second-factor throttle (`throttleKeys.secondFactor`).
 */
export function verifyTotp(c: Change, keys: FactorKeys, input: { accountId: string; code: string }) {
  return checkTotp(c, keys, input, false);
}
