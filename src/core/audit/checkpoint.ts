import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import type { Clock } from '../clock/index.js';
import { type Database, rows } from '../db/index.js';
import type { SigningKey } from '../keys/index.js';

/**
 * A signed statement "the chain had N entries ending in hash H". A copy lives outside the
 * database (DATA_DIR/audit/checkpoints.jsonl), so cutting off the newest entries — which leaves
 * a chain that is internally consistent — is still detected.
 */
export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  /** Compact JWS (EdDSA) over {seq, hash, at}. */
  signature: string;
}

export function checkpointFile(dataDir: string): string {
  return path.join(dataDir, 'audit', 'checkpoints.jsonl');
}

/** Signs the current head if it moved since the last checkpoint; returns what it wrote. */
export async function writeCheckpoint(
  db: Database,
  key: SigningKey,
  clock: Clock,
  dataDir: string,
): Promise<Checkpoint | undefined> {
  const [head] = await db.query<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit.entries ORDER BY seq DESC LIMIT 1',
  );
  if (!head) return undefined;
  const [last] = await db.query<{ seq: string }>(
    'SELECT seq FROM audit.checkpoints ORDER BY seq DESC LIMIT 1',
  );
  if (last && Number(last.seq) >= Number(head.seq)) return undefined;
  const claim = { seq: Number(head.seq), hash: head.hash, at: clock.now().toISOString() };
  const signature = await new CompactSign(new TextEncoder().encode(JSON.stringify(claim)))
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .sign(key.privateKey);
  const checkpoint: Checkpoint = { ...claim, keyId: key.kid, signature };
  await db.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO audit.checkpoints (seq, hash, at, key_id, signature)
      VALUES (${checkpoint.seq}, ${checkpoint.hash}, ${checkpoint.at}, ${checkpoint.keyId}, ${checkpoint.signature})
      ON CONFLICT (seq) DO NOTHING`);
  });
  const file = checkpointFile(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, `${JSON.stringify(checkpoint)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return checkpoint;
}

/** Checkpoints from the database and from the file, each signature checked. */
export async function loadCheckpoints(
  db: Database,
  dataDir: string,
  publicKeys: readonly JWK[],
): Promise<{ checkpoint: Checkpoint; source: 'database' | 'file'; valid: boolean }[]> {
  const fromDb = (
    await rows<{ seq: string; hash: string; at: Date; key_id: string; signature: string }>(
      db.orm,
      sql`SELECT seq, hash, at, key_id, signature FROM audit.checkpoints ORDER BY seq`,
    )
  ).map((r) => ({
    checkpoint: {
      seq: Number(r.seq),
      hash: r.hash,
      at: new Date(r.at).toISOString(),
      keyId: r.key_id,
      signature: r.signature,
    },
    source: 'database' as const,
  }));
  const file = checkpointFile(dataDir);
  const fromFile = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => ({ checkpoint: JSON.parse(line) as Checkpoint, source: 'file' as const }))
    : [];
  const out = [];
  for (const item of [...fromDb, ...fromFile]) {
    out.push({ ...item, valid: await signatureValid(item.checkpoint, publicKeys) });
  }
  return out;
}

async function signatureValid(checkpoint: Checkpoint, publicKeys: readonly JWK[]): Promise<boolean> {
  const jwk = publicKeys.find((k) => k.kid === checkpoint.keyId);
  if (!jwk) return false;
  try {
    const { payload } = await compactVerify(checkpoint.signature, await importJWK(jwk, 'EdDSA'));
    const claim = JSON.parse(new TextDecoder().decode(payload)) as { seq: number; hash: string; at: string };
    return claim.seq === checkpoint.seq && claim.hash === checkpoint.hash && claim.at === checkpoint.at;
  } catch {
    return false;
  }
}
