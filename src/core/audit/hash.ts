import { createHash, randomBytes } from 'node:crypto';
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

/** Stands in for the previous hash while an entry is cut: random, so no content contains it. */
const PLACEHOLDER = randomBytes(32).toString('hex');

/**
 * The canonical JSON of an entry cut where its previous hash goes: hashEntry(entry) is the
 * SHA-256 of head + prevHash + tail. The link is then made where the previous hash is known:
 * in the database, under the chain lock (audit.append, migrations/0050_audit_append.sql).
 */
export function cutEntry(entry: Omit<ChainedEntry, 'prevHash'>): { head: string; tail: string } {
  const text = canonicalJson({ ...entry, prevHash: PLACEHOLDER });
  const cut = text?.indexOf(PLACEHOLDER) ?? -1;
  if (text === undefined || cut < 0) throw new Error('audit entry cannot be canonicalised');
  return { head: text.slice(0, cut), tail: text.slice(cut + PLACEHOLDER.length) };
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
