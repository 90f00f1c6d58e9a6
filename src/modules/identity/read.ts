import { and, asc, desc, eq, gte, lte, sql } from 'drizzle-orm';
import type { Change } from '../../core/kernel/index.js';
import { personById, personByUin } from './lookup.js';
import { normaliseName } from './matching/index.js';
import { formatBirthDate, parseBirthDate } from './person.js';
import { type PersonRow, persons, personVersions } from './schema.js';
import { validateUinInput } from './uin/index.js';
import { birthOf, type PersonView, personView } from './view.js';

export const PERSON_READ = 'identity.person.read';
export const PERSON_SEARCHED = 'identity.person.searched';
export const CLAIMS_VERIFIED = 'identity.claims.verified';

/** Every read of a person's record is audited with who and why. */
export async function readPerson(c: Change, id: string, purpose: string): Promise<PersonView> {
  const person = await personById(c.tx, id);
  c.audit({ action: PERSON_READ, subject: { type: 'person', id }, purpose });
  return personView(person);
}

export async function readPersonByUin(c: Change, uin: string, purpose: string): Promise<PersonView> {
  const person = await personByUin(c.tx, uin);
  c.audit({ action: PERSON_READ, subject: { type: 'person', id: person.id }, purpose });
  return personView(person);
}

export interface HistoryEntry {
  version: number;
  event: string;
  changedAt: string;
  changedBy: Record<string, unknown>;
  reason: string | null;
  data: PersonView;
}

export async function personHistory(c: Change, id: string, purpose: string): Promise<HistoryEntry[]> {
  await personById(c.tx, id);
  const versions = await c.tx
    .select()
    .from(personVersions)
    .where(eq(personVersions.personId, id))
    .orderBy(asc(personVersions.version));
  c.audit({ action: PERSON_READ, subject: { type: 'person', id }, purpose, after: { history: true } });
  return versions.map((v) => ({
    version: v.version,
    event: v.event,
    changedAt: new Date(v.changedAt).toISOString(),
    changedBy: v.changedBy as Record<string, unknown>,
    reason: v.reason,
    data: v.data as PersonView,
  }));
}

export interface PersonSearch {
  surname: string;
  givenNames?: string;
  birthYear?: number;
  district?: string;
}

/**
 * Staff search by name, tolerant of spelling (Sesotho normalisation plus trigram similarity),
 * best matches first. The search itself is audited: who looked for whom, and why.
 */
export async function searchPersons(c: Change, query: PersonSearch, purpose: string): Promise<PersonView[]> {
  const surname = normaliseName(query.surname);
  const given = query.givenNames ? normaliseName(query.givenNames) : undefined;
  const rank = given
    ? sql`similarity(${persons.normSurname}, ${surname}) + similarity(${persons.normGiven}, ${given})`
    : sql`similarity(${persons.normSurname}, ${surname})`;
  const found = await c.tx
    .select()
    .from(persons)
    .where(
      and(
        sql`${persons.normSurname} % ${surname}`,
        query.birthYear ? gte(persons.birthYear, query.birthYear - 1) : undefined,
        query.birthYear ? lte(persons.birthYear, query.birthYear + 1) : undefined,
        query.district ? eq(persons.birthDistrict, query.district) : undefined,
      ),
    )
    .orderBy(desc(rank))
    .limit(20);
  c.audit({
    action: PERSON_SEARCHED,
    subject: { type: 'person-search', id: 'register' },
    purpose,
    after: { query, results: found.map((p) => p.id) },
  });
  return found.map(personView);
}

export interface Claims {
  uin: string;
  givenNames?: string;
  surname?: string;
  dateOfBirth?: string;
}

/**
 * "Does this name and date of birth belong to this UIN?" — yes or no, never the record. Names are
 * compared after normalisation (so Mots'elisi matches Motselisi); a date matches only at the
 * precision the register holds. A deceased person's claims do not verify.
 */
export async function verifyClaims(c: Change, claims: Claims, purpose: string): Promise<{ match: boolean }> {
  const person = await personByUin(c.tx, claims.uin);
  const match = claimsMatch(person, claims);
  c.audit({
    action: CLAIMS_VERIFIED,
    subject: { type: 'person', id: person.id },
    purpose,
    after: { claims: Object.keys(claims).filter((k) => k !== 'uin'), match },
  });
  return { match };
}

function claimsMatch(person: PersonRow, claims: Claims): boolean {
  const sameName = (claimed: string | undefined, held: string) =>
    claimed === undefined || normaliseName(claimed) === normaliseName(held);
  const claimedBirth = claims.dateOfBirth === undefined ? undefined : parseBirthDate(claims.dateOfBirth);
  const sameBirth =
    claimedBirth === undefined ||
    (claimedBirth.ok && formatBirthDate(claimedBirth.date) === formatBirthDate(birthOf(person)));
  return (
    person.registerState === 'registered' &&
    person.vitalStatus === 'alive' &&
    sameName(claims.givenNames, person.givenNames) &&
    sameName(claims.surname, person.surname) &&
    sameBirth
  );
}

/**
 * For linking a login account to the register: whether the claims (all three required) match
 * the UIN and, only then, the person's id and the phone numbers the register holds, to send a
 * one-time code to. Never the record: the caller shows the person none of it. An unknown UIN is
 * no match, like a wrong name, so the answer does not tell which UINs exist.
 */
export async function registryContactForLinking(
  c: Change,
  claims: Required<Claims>,
  purpose: string,
): Promise<{ match: false } | { match: true; personId: string; phones: string[] }> {
  const checked = validateUinInput(claims.uin);
  const [person] = checked.ok ? await c.tx.select().from(persons).where(eq(persons.uin, checked.uin)) : [];
  const match = person !== undefined && claimsMatch(person, claims);
  c.audit({
    action: CLAIMS_VERIFIED,
    subject: { type: 'person', id: person?.id ?? 'unknown' },
    purpose,
    after: { claims: ['givenNames', 'surname', 'dateOfBirth'], match, forLinking: true },
  });
  return match ? { match, personId: person.id, phones: person.phones } : { match: false };
}
