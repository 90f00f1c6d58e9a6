import { createHash } from 'node:crypto';
import { and, eq, ne, sql } from 'drizzle-orm';
import { actorSummary } from '../../core/actors/index.js';
import { type Queryable, rows } from '../../core/db/index.js';
import { fieldError, problems } from '../../core/http/index.js';
import { newId } from '../../core/ids/index.js';
import type { Change, Kernel } from '../../core/kernel/index.js';
import { parsePhone } from '../../core/phone/index.js';
import { checkPassword, hashPassword, passwordProblem } from './passwords.js';
import { type AccountRow, accounts, type LinkMethod, loginFailures, uinLinks } from './schema.js';

export const ACCOUNT_CREATED = 'auth.account.created';
export const ACCOUNT_SIGNED_IN = 'auth.account.signed-in';
export const ACCOUNT_LOCKED = 'auth.account.locked';
export const ACCOUNT_LINKED = 'auth.account.linked';
export const ACCOUNT_DISABLED = 'auth.account.disabled';

/** Consecutive failures before the first lock; each further failure doubles it, up to an hour. */
export const LOCK_AFTER = 5;
const MAX_LOCK_MINUTES = 60;
/** Failed sign-ins from one client address within ADDRESS_WINDOW_MINUTES before it is refused. */
export const ADDRESS_LIMIT = 50;
const ADDRESS_WINDOW_MINUTES = 15;

export type LoginParse =
  | { ok: true; login: string; kind: 'phone' | 'email' }
  | { ok: false; reason: 'format' };

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** A login is an E.164 phone number or a lower-cased e-mail address. */
export function parseLogin(text: string): LoginParse {
  const trimmed = text.trim();
  if (trimmed.includes('@')) {
    const email = trimmed.toLowerCase();
    return EMAIL.test(email) && email.length <= 254
      ? { ok: true, login: email, kind: 'email' }
      : { ok: false, reason: 'format' };
  }
  const phone = parsePhone(trimmed);
  return phone.ok ? { ok: true, login: phone.e164, kind: 'phone' } : { ok: false, reason: 'format' };
}

export function lockMinutes(failures: number): number {
  return failures < LOCK_AFTER ? 0 : Math.min(2 ** (failures - LOCK_AFTER), MAX_LOCK_MINUTES);
}

export interface SignUpInput {
  login: string;
  password: string;
  /** A code sent to the login came back: it is the caller's (phone_number_verified, email_verified). */
  loginProven?: boolean;
}

/**
 * A citizen account with a phone number or e-mail address and a password; not yet linked to a UIN.
 * With `passwordHash` the caller hashed a password it already checked (and `input.password` is
 * not looked at).
 */
export async function signUp(c: Change, input: SignUpInput, passwordHash?: string): Promise<AccountRow> {
  const login = parseLogin(input.login);
  const errors = [];
  if (!login.ok) errors.push(fieldError('/login', 'format', 'auth.error.login-format'));
  const weak = passwordHash ? undefined : passwordProblem(input.password);
  if (weak) errors.push(fieldError('/password', weak, `auth.error.password-${weak}`));
  if (errors.length || !login.ok) throw problems.invalid(errors);
  const [existing] = await c.tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.login, login.login));
  if (existing) throw problems.conflict('auth.error.login-taken');
  const [row] = await c.tx
    .insert(accounts)
    .values({
      id: newId(),
      kind: 'citizen',
      login: login.login,
      loginKind: login.kind,
      passwordHash: passwordHash ?? (await hashPassword(input.password)),
      status: 'active',
      failedAttempts: 0,
      roles: [],
      createdAt: c.now,
      updatedAt: c.now,
      loginVerifiedAt: input.loginProven ? c.now : null,
    })
    .returning();
  const account = row as AccountRow;
  c.audit({
    action: ACCOUNT_CREATED,
    subject: { type: 'account', id: account.id },
    after: { kind: 'citizen' },
  });
  return account;
}

export interface StaffInput {
  login: string;
  password: string;
  roles: string[];
  ministry: string;
  office: string;
}

/** A staff account (administrators make these; no page yet). */
export async function createStaffAccount(c: Change, input: StaffInput): Promise<AccountRow> {
  const account = await signUp(c, input);
  const [row] = await c.tx
    .update(accounts)
    .set({ kind: 'staff', roles: input.roles, ministry: input.ministry, office: input.office })
    .where(eq(accounts.id, account.id))
    .returning();
  return row as AccountRow;
}

export type SignInResult =
  | { ok: true; account: AccountRow }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; until: Date }
  | { ok: false; reason: 'throttled' };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Checks a login and password. Unknown logins, wrong passwords and disabled accounts give the
 * same answer after the same work (a password check against a dummy hash); repeated failures
 * lock the login — known or not — for 1, 2, 4 … 60 minutes; too many failures from one address
 * refuse that address for a while.
 */
export async function signIn(
  kernel: Kernel,
  input: { login: string; password: string; address: string },
): Promise<SignInResult> {
  const now = kernel.clock.now();
  const { db } = kernel;
  const since = new Date(now.getTime() - ADDRESS_WINDOW_MINUTES * 60_000);
  const [recent] = await rows<{ failures: number | null }>(
    db.orm,
    sql`SELECT sum(failures)::int AS failures FROM auth.address_failures
        WHERE address = ${input.address} AND window_start > ${since.toISOString()}`,
  );
  if ((recent?.failures ?? 0) >= ADDRESS_LIMIT) {
    await checkPassword(undefined, input.password);
    return { ok: false, reason: 'throttled' };
  }
  const parsed = parseLogin(input.login);
  const login = parsed.ok ? parsed.login : input.login.trim().toLowerCase();
  const [account] = await db.orm.select().from(accounts).where(eq(accounts.login, login));
  const lockedUntil = account
    ? account.lockedUntil
    : ((
        await db.orm
          .select()
          .from(loginFailures)
          .where(eq(loginFailures.loginSha256, sha256(login)))
      )[0]?.lockedUntil ?? null);
  const matches = await checkPassword(account?.passwordHash ?? undefined, input.password);
  if (lockedUntil && lockedUntil > now) return { ok: false, reason: 'locked', until: lockedUntil };
  if (account && matches && account.status === 'active') {
    const [updated] = await db.transaction((tx) =>
      tx
        .update(accounts)
        .set({ failedAttempts: 0, lockedUntil: null, lastLoginAt: now })
        .where(eq(accounts.id, account.id))
        .returning(),
    );
    return { ok: true, account: updated as AccountRow };
  }
  const failures = await db.transaction(async (tx) => {
    const window = new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();
    await tx.execute(sql`INSERT INTO auth.address_failures (address, window_start, failures)
      VALUES (${input.address}, ${window}, 1)
      ON CONFLICT (address, window_start) DO UPDATE SET failures = auth.address_failures.failures + 1`);
    if (account) {
      const [row] = await tx
        .update(accounts)
        .set({ failedAttempts: sql`${accounts.failedAttempts} + 1`, lastFailedAt: now })
        .where(eq(accounts.id, account.id))
        .returning({ failures: accounts.failedAttempts });
      return row?.failures ?? 1;
    }
    const [row] = await tx
      .insert(loginFailures)
      .values({ loginSha256: sha256(login), failedAttempts: 1, lastFailedAt: now })
      .onConflictDoUpdate({
        target: loginFailures.loginSha256,
        set: { failedAttempts: sql`${loginFailures.failedAttempts} + 1`, lastFailedAt: now },
      })
      .returning({ failures: loginFailures.failedAttempts });
    return row?.failures ?? 1;
  });
  const minutes = lockMinutes(failures);
  if (minutes > 0) {
    const until = new Date(now.getTime() + minutes * 60_000);
    await db.transaction(async (tx) => {
      if (account) await tx.update(accounts).set({ lockedUntil: until }).where(eq(accounts.id, account.id));
      else
        await tx
          .update(loginFailures)
          .set({ lockedUntil: until })
          .where(eq(loginFailures.loginSha256, sha256(login)));
    });
    return { ok: false, reason: 'locked', until };
  }
  return { ok: false, reason: 'invalid' };
}

/**
 * Links an account to a person in the civil register: one account per UIN. `evidence` says how
 * the person was recognised (kept in auth.uin_links and the audit log): by a code sent to the
 * register's phone, in person by an officer, or asserted by a trusted identity provider.
 */
export async function linkAccountToPerson(
  c: Change,
  accountId: string,
  personId: string,
  evidence: string,
  how: { method: LinkMethod; details?: Record<string, unknown> } = { method: 'asserted' },
) {
  const [taken] = await c.tx
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.personId, personId), ne(accounts.id, accountId)));
  if (taken) throw problems.conflict('auth.error.person-linked');
  const [row] = await c.tx
    .update(accounts)
    .set({ personId, updatedAt: c.now })
    .where(eq(accounts.id, accountId))
    .returning();
  if (!row) throw problems.notFound();
  const link = {
    personId,
    method: how.method,
    evidence: { note: evidence, ...how.details },
    linkedBy: actorSummary(c.actor),
    linkedAt: c.now,
  };
  await c.tx
    .insert(uinLinks)
    .values({ accountId, ...link })
    .onConflictDoUpdate({ target: uinLinks.accountId, set: link });
  c.audit({
    action: ACCOUNT_LINKED,
    subject: { type: 'account', id: accountId },
    purpose: evidence,
    after: { personId, method: how.method, ...how.details },
  });
  return row;
}

/** Death registration: the person's account is disabled and every session and token of it revoked. */
export async function disableAccountOfPerson(
  c: Change,
  personId: string,
  reason: string,
): Promise<string | undefined> {
  const [row] = await c.tx
    .update(accounts)
    .set({ status: 'disabled', disabledReason: reason, updatedAt: c.now })
    .where(and(eq(accounts.personId, personId), ne(accounts.status, 'disabled')))
    .returning({ id: accounts.id });
  if (!row) return undefined;
  await c.tx.execute(sql`DELETE FROM auth.oidc_store WHERE payload->>'accountId' = ${row.id}`);
  c.audit({
    action: ACCOUNT_DISABLED,
    subject: { type: 'account', id: row.id },
    purpose: reason,
    after: { status: 'disabled' },
  });
  return row.id;
}

/** The active account linked to a person in the civil register, if they have one. */
export async function accountOfPerson(on: Queryable, personId: string): Promise<AccountRow | undefined> {
  const [row] = await on
    .select()
    .from(accounts)
    .where(and(eq(accounts.personId, personId), eq(accounts.status, 'active')));
  return row;
}

/** The account with this login (as stored: E.164 or lower-case e-mail), if any. */
export async function accountByLogin(kernel: Kernel, login: string): Promise<AccountRow | undefined> {
  const [row] = await kernel.db.orm.select().from(accounts).where(eq(accounts.login, login));
  return row;
}

export async function accountById(kernel: Kernel, id: string): Promise<AccountRow | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const [row] = await kernel.db.orm.select().from(accounts).where(eq(accounts.id, id));
  return row;
}
