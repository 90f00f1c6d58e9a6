import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { problems } from '../../core/http/index.js';
import type { Change } from '../../core/kernel/index.js';
import { personById } from './lookup.js';
import { sectorTokens } from './schema.js';
import { isSectorName, parseSectorToken, sectorToken } from './tokens/index.js';

export const SECTOR_TOKEN_RESOLVED = 'identity.sector-token.resolved';

/**
 * Master keys for sector tokens, one per key version, kept in DATA_DIR/keys (mode 0600) and made
 * on first use. Losing a key means its tokens can no longer be issued again for the same people:
 * back the keys folder up (`mmuso backup` includes it).
 */
export function sectorMasterKey(dataDir: string, version: number): Buffer {
  const file = path.join(dataDir, 'keys', `sector-tokens.v${version}.key`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
}

export interface SectorKeys {
  dataDir: string;
  version: number;
}

/**
 * The token a sector knows a person by, made on first request and remembered so it can be
 * resolved later. The same person always gets the same token in a sector (for a key version).
 */
export async function sectorTokenFor(
  c: Change,
  keys: SectorKeys,
  personId: string,
  sector: string,
): Promise<string> {
  if (!isSectorName(sector)) throw new RangeError(`not a sector name: ${sector}`);
  const [known] = await c.tx
    .select({ token: sectorTokens.token })
    .from(sectorTokens)
    .where(
      and(
        eq(sectorTokens.sector, sector),
        eq(sectorTokens.keyVersion, keys.version),
        eq(sectorTokens.personId, personId),
      ),
    );
  if (known) return known.token;
  const person = await personById(c.tx, personId);
  if (!person.uin) throw problems.conflict('This person has no UIN yet.');
  const token = sectorToken(sectorMasterKey(keys.dataDir, keys.version), sector, keys.version, person.uin);
  await c.tx
    .insert(sectorTokens)
    .values({ sector, keyVersion: keys.version, token, personId, createdAt: c.now })
    .onConflictDoNothing();
  return token;
}

/**
 * The person behind a sector token, for a caller authorised for that sector only. Audited: a
 * resolution is a disclosure.
 */
export async function resolveSectorToken(c: Change, sector: string, token: string, purpose: string) {
  if (!isSectorName(sector) || !parseSectorToken(token)) throw problems.notFound();
  const [mapping] = await c.tx
    .select({ personId: sectorTokens.personId })
    .from(sectorTokens)
    .where(and(eq(sectorTokens.sector, sector), eq(sectorTokens.token, token)));
  if (!mapping) throw problems.notFound();
  const person = await personById(c.tx, mapping.personId);
  c.audit({
    action: SECTOR_TOKEN_RESOLVED,
    subject: { type: 'person', id: person.id },
    purpose,
    after: { sector },
  });
  return person;
}
