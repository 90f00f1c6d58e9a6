import { eq } from 'drizzle-orm';
import { fieldError, problems } from '../../core/http/index.js';
import type { Change } from '../../core/kernel/index.js';
import { personByUin } from './lookup.js';
import { earliestDay, parseBirthDate } from './person.js';
import { recordVersion } from './register.js';
import { type PersonRow, persons } from './schema.js';
import { birthOf, type PersonView, personView } from './view.js';

export const PERSON_DIED = 'identity.person.died';

export interface DeathInput {
  uin: string;
  dateOfDeath: string;
  placeOfDeath?: { district?: string; village?: string };
}

/**
 * Registers a death: the person is marked deceased (a new version) and every module that acts on
 * a death hears of it — the login account is disabled, for one.
 */
export async function registerDeath(
  c: Change,
  input: DeathInput,
  reason: string | null = null,
): Promise<PersonView> {
  const person = await personByUin(c.tx, input.uin, '/uin', true);
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
