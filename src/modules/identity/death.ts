import { eq } from 'drizzle-orm';
import { fieldError, problems } from '../../core/http/index.js';
import type { Change } from '../../core/kernel/index.js';
import { personById, personByUin } from './lookup.js';
import { earliestDay, parseBirthDate } from './person.js';
import { recordVersion } from './register.js';
import { type PersonRow, persons } from './schema.js';
import { birthOf, type PersonView, personView } from './view.js';

export const PERSON_DIED = 'identity.person.died';

/** The person by UIN, or by their record id (a person without a UIN yet). */
export interface DeathInput {
  uin?: string;
  personId?: string;
  dateOfDeath: string;
  placeOfDeath?: { district?: string; village?: string };
}

async function deceased(c: Change, input: DeathInput): Promise<PersonRow> {
  if ((input.uin === undefined) === (input.personId === undefined)) {
    throw problems.invalid([fieldError('/uin', 'uin-or-person', 'identity.error.uin-or-person')]);
  }
  if (input.uin !== undefined) return personByUin(c.tx, input.uin, '/uin', true);
  const person = await personById(c.tx, input.personId as string, true);
  // Which record the death belongs to is not settled yet: recording it on a record that may turn
  // out to be a duplicate would leave the real record alive. The registrar decides first.
  if (person.registerState === 'pending') {
    throw problems.invalid([fieldError('/personId', 'person-pending', 'identity.error.death-pending')]);
  }
  if (person.registerState === 'duplicate') {
    throw problems.invalid([fieldError('/personId', 'person-duplicate', 'identity.error.death-duplicate')]);
  }
  return person;
}

/**
 * Registers a death: the person is marked deceased (a new version) and every module that acts on
 * a death hears of it — the login account is disabled, for one. Refused (422) for a person whose
 * registration waits for a duplicate decision, or who was linked as a duplicate of another.
 */
export async function registerDeath(
  c: Change,
  input: DeathInput,
  reason: string | null = null,
): Promise<PersonView> {
  const person = await deceased(c, input);
  const date = parseBirthDate(input.dateOfDeath);
  if (!date.ok || date.date.day === undefined) {
    throw problems.invalid([fieldError('/dateOfDeath', 'date-format', 'identity.error.date-format')]);
  }
  const day = input.dateOfDeath.trim();
  if (day > c.now.toISOString().slice(0, 10)) {
    throw problems.invalid([fieldError('/dateOfDeath', 'future', 'identity.error.death-future')]);
  }
  if (day < earliestDay(birthOf(person))) {
    throw problems.invalid([fieldError('/dateOfDeath', 'before-birth', 'identity.error.death-before-birth')]);
  }
  if (person.vitalStatus === 'deceased')
    throw problems.conflict('This person is already recorded as deceased.');

  const [updated] = await c.tx
    .update(persons)
    .set({ vitalStatus: 'deceased', deathDate: day, version: person.version + 1, updatedAt: c.now })
    .where(eq(persons.id, person.id))
    .returning();
  const after = updated as PersonRow;
  await recordVersion(c, after, 'death-registered', reason);
  c.audit({
    action: PERSON_DIED,
    subject: { type: 'person', id: person.id },
    purpose: reason ?? undefined,
    before: { vitalStatus: person.vitalStatus },
    after: { vitalStatus: 'deceased', dateOfDeath: day, placeOfDeath: input.placeOfDeath ?? null },
  });
  c.publish({ topic: PERSON_DIED, payload: { personId: person.id, dateOfDeath: day } });
  return personView(after);
}
