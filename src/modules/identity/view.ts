import { type BirthPrecision, birthPrecision, formatBirthDate } from './person.js';
import type { PersonRow, RegisterState, Sex } from './schema.js';

/** A person as staff and the API see them; also the snapshot kept in each history version. */
export interface PersonView {
  id: string;
  uin: string | null;
  registerState: RegisterState;
  duplicateOf: string | null;
  version: number;
  givenNames: string;
  surname: string;
  otherNames: string | null;
  sex: Sex;
  dateOfBirth: string;
  birthPrecision: BirthPrecision;
  placeOfBirth: { district: string | null; village: string | null };
  father: { personId: string | null; name: string | null };
  mother: { personId: string | null; name: string | null };
  citizenship: string;
  vitalStatus: 'alive' | 'deceased';
  dateOfDeath: string | null;
  phones: string[];
  address: { district: string | null; constituency: string | null; village: string | null };
  legacyId: string | null;
  registeredAt: string;
  updatedAt: string;
}

export function birthOf(row: Pick<PersonRow, 'birthYear' | 'birthMonth' | 'birthDay'>) {
  return {
    year: row.birthYear,
    ...(row.birthMonth ? { month: row.birthMonth } : {}),
    ...(row.birthDay ? { day: row.birthDay } : {}),
  };
}

export function personView(row: PersonRow): PersonView {
  const birth = birthOf(row);
  return {
    id: row.id,
    uin: row.uin,
    registerState: row.registerState,
    duplicateOf: row.duplicateOf,
    version: row.version,
    givenNames: row.givenNames,
    surname: row.surname,
    otherNames: row.otherNames,
    sex: row.sex,
    dateOfBirth: formatBirthDate(birth),
    birthPrecision: birthPrecision(birth),
    placeOfBirth: { district: row.birthDistrict, village: row.birthVillage },
    father: { personId: row.fatherId, name: row.fatherName },
    mother: { personId: row.motherId, name: row.motherName },
    citizenship: row.citizenship,
    vitalStatus: row.vitalStatus,
    dateOfDeath: row.deathDate,
    phones: row.phones,
    address: {
      district: row.addressDistrict,
      constituency: row.addressConstituency,
      village: row.addressVillage,
    },
    legacyId: row.legacyId,
    registeredAt: new Date(row.registeredAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}
