import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';

/** RFC 8785 JSON canonicalisation (the package is CommonJS, so its default export is the function). */
export const canonicalJson = canonicalizeModule as unknown as (value: unknown) => string | undefined;

export const GENESIS_HASH = '0'.repeat(64);

/** What is hashed: everything about an entry except its position (links, not numbers, order the chain). */
export interface ChainedEntry {
  id: string;
  at: string;
  actor: unknown;
  action: string;
  subject: unknown;
  purpose: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  prevHash: string;
}

/** SHA-256 over the RFC 8785 canonical JSON of the entry, which includes the previous hash. */
export function hashEntry(entry: ChainedEntry): string {
  const text = canonicalJson(entry);
  if (text === undefined) throw new Error('audit entry cannot be canonicalised');
  return createHash('sha256').update(text).digest('hex');
}

/** An entry as the database returns it. */
export interface StoredEntry {
  id: string;
  at: Date | string;
  actor: unknown;
  action: string;
  subject: unknown;
  purpose: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  prev_hash: string;
}

/** The hash a stored entry should have, recomputed from its columns. */
export function hashStoredEntry(row: StoredEntry): string {
  return hashEntry({
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    subject: row.subject,
    purpose: row.purpose,
    before: row.before,
    after: row.after,
    requestId: row.request_id,
    prevHash: row.prev_hash,
  });
}
