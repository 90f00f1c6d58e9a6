import { eq, sql } from 'drizzle-orm';
import { rows } from '../../core/db/index.js';
import { fieldError, problems } from '../../core/http/index.js';
import type { Locale } from '../../core/i18n/index.js';
import type { Change } from '../../core/kernel/index.js';
import { registryContactForLinking } from '../identity/index.js';
import { linkAccountToPerson, parseLogin } from './accounts.js';
import {
  type FactorKeys,
  type FactorResult,
  type IssueResult,
  issueSmsCode,
  maskPhone,
  SMS_CODE,
  smsPhone,
  verifySmsCode,
} from './factors/index.js';
import { type AccountRow, accounts } from './schema.js';

/**
 * Linking a login account to the person it belongs to in the civil register, one account per
 * UIN. Either the person proves they hold the phone the register has for them (a one-time code
 * sent there), or an officer at a service centre checks them in person and records what they saw.
 * A linked account with a second factor signs in at `high`.
 */
export interface LinkClaims {
  uin: string;
  givenNames: string;
  surname: string;
  dateOfBirth: string;
}

/**
 * Which person a code in flight would link, kept (in the same transaction as the code) beside the
 * provider's records for as long as the code lives.
 */
const PENDING = 'UinLinkPending';
const pending = {
  put: (c: Change, accountId: string, payload: { personId: string; phone: string }) =>
    c.tx.execute(sql`INSERT INTO auth.oidc_store (model, id, payload, expires_at)
      VALUES (${PENDING}, ${accountId}, ${JSON.stringify(payload)}::jsonb,
        now() + make_interval(secs => ${SMS_CODE.ttlSeconds}))
      ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at`),
  async get(c: Change, accountId: string) {
    const [row] = await rows<{ payload: { personId: string; phone: string } }>(
      c.tx,
      sql`SELECT payload FROM auth.oidc_store WHERE model = ${PENDING} AND id = ${accountId} AND expires_at > now()`,
    );
    return row?.payload;
  },
  drop: (c: Change, accountId: string) =>
    c.tx.execute(sql`DELETE FROM auth.oidc_store WHERE model = ${PENDING} AND id = ${accountId}`),
};

async function unlinkedCitizen(c: Change, accountId: string): Promise<AccountRow> {
  const [account] = await c.tx.select().from(accounts).where(eq(accounts.id, accountId));
  if (account?.kind !== 'citizen' || account.status !== 'active') throw problems.forbidden();
  if (account.personId) throw problems.conflict('auth.link.error.linked');
  return account;
}

/**
 * Step one: the claims must match the register, which must hold a mobile number; a code goes to
 * it. A mismatch and an unknown UIN are the same 422, so the answer tells nothing about the
 * register. Returns the SMS to send after commit and the masked number it goes to.
 */
export async function startRegistryLink(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; claims: LinkClaims; locale: Locale },
): Promise<IssueResult & { sentTo?: string }> {
  await unlinkedCitizen(c, input.accountId);
  const found = await registryContactForLinking(c, input.claims, 'linking a login account to the register');
  if (!found.match) throw problems.invalid([fieldError('/uin', 'no-match', 'auth.link.error.no-match')]);
  const phone = found.phones.map(smsPhone).find((p) => p !== undefined);
  if (!phone) throw problems.invalid([fieldError('/uin', 'no-phone', 'auth.link.error.no-phone')]);
  const issued = await issueSmsCode(c, keys, {
    accountId: input.accountId,
    purpose: 'link-uin',
    to: phone,
    locale: input.locale,
  });
  if (!issued.ok) return issued;
  await pending.put(c, input.accountId, { personId: found.personId, phone });
  return { ...issued, sentTo: maskPhone(phone) };
}

/**
 * Step two: the code back links the account. A refused code is returned, not thrown, so its
 * attempt count and the second-factor throttle commit.
 */
export async function confirmRegistryLink(
  c: Change,
  keys: FactorKeys,
  input: { accountId: string; code: string },
): Promise<FactorResult<{ personId: string }>> {
  await unlinkedCitizen(c, input.accountId);
  const waiting = await pending.get(c, input.accountId);
  if (!waiting) return { ok: false, reason: 'no-code' };
  const verified = await verifySmsCode(c, keys, {
    accountId: input.accountId,
    purpose: 'link-uin',
    code: input.code,
    destination: waiting.phone,
  });
  if (!verified.ok) return verified;
  await linkAccountToPerson(
    c,
    input.accountId,
    waiting.personId,
    'one-time code sent to the phone in the civil register',
    {
      method: 'registry-code',
      details: { to: maskPhone(waiting.phone) },
    },
  );
  await pending.drop(c, input.accountId);
  return { ok: true, personId: waiting.personId };
}

export const DOCUMENTS = ['national-id', 'passport', 'birth-certificate'] as const;

/**
 * At a service centre: the officer (centre agent or registrar, the route says) saw the person
 * and a document, looked the account up by its login and links it. What was checked is recorded.
 */
export async function linkAtCentre(
  c: Change,
  input: {
    login: string;
    claims: LinkClaims;
    evidence: { document: (typeof DOCUMENTS)[number]; documentNumber: string; note?: string };
  },
): Promise<{ accountId: string; personId: string }> {
  const login = parseLogin(input.login);
  const [account] = login.ok ? await c.tx.select().from(accounts).where(eq(accounts.login, login.login)) : [];
  if (account?.kind !== 'citizen') {
    throw problems.invalid([fieldError('/login', 'unknown', 'auth.link.error.account')]);
  }
  if (account.personId) throw problems.conflict('auth.link.error.linked');
  const found = await registryContactForLinking(
    c,
    input.claims,
    'linking a login account at a service centre',
  );
  if (!found.match) throw problems.invalid([fieldError('/uin', 'no-match', 'auth.link.error.no-match')]);
  await linkAccountToPerson(c, account.id, found.personId, 'checked in person at a service centre', {
    method: 'in-person',
    details: {
      document: input.evidence.document,
      documentNumber: input.evidence.documentNumber,
      ...(input.evidence.note ? { officerNote: input.evidence.note } : {}),
      office: c.actor.office ?? null,
    },
  });
  return { accountId: account.id, personId: found.personId };
}
