import { eq } from 'drizzle-orm';
import { fieldError, HttpProblem, problems } from '../../core/http/index.js';
import { newId } from '../../core/ids/index.js';
import type { Change } from '../../core/kernel/index.js';
import { personById } from './lookup.js';
import { formatBirthDate, type Particulars, type PersonInput, validatePerson } from './person.js';
import { particularsColumns, recordVersion } from './register.js';
import { amendments, type PersonRow, persons } from './schema.js';
import { birthOf, type PersonView, personView } from './view.js';

export const AMENDMENT_PROPOSED = 'identity.amendment.proposed';
export const AMENDMENT_APPROVED = 'identity.amendment.approved';
export const AMENDMENT_REJECTED = 'identity.amendment.rejected';

/** What an amendment may change: the particulars a registrar can prove wrong or changed. */
export type AmendableFields = Partial<
  Pick<
    PersonInput,
    | 'givenNames'
    | 'surname'
    | 'otherNames'
    | 'sex'
    | 'dateOfBirth'
    | 'placeOfBirth'
    | 'citizenship'
    | 'phones'
    | 'address'
  >
>;
export type AmendmentKind = 'correction' | 'name-change';
const NAME_FIELDS = new Set(['givenNames', 'surname', 'otherNames']);

export interface Amendment {
  id: string;
  personId: string;
  kind: AmendmentKind;
  changes: AmendableFields;
  reason: string;
  state: 'proposed' | 'approved' | 'rejected';
  proposedBy: string;
  proposedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
}

type AmendmentRow = typeof amendments.$inferSelect;

function amendmentView(row: AmendmentRow): Amendment {
  return {
    id: row.id,
    personId: row.personId,
    kind: row.kind,
    changes: row.changes as AmendableFields,
    reason: row.reason,
    state: row.state,
    proposedBy: row.proposedBy,
    proposedAt: new Date(row.proposedAt).toISOString(),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt ? new Date(row.decidedAt).toISOString() : null,
    decisionReason: row.decisionReason,
  };
}

function currentInput(row: PersonRow): PersonInput {
  return {
    givenNames: row.givenNames,
    surname: row.surname,
    ...(row.otherNames ? { otherNames: row.otherNames } : {}),
    sex: row.sex,
    dateOfBirth: formatBirthDate(birthOf(row)),
    placeOfBirth: {
      district: row.birthDistrict ?? '',
      ...(row.birthVillage ? { village: row.birthVillage } : {}),
    },
    citizenship: row.citizenship,
    phones: row.phones,
    ...(row.addressDistrict
      ? {
          address: {
            district: row.addressDistrict,
            ...(row.addressConstituency ? { constituency: row.addressConstituency } : {}),
            ...(row.addressVillage ? { village: row.addressVillage } : {}),
          },
        }
      : {}),
  };
}

/** The person's particulars with the changes applied, validated like a new registration. */
function amended(row: PersonRow, changes: AmendableFields, now: Date): Particulars {
  const checked = validatePerson({ ...currentInput(row), ...changes }, now);
  if (!checked.ok) {
    throw problems.invalid(checked.errors.map((e) => ({ ...e, pointer: `/changes${e.pointer}` })));
  }
  return checked.value;
}

/** The maker's step: a registrar proposes a correction or a name change, with the reason. */
export async function proposeAmendment(
  c: Change,
  personId: string,
  kind: AmendmentKind,
  changes: AmendableFields,
  reason: string,
): Promise<Amendment> {
  const person = await personById(c.tx, personId);
  const fields = Object.keys(changes);
  if (fields.length === 0)
    throw problems.invalid([fieldError('/changes', 'no-change', 'identity.error.no-change')]);
  if (kind === 'name-change') {
    const other = fields.find((f) => !NAME_FIELDS.has(f));
    if (other)
      throw problems.invalid([fieldError(`/changes/${other}`, 'not-a-name', 'identity.error.no-change')]);
  }
  amended(person, changes, c.now);
  const [row] = await c.tx
    .insert(amendments)
    .values({
      id: newId(),
      personId,
      kind,
      changes,
      reason,
      state: 'proposed',
      proposedBy: c.actor.id,
      proposedAt: c.now,
    })
    .returning();
  const amendment = amendmentView(row as AmendmentRow);
  c.audit({
    action: AMENDMENT_PROPOSED,
    subject: { type: 'person', id: personId },
    purpose: reason,
    after: amendment,
  });
  return amendment;
}

async function openAmendment(c: Change, id: string): Promise<AmendmentRow> {
  const [row] = await c.tx.select().from(amendments).where(eq(amendments.id, id)).for('update');
  if (!row) throw problems.notFound();
  if (row.state !== 'proposed') throw problems.conflict('This amendment has already been decided.');
  // Maker-checker: the person who proposed a change to the register cannot also approve it.
  if (row.proposedBy === c.actor.id) {
    throw new HttpProblem(403, 'maker-checker', 'problem.forbidden', {
      detail: 'identity.error.own-approval',
    });
  }
  return row;
}

/** Records the checker's decision on the amendment itself. */
async function decide(
  c: Change,
  id: string,
  state: 'approved' | 'rejected',
  decisionReason: string | null,
): Promise<AmendmentRow> {
  const [decided] = await c.tx
    .update(amendments)
    .set({ state, decidedBy: c.actor.id, decidedAt: c.now, decisionReason })
    .where(eq(amendments.id, id))
    .returning();
  return decided as AmendmentRow;
}

/** The checker's step: a second registrar approves, and the person gets a new version. */
export async function approveAmendment(
  c: Change,
  id: string,
  decisionReason: string | null,
): Promise<{ amendment: Amendment; person: PersonView }> {
  const row = await openAmendment(c, id);
  const person = await personById(c.tx, row.personId, true);
  const p = amended(person, row.changes as AmendableFields, c.now);
  const [updated] = await c.tx
    .update(persons)
    .set({
      ...particularsColumns(p, person),
      version: person.version + 1,
      updatedAt: c.now,
    })
    .where(eq(persons.id, person.id))
    .returning();
  const after = updated as PersonRow;
  await recordVersion(c, after, row.kind === 'name-change' ? 'name-changed' : 'corrected', row.reason);
  const decided = await decide(c, id, 'approved', decisionReason);
  c.audit({
    action: AMENDMENT_APPROVED,
    subject: { type: 'person', id: person.id },
    purpose: row.reason,
    before: personView(person),
    after: personView(after),
  });
  c.publish({ topic: AMENDMENT_APPROVED, payload: { personId: person.id, amendmentId: id } });
  return { amendment: amendmentView(decided), person: personView(after) };
}

export async function rejectAmendment(c: Change, id: string, decisionReason: string): Promise<Amendment> {
  const row = await openAmendment(c, id);
  const decided = await decide(c, id, 'rejected', decisionReason);
  c.audit({
    action: AMENDMENT_REJECTED,
    subject: { type: 'person', id: row.personId },
    purpose: decisionReason,
  });
  return amendmentView(decided);
}
