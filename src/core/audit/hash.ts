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
