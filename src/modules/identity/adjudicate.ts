import { eq } from 'drizzle-orm';
import type { Queryable } from '../../core/db/index.js';
import { fieldError, problems } from '../../core/http/index.js';
import type { Change } from '../../core/kernel/index.js';
import type { Candidate } from './candidates.js';
import { personById } from './lookup.js';
import { recordVersion } from './register.js';
import { adjudications, type PersonRow, persons } from './schema.js';
import type { IdentitySettings } from './settings.js';
import { recordIssuedUin, takeUin } from './uin-pool.js';
import { type PersonView, personView } from './view.js';

export const ADJUDICATED_SAME = 'identity.adjudication.same-person';
export const ADJUDICATED_DIFFERENT = 'identity.adjudication.different-person';

export interface Adjudication {
  id: string;
  personId: string;
  candidates: Candidate[];
  state: 'open' | 'same' | 'different';
  linkedTo: string | null;
  createdAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

type Row = typeof adjudications.$inferSelect;

export function adjudicationView(row: Row): Adjudication {
  return {
    id: row.id,
    personId: row.personId,
    candidates: row.candidates as Candidate[],
    state: row.state,
    linkedTo: row.linkedTo,
    createdAt: new Date(row.createdAt).toISOString(),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt ? new Date(row.decidedAt).toISOString() : null,
    decisionReason: row.decisionReason,
  };
}

export type Decision = { decision: 'same'; personId: string } | { decision: 'different' };

/**
 * A registrar decides a possible duplicate: "same person" links the new record to the one in the
 * register and issues nothing; "different" issues the new person a UIN.
 */
export async function decideAdjudication(
  c: Change,
  settings: IdentitySettings,
  id: string,
  decision: Decision,
  reason: string,
): Promise<{ adjudication: Adjudication; person: PersonView }> {
  const [row] = await c.tx.select().from(adjudications).where(eq(adjudications.id, id)).for('update');
  if (!row) throw problems.notFound();
  if (row.state !== 'open') throw problems.conflict('This case has already been decided.');
  const person = await personById(c.tx, row.personId, true);
  const candidates = row.candidates as Candidate[];

  let change: Partial<PersonRow>;
  let linkedTo: string | null = null;
  if (decision.decision === 'same') {
    if (!candidates.some((k) => k.personId === decision.personId)) {
      throw problems.invalid([fieldError('/personId', 'candidate', 'identity.error.candidate')]);
    }
    linkedTo = decision.personId;
    change = { registerState: 'duplicate', duplicateOf: linkedTo };
  } else {
    change = { registerState: 'registered', uin: await takeUin(c.tx, settings.uinPolicy) };
  }
  const [updated] = await c.tx
    .update(persons)
    .set({ ...change, version: person.version + 1, updatedAt: c.now })
    .where(eq(persons.id, person.id))
    .returning();
  const after = updated as PersonRow;
  if (after.uin && decision.decision === 'different') await recordIssuedUin(c.tx, after.uin, after.id, c.now);
  await recordVersion(
    c,
    after,
    decision.decision === 'same' ? 'linked-as-duplicate' : 'registered-after-review',
    reason,
  );
  const [decided] = await c.tx
    .update(adjudications)
    .set({
      state: decision.decision,
      linkedTo,
      decidedBy: c.actor.id,
      decidedAt: c.now,
      decisionReason: reason,
    })
    .where(eq(adjudications.id, id))
    .returning();
  const action = decision.decision === 'same' ? ADJUDICATED_SAME : ADJUDICATED_DIFFERENT;
  c.audit({ action, subject: { type: 'person', id: person.id }, purpose: reason, after: { linkedTo } });
  c.publish({ topic: action, payload: { personId: person.id, linkedTo } });
  return { adjudication: adjudicationView(decided as Row), person: personView(after) };
}

/** The queue registrars work through, oldest first. */
export async function openAdjudications(on: Queryable, limit = 50): Promise<Adjudication[]> {
  const found = await on
    .select()
    .from(adjudications)
    .where(eq(adjudications.state, 'open'))
    .orderBy(adjudications.createdAt)
    .limit(limit);
  return found.map(adjudicationView);
}
