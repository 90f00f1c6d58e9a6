import { eq } from 'drizzle-orm';
import { actorSummary } from '../../core/actors/index.js';
import { type Tx, writeTogether } from '../../core/db/index.js';
import { type FieldError, fieldError, problems } from '../../core/http/index.js';
import { newId } from '../../core/ids/index.js';
import type { Change } from '../../core/kernel/index.js';
import { type Candidate, findCandidates, toMatchPerson } from './candidates.js';
import { type MatchKeys, matchKeys } from './matching/index.js';
import { type ParentInput, type Particulars, type PersonInput, validatePerson } from './person.js';
import { adjudications, type PersonRow, persons, personVersions } from './schema.js';
import type { IdentitySettings } from './settings.js';
import { validateUinInput } from './uin/index.js';
import { issuedUinInsert, takeUin } from './uin-pool.js';
import { type PersonView, personView } from './view.js';

export const PERSON_REGISTERED = 'identity.person.registered';
export const PERSON_PENDING = 'identity.person.pending-adjudication';

export interface Registration {
  person: PersonView;
  /** registered: a UIN was issued; pending: a possible duplicate waits for a registrar's decision. */
  outcome: 'registered' | 'pending';
  adjudicationId?: string;
  candidates: Candidate[];
}

interface ResolvedParent {
  id: string | null;
  name: string | null;
}

/** A parent given by UIN must be in the register; their name is then taken from it. */
async function resolveParent(
  tx: Tx,
  pointer: string,
  parent: ParentInput | null,
  errors: FieldError[],
): Promise<ResolvedParent> {
  if (!parent) return { id: null, name: null };
  if (parent.uin === undefined) return { id: null, name: parent.name?.trim() ?? null };
  const uin = validateUinInput(parent.uin);
  const [found] = uin.ok ? await tx.select().from(persons).where(eq(persons.uin, uin.uin)) : [];
  if (!found) {
    errors.push(fieldError(`${pointer}/uin`, 'uin-unknown', 'identity.error.uin-unknown'));
    return { id: null, name: null };
  }
  return { id: found.id, name: `${found.givenNames} ${found.surname}` };
}

/**
 * The columns that hold a person's particulars, matching keys included (they need the parents'
 * names as stored); shared by amendments.
 */
export function particularsColumns(
  p: Particulars,
  parents: { fatherName: string | null; motherName: string | null },
) {
  return {
    givenNames: p.givenNames,
    surname: p.surname,
    otherNames: p.otherNames,
    sex: p.sex,
    birthYear: p.birth.year,
    birthMonth: p.birth.month ?? null,
    birthDay: p.birth.day ?? null,
    birthDistrict: p.birthDistrict,
    birthVillage: p.birthVillage,
    citizenship: p.citizenship,
    phones: p.phones,
    addressDistrict: p.address?.district ?? null,
    addressConstituency: p.address?.constituency ?? null,
    addressVillage: p.address?.village ?? null,
    ...matchKeys({ ...p, ...parents }),
  };
}

/** The stored row for validated particulars, before the register decides its state. */
function personRow(
  id: string,
  p: Particulars,
  father: ResolvedParent,
  mother: ResolvedParent,
  now: Date,
): Omit<PersonRow, 'uin' | 'registerState'> & MatchKeys {
  return {
    id,
    version: 1,
    duplicateOf: null,
    deathDate: null,
    photoSha256: null,
    ...particularsColumns(p, { fatherName: father.name, motherName: mother.name }),
    fatherId: father.id,
    motherId: mother.id,
    fatherName: father.name,
    motherName: mother.name,
    vitalStatus: 'alive' as const,
    legacyId: p.legacyId,
    registeredAt: now,
    updatedAt: now,
  };
}

function versionOf(c: Change, row: PersonRow, event: string, reason: string | null) {
  return c.tx.insert(personVersions).values({
    personId: row.id,
    version: row.version,
    event,
    data: personView(row),
    changedAt: c.now,
    changedBy: actorSummary(c.actor),
    reason,
  });
}

/** Appends a version of the person to their history: nothing about a person is ever overwritten. */
export async function recordVersion(
  c: Change,
  row: PersonRow,
  event: string,
  reason: string | null,
): Promise<void> {
  await versionOf(c, row, event, reason);
}

/**
 * Stores a new person, their first version and (with a UIN) the UIN as issued in one statement:
 * round trips to the database are most of what a registration costs. `alone`: in the change's
 * last statement instead (see RegisterOptions).
 */
async function storeNewPerson(
  c: Change,
  row: PersonRow,
  event: string,
  reason: string | null,
  alone: boolean,
) {
  const writes = [
    c.tx.insert(persons).values(row).getSQL(),
    row.uin === null ? undefined : issuedUinInsert(row.uin, row.id, c.now),
    versionOf(c, row, event, reason).getSQL(),
  ];
  if (!alone) return writeTogether(c.tx, writes);
  for (const write of writes) if (write) c.write(write);
}

export interface RegisterOptions {
  /**
   * The registration is all its change does and nothing reads the new person back in it (a
   * births request): the person's rows then go in the change's last statement (Change.write), a
   * round trip fewer. Unset, they are written at once, so the rest of the change sees them: the
   * legacy import searches the register for each row of a batch among the rows before it, and
   * may record a death next.
   */
  alone?: boolean;
}

/**
 * Registers a person (a birth, or a late registration of someone not yet in the register). The
 * whole register is searched first: a likely duplicate, or anyone already holding the same legacy
 * national ID number, sends the registration to the adjudication queue without a UIN; otherwise a
 * UIN is issued from the pool at once.
 */
export async function registerPerson(
  c: Change,
  settings: IdentitySettings,
  input: PersonInput,
  reason: string | null = null,
  { alone = false }: RegisterOptions = {},
): Promise<Registration> {
  const checked = validatePerson(input, c.now);
  if (!checked.ok) throw problems.invalid(checked.errors);
  const p = checked.value;
  const errors: FieldError[] = [];
  const father = await resolveParent(c.tx, '/father', p.father, errors);
  const mother = await resolveParent(c.tx, '/mother', p.mother, errors);
  if (errors.length) throw problems.invalid(errors);

  const id = newId();
  const row = personRow(id, p, father, mother, c.now);
  const match = toMatchPerson({ ...p, fatherName: father.name, motherName: mother.name });
  const candidates = await findCandidates(c.tx, match, row, settings.reviewThreshold, {
    legacyId: p.legacyId,
  });

  if (candidates.length > 0) {
    const person: PersonRow = { ...row, uin: null, registerState: 'pending' };
    await storeNewPerson(c, person, 'registration-pending', reason, alone);
    const adjudicationId = await openAdjudication(c, person.id, candidates, alone);
    c.audit({
      action: PERSON_PENDING,
      subject: { type: 'person', id },
      purpose: reason ?? undefined,
      after: { adjudicationId },
    });
    c.publish({ topic: PERSON_PENDING, payload: { personId: id, adjudicationId } });
    return { person: personView(person), outcome: 'pending', adjudicationId, candidates };
  }

  const person: PersonRow = {
    ...row,
    uin: await takeUin(c.tx, settings.uinPolicy),
    registerState: 'registered',
  };
  await storeNewPerson(c, person, 'registered', reason, alone);
  c.audit({ action: PERSON_REGISTERED, subject: { type: 'person', id }, purpose: reason ?? undefined });
  c.publish({ topic: PERSON_REGISTERED, payload: { personId: id } });
  return { person: personView(person), outcome: 'registered', candidates: [] };
}

async function openAdjudication(
  c: Change,
  personId: string,
  candidates: Candidate[],
  alone: boolean,
): Promise<string> {
  const id = newId();
  const insert = c.tx
    .insert(adjudications)
    .values({ id, personId, candidates, state: 'open', createdAt: c.now });
  if (alone) c.write(insert.getSQL());
  else await insert;
  return id;
}
