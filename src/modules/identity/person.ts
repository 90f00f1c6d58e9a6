import { type DistrictCode, isDistrictCode } from '../../core/districts/index.js';
import { type FieldError, fieldError } from '../../core/http/index.js';
import { parsePhone } from '../../core/phone/index.js';
import type { Sex } from './schema.js';
import { validateUinInput } from './uin/index.js';

/** A date of birth as precise as the register knows it: many rural births have no exact day. */
export interface BirthDate {
  year: number;
  month?: number;
  day?: number;
}

export type BirthPrecision = 'day' | 'month' | 'year';

export function birthPrecision(date: BirthDate): BirthPrecision {
  if (date.day !== undefined) return 'day';
  return date.month !== undefined ? 'month' : 'year';
}

export function formatBirthDate(date: BirthDate): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  if (date.month === undefined) return String(date.year);
  if (date.day === undefined) return `${date.year}-${pad(date.month)}`;
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
}

/** A parent named in a registration: by UIN when they are in the register, else by name. */
export interface ParentInput {
  uin?: string;
  name?: string;
}

/** What a registrar sends: text as typed, checked by validatePerson. */
export interface PersonInput {
  givenNames: string;
  surname: string;
  otherNames?: string;
  sex: string;
  dateOfBirth: string;
  placeOfBirth: { district: string; village?: string };
  father?: ParentInput;
  mother?: ParentInput;
  citizenship?: string;
  phones?: string[];
  address?: { district: string; constituency?: string; village?: string };
  legacyId?: string;
}

/** A person's particulars after validation: the shape the register stores. */
export interface Particulars {
  givenNames: string;
  surname: string;
  otherNames: string | null;
  sex: Sex;
  birth: BirthDate;
  birthDistrict: DistrictCode;
  birthVillage: string | null;
  father: ParentInput | null;
  mother: ParentInput | null;
  citizenship: string;
  phones: string[];
  address: { district: DistrictCode; constituency: string | null; village: string | null } | null;
  legacyId: string | null;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
/** Older than this is treated as a typing error: the oldest living Basotho are well below it. */
const MAX_AGE_YEARS = 130;

/**
 * Parses YYYY, YYYY-MM or YYYY-MM-DD into a BirthDate, or says why not: 'format' for text that
 * is no date, 'impossible' for 31 February and the like.
 */
export function parseBirthDate(
  text: string,
): { ok: true; date: BirthDate } | { ok: false; reason: 'format' | 'impossible' } {
  const match = DATE.exec(text.trim());
  if (!match) return { ok: false, reason: 'format' };
  const year = Number(match[1]);
  const month = match[2] === undefined ? undefined : Number(match[2]);
  const day = match[3] === undefined ? undefined : Number(match[3]);
  if (month !== undefined && (month < 1 || month > 12)) return { ok: false, reason: 'impossible' };
  if (month !== undefined && day !== undefined) {
    const probe = new Date(Date.UTC(year, month - 1, day));
    if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day)
      return { ok: false, reason: 'impossible' };
  }
  return {
    ok: true,
    date: { year, ...(month !== undefined ? { month } : {}), ...(day !== undefined ? { day } : {}) },
  };
}

/** The earliest day a BirthDate can mean, for comparisons with "today" and with a death date. */
export function earliestDay(date: BirthDate): string {
  return formatBirthDate({ year: date.year, month: date.month ?? 1, day: date.day ?? 1 });
}

/** The latest day a BirthDate can mean. */
export function latestDay(date: BirthDate): string {
  const month = date.month ?? 12;
  const day = date.day ?? new Date(Date.UTC(date.year, month, 0)).getUTCDate();
  return formatBirthDate({ year: date.year, month, day });
}

const isoDay = (at: Date) => at.toISOString().slice(0, 10);

function checkName(errors: FieldError[], pointer: string, value: string | undefined, required: boolean) {
  const text = value?.trim() ?? '';
  if (!text) {
    if (required) errors.push(fieldError(pointer, 'required', 'identity.error.required'));
    return;
  }
  if (text.length > 100)
    errors.push(fieldError(pointer, 'too-long', 'identity.error.too-long', { limit: 100 }));
  // Letters of any script, spaces, hyphens and the apostrophes of names like Mots'elisi or 'Mathabo
  // (a leading apostrophe marks the 'Ma- names of married women).
  if (!/^['’‘`]?[\p{L}\p{M}][\p{L}\p{M}\s'’‘`.-]*$/u.test(text)) {
    errors.push(fieldError(pointer, 'name-characters', 'identity.error.name-characters'));
  }
}

function checkParent(errors: FieldError[], pointer: string, parent: ParentInput | undefined) {
  if (!parent) return;
  if (parent.uin !== undefined) {
    const uin = validateUinInput(parent.uin);
    if (!uin.ok) {
      errors.push(
        fieldError(
          `${pointer}/uin`,
          `uin-${uin.reason}`,
          uin.reason === 'check-digit' ? 'identity.error.uin-typo' : 'identity.error.uin-format',
        ),
      );
    }
  }
  if (parent.name !== undefined) checkName(errors, `${pointer}/name`, parent.name, true);
}

/**
 * Checks everything a schema cannot: real dates not in the future, districts that exist, phone
 * numbers that can be dialled, UINs with a correct check digit. Returns every problem at once.
 */
export function validatePerson(
  input: PersonInput,
  now: Date,
): { ok: true; value: Particulars } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  checkName(errors, '/givenNames', input.givenNames, true);
  checkName(errors, '/surname', input.surname, true);
  checkName(errors, '/otherNames', input.otherNames, false);
  if (input.sex !== 'F' && input.sex !== 'M') errors.push(fieldError('/sex', 'sex', 'identity.error.sex'));

  const birth = parseBirthDate(input.dateOfBirth);
  if (!birth.ok) {
    errors.push(fieldError('/dateOfBirth', `date-${birth.reason}`, `identity.error.date-${birth.reason}`));
  } else if (earliestDay(birth.date) > isoDay(now)) {
    errors.push(fieldError('/dateOfBirth', 'future', 'identity.error.birth-future'));
  } else if (now.getUTCFullYear() - birth.date.year > MAX_AGE_YEARS) {
    errors.push(
      fieldError('/dateOfBirth', 'too-old', 'identity.error.birth-too-old', { years: MAX_AGE_YEARS }),
    );
  }

  if (!isDistrictCode(input.placeOfBirth.district)) {
    errors.push(fieldError('/placeOfBirth/district', 'district', 'identity.error.district'));
  }
  if (input.address && !isDistrictCode(input.address.district)) {
    errors.push(fieldError('/address/district', 'district', 'identity.error.district'));
  }
  checkParent(errors, '/father', input.father);
  checkParent(errors, '/mother', input.mother);
  if (input.citizenship !== undefined && !/^[A-Z]{3}$/.test(input.citizenship)) {
    errors.push(fieldError('/citizenship', 'citizenship', 'identity.error.citizenship'));
  }
  const phones: string[] = [];
  (input.phones ?? []).forEach((phone, i) => {
    const parsed = parsePhone(phone);
    if (parsed.ok) phones.push(parsed.e164);
    else errors.push(fieldError(`/phones/${i}`, `phone-${parsed.reason}`, 'identity.error.phone'));
  });

  if (errors.length > 0 || !birth.ok) return { ok: false, errors };
  const trimmed = (value: string | undefined) => value?.trim().replace(/\s+/g, ' ') || null;
  return {
    ok: true,
    value: {
      givenNames: trimmed(input.givenNames) as string,
      surname: trimmed(input.surname) as string,
      otherNames: trimmed(input.otherNames),
      sex: input.sex as Sex,
      birth: birth.date,
      birthDistrict: input.placeOfBirth.district as DistrictCode,
      birthVillage: trimmed(input.placeOfBirth.village),
      father: input.father ?? null,
      mother: input.mother ?? null,
      citizenship: input.citizenship ?? 'LSO',
      phones: [...new Set(phones)],
      address: input.address
        ? {
            district: input.address.district as DistrictCode,
            constituency: trimmed(input.address.constituency),
            village: trimmed(input.address.village),
          }
        : null,
      legacyId: trimmed(input.legacyId),
    },
  };
}
