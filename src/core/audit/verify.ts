import { sql } from 'drizzle-orm';
import type { JWK } from 'jose';
import { type Database, rows } from '../db/index.js';
import { loadCheckpoints } from './checkpoint.js';
import { GENESIS_HASH, hashStoredEntry, type StoredEntry } from './hash.js';

export type AuditProblemKind = 'edited' | 'removed' | 'inserted' | 'reordered' | 'truncated' | 'checkpoint';

export interface AuditProblem {
  kind: AuditProblemKind;
  seq: number;
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  checkpoints: number;
  problems: AuditProblem[];
}

interface EntryRow extends StoredEntry {
  seq: string;
  hash: string;
}

const PAGE = 5000;

/**
 * Walks the chain in order and names each entry that was edited, removed, inserted or moved, and
 * a tail cut off after the last signed checkpoint. Reads page by page: the log can be large.
 */
export async function verifyAudit(
  db: Database,
  options: { dataDir: string; publicKeys: readonly JWK[] },
): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  const checkpoints = await loadCheckpoints(db, options.dataDir, options.publicKeys);
  const checkpointSeqs = new Set(checkpoints.map((c) => c.checkpoint.seq));
  const hashAtCheckpoint = new Map<number, string>();
  const explained = new Set<number>();
  /** Hashes next to a reported move: a later entry linking to one of them breaks because of that move. */
  const movedLinks = new Set<string>();
  const seqOfHash = async (hash: string) => {
    const [found] = await rows<{ seq: string }>(
      db.orm,
      sql`SELECT seq FROM audit.entries WHERE hash = ${hash}`,
    );
    return found ? Number(found.seq) : undefined;
  };

  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const page = await rows<EntryRow>(
      db.orm,
      sql`SELECT * FROM audit.entries WHERE seq >= ${expectedSeq} ORDER BY seq LIMIT ${PAGE}`,
    );
    for (const row of page) {
      const seq = Number(row.seq);
      count += 1;
      if (seq !== expectedSeq) {
        const missing =
          seq - expectedSeq === 1 ? `entry ${expectedSeq} is` : `entries ${expectedSeq}-${seq - 1} are`;
        problems.push({ kind: 'removed', seq: expectedSeq, detail: `${missing} missing from the log` });
      }
      const computed = hashStoredEntry(row);
      if (computed !== row.hash) {
        problems.push({
          kind: 'edited',
          seq,
          detail: `entry ${seq} was edited: its content no longer matches its hash`,
        });
      } else if (row.prev_hash !== prevHash && seq === expectedSeq) {
        if (explained.has(seq) || movedLinks.has(row.prev_hash)) {
          // Displaced by a move already reported; its neighbours' links broke with it.
          movedLinks.add(prevHash).add(row.hash);
        } else {
          const problem = await classifyBreak(seq, row.prev_hash, seqOfHash, explained);
          if (problem.kind === 'reordered') movedLinks.add(prevHash).add(row.hash);
          problems.push(problem);
        }
      }
      if (checkpointSeqs.has(seq)) hashAtCheckpoint.set(seq, row.hash);
      prevHash = row.hash;
      expectedSeq = seq + 1;
    }
    if (page.length < PAGE) break;
  }

  const lastSeq = expectedSeq - 1;
  for (const { checkpoint, source, valid } of checkpoints) {
    if (!valid) {
      problems.push({
        kind: 'checkpoint',
        seq: checkpoint.seq,
        detail: `the ${source} checkpoint at entry ${checkpoint.seq} has an invalid signature`,
      });
    } else if (checkpoint.seq > lastSeq) {
      problems.push({
        kind: 'truncated',
        seq: lastSeq + 1,
        detail: `the log ends at entry ${lastSeq} but a signed checkpoint (${source}) records ${checkpoint.seq} entries: entries ${lastSeq + 1}-${checkpoint.seq} were cut off`,
      });
    } else if (hashAtCheckpoint.get(checkpoint.seq) !== checkpoint.hash) {
      problems.push({
        kind: 'checkpoint',
        seq: checkpoint.seq,
        detail: `entry ${checkpoint.seq} differs from the signed ${source} checkpoint`,
      });
    }
  }
  const unique = dedupe(problems);
  return { ok: unique.length === 0, entries: count, checkpoints: checkpoints.length, problems: unique };
}

/** The entry at `seq` does not link to the one before it: say what most likely happened. */
async function classifyBreak(
  seq: number,
  linksTo: string,
  seqOfHash: (hash: string) => Promise<number | undefined>,
  explained: Set<number>,
): Promise<AuditProblem> {
  const predecessor = await seqOfHash(linksTo);
  if (predecessor === undefined) {
    return {
      kind: 'removed',
      seq,
      detail: `entry ${seq} links to an entry that is no longer in the log: an entry before ${seq} was removed (or entry ${seq - 1} was rewritten)`,
    };
  }
  if (predecessor > seq) {
    explained.add(predecessor);
    return {
      kind: 'reordered',
      seq,
      detail: `entry ${seq} belongs after entry ${predecessor}: entries were reordered`,
    };
  }
  const extra =
    predecessor === seq - 2 ? `entry ${seq - 1} was` : `entries ${predecessor + 1}-${seq - 1} were`;
  return {
    kind: 'inserted',
    seq: predecessor + 1,
    detail: `${extra} inserted: entry ${seq} links to entry ${predecessor}`,
  };
}

function dedupe(problems: AuditProblem[]): AuditProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.kind}:${p.seq}:${p.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
