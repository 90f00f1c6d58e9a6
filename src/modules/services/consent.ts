import { and, eq, isNull } from 'drizzle-orm';
import { fieldError, problems } from '../../core/http/index.js';
import { type Locale, translate } from '../../core/i18n/index.js';
import { newId } from '../../core/ids/index.js';
import type { Change } from '../../core/kernel/index.js';
import {
  constantTimeEqual,
  type FactorKeys,
  maskPhone,
  newNumericCode,
  normalizeNumericCode,
} from '../auth/factors/index.js';
import { readPerson } from '../identity/index.js';
import { asE164, type E164, toGsm7 } from '../messaging/sms/index.js';
import { type ConsentRow, consents } from './schema.js';

export const CONSENT_REQUESTED = 'services.consent.requested';
export const CONSENT_GIVEN = 'services.consent.given';
export const CONSENT_REFUSED = 'services.consent.code-refused';

/**
 * A citizen's consent to a service-centre agent applying on their behalf. The agent finds the
 * person in the civil register (the read is audited, with this purpose); the person then either
 * reads back a one-time code sent to the phone the register holds for them, or signs a paper
 * form that the agent scans in. Either way the consent is the agent's own, for one application,
 * and lapses if unused.
 */
export const CONSENT_PURPOSE =
  'Assisted service: consent for a service-centre agent to apply on the person’s behalf';

export const CONSENT_CODE = { digits: 6, ttlSeconds: 10 * 60, maxAttempts: 5 } as const;
/** A given consent must be used for an application within this time. */
const USE_WITHIN_SECONDS = 24 * 3600;

export interface ConsentView {
  id: string;
  personId: string;
  method: 'sms-code' | 'paper';
  /** The phone the code went to, masked: enough for the person to recognise it. */
  sentTo: string | null;
  given: boolean;
  expiresAt: string;
}

function consentView(row: ConsentRow): ConsentView {
  return {
    id: row.id,
    personId: row.personId,
    method: row.method,
    sentTo: row.method === 'sms-code' && row.destination ? maskPhone(row.destination) : null,
    given: row.givenAt !== null,
    expiresAt: row.expiresAt.toISOString(),
  };
}

const mac = (keys: FactorKeys, version: number, id: string, code: string) =>
  keys.mac(version, `services-consent:${id}:${code}`);

/** The service centre an agent works at: consents and their applications belong to it. */
function agentCentre(c: Change): string {
  if (!c.actor.office) throw problems.forbidden();
  return c.actor.office;
}

/** The person's phone in the civil register, as E.164, if they have one. */
async function registeredPhone(c: Change, personId: string): Promise<E164 | null> {
  const person = await readPerson(c, personId, CONSENT_PURPOSE);
  const [phone] = person.phones;
  return phone ? asE164(phone) : null;
}

/**
 * Sends the person a one-time code at their registered phone. The code is kept only as an HMAC;
 * the SMS to send after commit is returned (never queued in a table in clear).
 */
export async function requestConsentCode(c: Change, keys: FactorKeys, personId: string, locale: Locale) {
  const centre = agentCentre(c);
  const phone = await registeredPhone(c, personId);
  if (!phone) throw problems.invalid([fieldError('/personId', 'no-phone', 'services.error.no-phone')]);
  const id = newId();
  const code = newNumericCode(CONSENT_CODE.digits);
  const [row] = await c.tx
    .insert(consents)
    .values({
      id,
      personId,
      agentId: c.actor.id,
      centre,
      method: 'sms-code',
      codeHash: mac(keys, keys.version, id, code),
      keyVersion: keys.version,
      destination: phone,
      attempts: 0,
      createdAt: c.now,
      expiresAt: new Date(c.now.getTime() + CONSENT_CODE.ttlSeconds * 1000),
    })
    .returning();
  c.audit({
    action: CONSENT_REQUESTED,
    subject: { type: 'person', id: personId },
    purpose: CONSENT_PURPOSE,
    after: { consentId: id, method: 'sms-code', to: maskPhone(phone), centre },
  });
  return {
    consent: consentView(row as ConsentRow),
    sms: { to: phone, text: toGsm7(translate(locale, 'services.consent.sms', { code, centre })) },
  };
}

export type ConfirmResult =
  | { ok: true; consent: ConsentView }
  | { ok: false; reason: 'wrong'; attemptsLeft: number }
  | { ok: false; reason: 'expired' };

/**
 * The agent types in the code the person reads out. A wrong code uses one of five tries; the
 * outcome is returned rather than thrown so the try counts even though the request fails.
 */
export async function confirmConsentCode(
  c: Change,
  keys: FactorKeys,
  consentId: string,
  typed: string,
): Promise<ConfirmResult> {
  const [row] = await c.tx
    .select()
    .from(consents)
    .where(and(eq(consents.id, consentId), eq(consents.agentId, c.actor.id), eq(consents.method, 'sms-code')))
    .for('update');
  if (!row) throw problems.notFound();
  const usable =
    row.givenAt === null &&
    row.attempts < CONSENT_CODE.maxAttempts &&
    row.expiresAt.getTime() > c.now.getTime();
  if (!usable) return { ok: false, reason: 'expired' };
  const code = normalizeNumericCode(typed, CONSENT_CODE.digits);
  const right =
    code !== undefined && constantTimeEqual(mac(keys, row.keyVersion ?? 1, row.id, code), row.codeHash ?? '');
  if (!right) {
    const attempts = row.attempts + 1;
    await c.tx.update(consents).set({ attempts }).where(eq(consents.id, row.id));
    c.audit({
      action: CONSENT_REFUSED,
      subject: { type: 'person', id: row.personId },
      after: { consentId, attempts },
    });
    return { ok: false, reason: 'wrong', attemptsLeft: CONSENT_CODE.maxAttempts - attempts };
  }
  const [given] = await c.tx
    .update(consents)
    .set({
      givenAt: c.now,
      attempts: row.attempts + 1,
      expiresAt: new Date(c.now.getTime() + USE_WITHIN_SECONDS * 1000),
    })
    .where(and(eq(consents.id, row.id), isNull(consents.givenAt)))
    .returning();
  c.audit({
    action: CONSENT_GIVEN,
    subject: { type: 'person', id: row.personId },
    purpose: CONSENT_PURPOSE,
    after: { consentId, method: 'sms-code' },
  });
  return { ok: true, consent: consentView(given as ConsentRow) };
}

/** A signed paper consent, scanned and checked as an upload: given as soon as it is recorded. */
export async function recordPaperConsent(c: Change, personId: string, sha256: string): Promise<ConsentView> {
  const centre = agentCentre(c);
  const phone = await registeredPhone(c, personId);
  const [row] = await c.tx
    .insert(consents)
    .values({
      id: newId(),
      personId,
      agentId: c.actor.id,
      centre,
      method: 'paper',
      destination: phone,
      attempts: 0,
      paperSha256: sha256,
      createdAt: c.now,
      givenAt: c.now,
      expiresAt: new Date(c.now.getTime() + USE_WITHIN_SECONDS * 1000),
    })
    .returning();
  const consent = row as ConsentRow;
  c.audit({
    action: CONSENT_GIVEN,
    subject: { type: 'person', id: personId },
    purpose: CONSENT_PURPOSE,
    after: { consentId: consent.id, method: 'paper', sha256 },
  });
  return consentView(consent);
}
