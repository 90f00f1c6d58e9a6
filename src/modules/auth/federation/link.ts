import { and, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import { HttpProblem } from '../../../core/http/index.js';
import { newId } from '../../../core/ids/index.js';
import type { Change } from '../../../core/kernel/index.js';
import { readPersonByUin } from '../../identity/index.js';
import { ACCOUNT_CREATED, linkAccountToPerson } from '../accounts.js';
import { type AccountRow, accounts } from '../schema.js';

export const ACCOUNT_FEDERATED_SIGN_IN = 'auth.account.federated-sign-in';

/** Why a federated sign-in was refused; each has a page text `auth.federation.refused.<reason>`. */
export type FederationRefusal =
  | 'no-uin'
  | 'uin-unknown'
  | 'person-not-registered'
  | 'account-disabled'
  | 'staff-account';

export class FederationRefused extends Error {
  override name = 'FederationRefused';
  constructor(readonly reason: FederationRefusal) {
    super(`federated sign-in refused: ${reason}`);
  }
}

export interface FederatedIdentity {
  /** The external provider's issuer and its `sub` for the person. */
  issuer: string;
  subject: string;
  uin: string | undefined;
  /** Logins (E.164 phone, e-mail) the provider says it verified for this person (claims.ts). */
  verifiedLogins?: string[];
}

/**
 * The account a federated sign-in lands in: the one linked to the person the external provider
 * names by UIN (one account per UIN); else the person's own unlinked password account, when its
 * login was proven at sign-up (a code came back) and the provider says it verified the same phone
 * number or address for this person, so both sides proved it is theirs; else a new account linked
 * to that person from the start.
 *
 * A login nobody proved is never linked this way: whoever typed someone else's number would get
 * that person's identity. Staff accounts sign in with their password and second factor only.
 */
export async function accountOfFederatedPerson(c: Change, who: FederatedIdentity): Promise<AccountRow> {
  if (!who.uin) throw new FederationRefused('no-uin');
  let person: Awaited<ReturnType<typeof readPersonByUin>>;
  try {
    person = await readPersonByUin(c, who.uin, `federated sign-in through ${who.issuer}`);
  } catch (error) {
    if (error instanceof HttpProblem) throw new FederationRefused('uin-unknown');
    throw error;
  }
  if (person.registerState !== 'registered' || person.vitalStatus !== 'alive') {
    throw new FederationRefused('person-not-registered');
  }
  const [existing] = await c.tx.select().from(accounts).where(eq(accounts.personId, person.id));
  const account =
    existing ?? (await provenAccountToLink(c, who, person.id)) ?? (await federatedAccount(c, who, person.id));
  if (account.kind === 'staff') throw new FederationRefused('staff-account');
  if (account.status !== 'active') throw new FederationRefused('account-disabled');
  const [signedIn] = await c.tx
    .update(accounts)
    .set({ lastLoginAt: c.now })
    .where(eq(accounts.id, account.id))
    .returning();
  c.audit({
    action: ACCOUNT_FEDERATED_SIGN_IN,
    subject: { type: 'account', id: account.id },
    after: { issuer: who.issuer, created: !existing },
  });
  return signedIn as AccountRow;
}

async function federatedAccount(c: Change, who: FederatedIdentity, personId: string) {
  const id = newId();
  await c.tx.insert(accounts).values({
    id,
    kind: 'citizen',
    login: `${who.issuer}#${who.subject}`,
    loginKind: 'federated',
    passwordHash: null,
    status: 'active',
    failedAttempts: 0,
    roles: [],
    createdAt: c.now,
    updatedAt: c.now,
  });
  c.audit({
    action: ACCOUNT_CREATED,
    subject: { type: 'account', id },
    after: { kind: 'citizen', federated: who.issuer },
  });
  return linkAccountToPerson(c, id, personId, `UIN asserted by ${who.issuer}`);
}

/** An unlinked citizen account whose proven login the provider verified too, now linked. */
async function provenAccountToLink(c: Change, who: FederatedIdentity, personId: string) {
  const logins = who.verifiedLogins ?? [];
  if (!logins.length) return undefined;
  const [account] = await c.tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(
      and(
        inArray(accounts.login, logins),
        eq(accounts.kind, 'citizen'),
        isNull(accounts.personId),
        isNotNull(accounts.loginVerifiedAt),
      ),
    )
    .orderBy(accounts.createdAt)
    .limit(1);
  if (!account) return undefined;
  return linkAccountToPerson(c, account.id, personId, `UIN asserted by ${who.issuer}`, {
    method: 'asserted',
    details: { issuer: who.issuer, provenLogin: true },
  });
}
