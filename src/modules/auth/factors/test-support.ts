import type { TestKernel } from '../../../../test/support/kernel.js';
import { anonymous } from '../../../core/actors/index.js';
import { newId } from '../../../core/ids/index.js';
import { type Change, change } from '../../../core/kernel/index.js';

/**
 * Fixtures for the factor tests. Accounts are inserted directly with the columns 0004_auth.sql
 * requires, so these tests do not depend on the account code being built beside them.
 */
let serial = 0;

/** A citizen account whose login is a Lesotho mobile number of its own. */
export async function createAccount(t: TestKernel, login?: string) {
  serial += 1;
  login ??= `+2665${String(process.pid % 1000).padStart(3, '0')}${String(serial).padStart(4, '0')}`;
  const id = newId();
  await t.kernel.db.query(
    `INSERT INTO auth.accounts (id, kind, login, login_kind, password_hash, created_at, updated_at)
     VALUES ($1, 'citizen', $2, 'phone', 'not-a-hash', now(), now())`,
    [id, login],
  );
  return { id, login };
}

/** Runs a change as the anonymous sign-in actor would. */
export function act<T>(t: TestKernel, fn: (c: Change) => Promise<T>): Promise<T> {
  return change(t.kernel, { actor: anonymous }, fn);
}

export interface AuditRow {
  action: string;
  after: Record<string, unknown> | null;
  text: string;
}

/** The account's audit entries, oldest first, each also as raw JSON text to search for leaks. */
export async function auditOf(t: TestKernel, accountId: string): Promise<AuditRow[]> {
  return t.kernel.db.query<AuditRow>(
    `SELECT action, after, to_jsonb(e)::text AS text FROM audit.entries e
     WHERE subject->>'id' = $1 ORDER BY seq`,
    [accountId],
  );
}
