import { type SQL, sql } from 'drizzle-orm';
import { type Database, type Queryable, rows, type Tx } from '../../core/db/index.js';
import { generateUin, type UinPolicy } from './uin/index.js';

/**
 * UINs are generated ahead of time into a pool, so issuing one is a single indexed delete.
 * Generation never repeats a number that was ever issued: issued_uins keeps every one for ever.
 */
export async function addToUinPool(on: Queryable, policy: UinPolicy, count: number): Promise<number> {
  const fresh = new Set<string>();
  while (fresh.size < count) fresh.add(generateUin(policy));
  const added = await rows<{ uin: string }>(
    on,
    sql`INSERT INTO identity.uin_pool (uin)
        SELECT value FROM jsonb_array_elements_text(${JSON.stringify([...fresh])}::jsonb) AS fresh(value)
        WHERE NOT EXISTS (SELECT 1 FROM identity.issued_uins i WHERE i.uin = fresh.value)
        ON CONFLICT DO NOTHING RETURNING uin`,
  );
  return added.length;
}

export async function uinPoolSize(db: Database): Promise<number> {
  const [row] = await db.query<{ n: string }>('SELECT count(*) AS n FROM identity.uin_pool');
  return Number(row?.n ?? 0);
}

/** Tops the pool up to `target` in batches, each its own short transaction. */
export async function fillUinPool(
  db: Database,
  policy: UinPolicy,
  target: number,
  batch = 5000,
): Promise<number> {
  let size = await uinPoolSize(db);
  let added = 0;
  while (size < target) {
    const n = await db.transaction((tx) => addToUinPool(tx, policy, Math.min(batch, target - size)));
    size += n;
    added += n;
  }
  return added;
}

/**
 * Takes one UIN out of the pool inside the caller's transaction (makes a few if the pool ran
 * dry). Record it with recordIssuedUin once the person row exists.
 */
export async function takeUin(tx: Tx, policy: UinPolicy): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [taken] = await rows<{ uin: string }>(
      tx,
      sql`DELETE FROM identity.uin_pool
          WHERE uin = (SELECT uin FROM identity.uin_pool LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING uin`,
    );
    if (taken) return taken.uin;
    await addToUinPool(tx, policy, 100);
  }
  throw new Error('could not take a UIN from the pool');
}

export async function recordIssuedUin(tx: Tx, uin: string, personId: string, now: Date): Promise<void> {
  await tx.execute(issuedUinInsert(uin, personId, now));
}

/** The statement recordIssuedUin runs, for a caller that sends it with other writes (register.ts). */
export const issuedUinInsert = (uin: string, personId: string, now: Date): SQL =>
  sql`INSERT INTO identity.issued_uins (uin, person_id, issued_at) VALUES (${uin}, ${personId}, ${now})`;
