import { createHash } from 'node:crypto';
import { DISTRICTS, type DistrictCode, isDistrictCode } from '../../../core/districts/index.js';
import { parsePhone } from '../../../core/phone/index.js';
import { type BirthDate, earliestDay, formatBirthDate, type PersonInput, validatePerson } from '../person.js';
import { validateUinInput } from '../uin/index.js';
import { isoOf, parseLegacyDate } from './dates.js';
import { FIELDS, type Field, type Mapping } from './mapping.js';
import { type Problem, type ProblemCode, problem, severityOf } from './problems.js';
import { headerKey } from './reader.js';

/** A data row after mapping and every check that needs no database. */
export interface PreparedRow {
  index: number;
  /** The file line the row starts on (header = 1). */
  row: number;
  legacyId: string;
  problems: Problem[];
  /** An error among the problems: the row will not be imported. */
  rejected: boolean;
  /** What registerPerson receives, when not rejected. */
  input?: PersonInput;
  /** Deceased with a day-precise date of death, to record once the person has a UIN. */
  deathDate: string | null;
  deceased: boolean;
  registeredOn: string | null;
  /** Equal for rows that say the same thing once spelling variants are normalised. */
  fingerprint: string;
  /** Equal for rows identical as written. */
  rawFingerprint: string;
}

export interface PrepareContext {
  mapping: Mapping;
  /** Field → position of its column in the header. */
  columns: ReadonlyMap<Field, number>;
  headerLength: number;
  now: Date;
  /** Two-digit years at or below this are 20YY. */
  pivot: number;
  uinLength: number;
}

/** Field → column position; undefined entries name the headers the file lacks. */
export function resolveColumns(
  mapping: Mapping,
  header: readonly string[],
): { columns: Map<Field, number>; missing: string[] } {
  const positions = new Map<string, number>();
  header.forEach((name, i) => {
    if (!positions.has(headerKey(name))) positions.set(headerKey(name), i);
  });
  const columns = new Map<Field, number>();
  const missing: string[] = [];
  for (const [field, name] of mapping.columns) {
    const at = positions.get(headerKey(name));
    if (at === undefined) missing.push(name);
    else columns.set(field, at);
  }
  return { columns, missing };
}

/**
 * Control characters (a tab is only a space typed badly), the replacement character that stands
 * for bytes that were not UTF-8, and noncharacters: signs of binary junk or a wrong encoding.
 */
function unreadable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || (code >= 0x7f && code <= 0x9f) || code >= 0xfffd) return true;
  }
  return false;
}
const hasLowerCase = /\p{Ll}/u;
const twoCapitals = /\p{Lu}.*\p{Lu}/u;

/** "TAU  RETHABILE" → "Tau Rethabile", "'MATHABO" → "'Mathabo", "MOTS'ELISI" → "Mots'elisi". */
export function tidyName(raw: string): { value: string; spaces: boolean; capitals: boolean } {
  const collapsed = raw.trim().replace(/\s+/g, ' ');
  const spaces = collapsed !== raw;
  if (hasLowerCase.test(collapsed) || !twoCapitals.test(collapsed))
    return { value: collapsed, spaces, capitals: false };
  const value = collapsed
    .toLowerCase()
    .replace(/(^|[\s-])(['’‘`]?)(\p{L})/gu, (_m, before: string, apostrophe: string, letter: string) => {
      return before + apostrophe + letter.toUpperCase();
    });
  return { value, spaces, capitals: true };
}

const quote = (text: string) => JSON.stringify(text);

/** Maps one data row to our fields and checks everything that needs no database. */
export function prepareRow(
  fields: readonly string[],
  index: number,
  row: number,
  ctx: PrepareContext,
): PreparedRow {
  const problems: Problem[] = [];
  const add = (code: ProblemCode, field: Field | '', message: string, raw = '') =>
    problems.push(problem(code, field, message, raw));
  const rawOf = (field: Field) => {
    const at = ctx.columns.get(field);
    return at === undefined ? undefined : (fields[at] ?? '');
  };
  const legacyId = (rawOf('legacyId') ?? '').trim();
  const rawFingerprint = digest(fields.join('\u0000'));
  const base = { index, row, legacyId, deathDate: null, deceased: false, registeredOn: null, rawFingerprint };

  if (fields.length !== ctx.headerLength) {
    add(
      'column-count',
      '',
      `${fields.length} fields where the header has ${ctx.headerLength}: a stray delimiter or a missing one`,
      fields.join(ctx.mapping.delimiter).slice(0, 200),
    );
    return { ...base, problems, rejected: true, fingerprint: rawFingerprint };
  }

  const unreadableFields = new Set<Field>();
  for (const field of FIELDS) {
    const raw = rawOf(field);
    if (raw !== undefined && unreadable(raw)) {
      unreadableFields.add(field);
      add(
        'unreadable-characters',
        field,
        ctx.mapping.encoding === 'utf8'
          ? 'control characters or bytes that are not UTF-8 (is the file in another encoding?)'
          : 'control characters',
        raw.slice(0, 100),
      );
    }
  }
  /** The trimmed value of a field, or '' when it is absent, empty or unreadable. */
  const value = (field: Field) => (unreadableFields.has(field) ? '' : (rawOf(field) ?? '').trim());

  // Legacy ID
  if (ctx.columns.has('legacyId') && !unreadableFields.has('legacyId')) {
    if (!legacyId) {
      add(
        'legacy-id-missing',
        'legacyId',
        'no legacy ID: was the person registered again without the old number?',
      );
    } else if (/^[\d\s-]+$/.test(legacyId)) {
      const uin = validateUinInput(legacyId, { length: ctx.uinLength });
      if (!uin.ok && uin.reason === 'check-digit') {
        add(
          'legacy-id-check-digit',
          'legacyId',
          'shaped like a UIN but its check digit is wrong: a typing error in the legacy register?',
          legacyId,
        );
      }
    }
  }

  // Names
  const names: Partial<Record<'surname' | 'givenNames' | 'otherNames', string>> = {};
  for (const field of ['surname', 'givenNames', 'otherNames'] as const) {
    const raw = rawOf(field);
    if (raw === undefined || unreadableFields.has(field)) continue;
    const tidy = tidyName(raw);
    names[field] = tidy.value;
    if (!tidy.value) {
      if (field !== 'otherNames')
        add('name-missing', field, field === 'surname' ? 'no surname' : 'no given names');
      continue;
    }
    if (tidy.spaces) add('name-spaces', field, 'stray spaces removed', raw);
    if (tidy.capitals) add('name-case', field, `written in capitals; imported as ${quote(tidy.value)}`, raw);
  }

  // Sex
  let sex = '';
  const sexRaw = value('sex');
  if (!unreadableFields.has('sex')) {
    if (!sexRaw) add('sex-missing', 'sex', 'no sex');
    else {
      sex = ctx.mapping.sex(sexRaw) ?? '';
      if (!sex) add('sex-unknown', 'sex', `${quote(sexRaw)} is not a sex value the mapping lists`, sexRaw);
    }
  }

  // Registration date (read first: it settles the century of a two-digit birth year)
  let registeredOn: BirthDate | undefined;
  const registeredRaw = value('registeredOn');
  if (registeredRaw) {
    const parsed = parseLegacyDate(registeredRaw, ctx.mapping.dateFormats, ctx.pivot);
    if (parsed.ok) registeredOn = parsed.date;
    else {
      add(
        'registration-date-invalid',
        'registeredOn',
        parsed.reason === 'impossible' ? 'no such day' : 'in none of the mapping’s date formats',
        registeredRaw,
      );
    }
  }
  const today = ctx.now.toISOString().slice(0, 10);
  const thisYear = ctx.now.getUTCFullYear();

  // Date of birth
  let birth: BirthDate | undefined;
  const birthRaw = value('dateOfBirth');
  if (!unreadableFields.has('dateOfBirth')) {
    if (!birthRaw) add('date-missing', 'dateOfBirth', 'no date of birth');
    else {
      const parsed = parseLegacyDate(birthRaw, ctx.mapping.dateFormats, ctx.pivot);
      if (!parsed.ok) {
        if (parsed.reason === 'impossible') add('date-impossible', 'dateOfBirth', 'no such day', birthRaw);
        else add('date-unparseable', 'dateOfBirth', 'in none of the mapping’s date formats', birthRaw);
      } else {
        birth = parsed.date;
        if (parsed.format.twoDigitYear && registeredOn && earliestDay(birth) > isoOf(registeredOn)) {
          const earlier = { ...birth, year: birth.year - 100 };
          add(
            'century-adjusted',
            'dateOfBirth',
            `read as ${formatBirthDate(earlier)}: ${birth.year} would be after the registration on ${isoOf(registeredOn)}`,
            birthRaw,
          );
          birth = earlier;
        }
      }
    }
  }

  // Status and death
  let deceased = false;
  let deathDate: string | null = null;
  const statusRaw = value('status');
  const deathRaw = value('dateOfDeath');
  const status = statusRaw ? ctx.mapping.status(statusRaw) : undefined;
  if (statusRaw && !status) {
    add(
      'status-unknown',
      'status',
      `${quote(statusRaw)} is not a status the mapping lists; taken as ${deathRaw ? 'deceased (a date of death is given)' : 'alive'}`,
      statusRaw,
    );
  }
  if (status === 'alive' && deathRaw) {
    add(
      'status-conflict',
      'dateOfDeath',
      'status says alive but a date of death is given: registered alive',
      deathRaw,
    );
  }
  deceased = status === 'deceased' || (status !== 'alive' && deathRaw !== '');
  if (deceased && !unreadableFields.has('dateOfDeath')) {
    if (!deathRaw) {
      add(
        'death-date-missing',
        'dateOfDeath',
        'deceased without a date of death: record the death when it is known',
      );
    } else {
      const parsed = parseLegacyDate(deathRaw, ctx.mapping.dateFormats, ctx.pivot);
      if (!parsed.ok) {
        add(
          'death-date-invalid',
          'dateOfDeath',
          parsed.reason === 'impossible' ? 'no such day' : 'in none of the mapping’s date formats',
          deathRaw,
        );
      } else {
        const died = parsed.date;
        if (earliestDay(died) > today) add('death-future', 'dateOfDeath', 'after today', deathRaw);
        else if (
          birth &&
          isoOf({ year: died.year, month: died.month ?? 12, day: died.day ?? 31 }) < earliestDay(birth)
        ) {
          add(
            'death-before-birth',
            'dateOfDeath',
            `before the date of birth ${formatBirthDate(birth)}`,
            deathRaw,
          );
        } else if (died.day === undefined) {
          add(
            'death-date-imprecise',
            'dateOfDeath',
            'a date of death without a day cannot be registered: record the death when the day is known',
            deathRaw,
          );
        } else deathDate = isoOf(died);
        if (birth && died.year - birth.year > ctx.mapping.maxAgeYears) {
          add('too-old', 'dateOfBirth', `died at over ${ctx.mapping.maxAgeYears}: a wrong year?`, birthRaw);
        }
      }
    }
  }

  // Birth date plausibility (the register's own limit, 130 years, is checked by validatePerson)
  if (birth) {
    if (earliestDay(birth) > today) add('birth-future', 'dateOfBirth', 'after today', birthRaw);
    else if (!deceased && thisYear - birth.year > ctx.mapping.maxAgeYears) {
      add(
        'too-old',
        'dateOfBirth',
        `${thisYear - birth.year} years old and not recorded as deceased (more than ${ctx.mapping.maxAgeYears})`,
        birthRaw,
      );
    }
    if (registeredOn && isoOf(registeredOn) < earliestDay(birth) && earliestDay(birth) <= today) {
      add(
        'registered-before-birth',
        'registeredOn',
        `before the date of birth ${formatBirthDate(birth)}`,
        registeredRaw,
      );
    }
  }
  if (registeredOn && earliestDay(registeredOn) > today) {
    add('registration-date-future', 'registeredOn', 'after today', registeredRaw);
  }

  // District of birth
  let district: DistrictCode | '' = '';
  const districtRaw = value('birthDistrict');
  if (!unreadableFields.has('birthDistrict')) {
    if (!districtRaw) add('district-missing', 'birthDistrict', 'no district of birth');
    else {
      district = ctx.mapping.districts.match(districtRaw) ?? '';
      if (!district) {
        const prefix = legacyId[0]?.toUpperCase();
        const hint =
          prefix && isDistrictCode(prefix) && /^[A-Z]\d+$/i.test(legacyId)
            ? ` (the legacy ID starts with ${prefix}, the code of ${DISTRICTS[prefix].en}: a hint, not taken)`
            : '';
        add(
          'district-unknown',
          'birthDistrict',
          `${quote(districtRaw)} names no district of Lesotho${hint}; add an alias to the mapping if it does`,
          districtRaw,
        );
      }
    }
  }

  // Phones: a bad one is dropped, the row kept
  const phones: string[] = [];
  const phoneKey: string[] = [];
  for (const part of value('phone')
    .split(/\s*[;,/]\s*/)
    .filter(Boolean)) {
    const parsed = parsePhone(part);
    phoneKey.push(parsed.ok ? parsed.e164 : `?${part}`);
    if (parsed.ok) phones.push(parsed.e164);
    else {
      const digits = part.replace(/\D/g, '').length;
      add(
        'phone-invalid',
        'phone',
        parsed.reason === 'length'
          ? `${digits} digits: a digit short or too many? (dropped)`
          : 'not a phone number (dropped)',
        part,
      );
    }
  }

  const parent = (field: 'fatherName' | 'motherName') => {
    const tidy = value(field).replace(/\s+/g, ' ');
    return tidy ? { name: tidy } : undefined;
  };
  const village = value('birthVillage').replace(/\s+/g, ' ');
  const input: PersonInput = {
    givenNames: names.givenNames ?? '',
    surname: names.surname ?? '',
    ...(names.otherNames ? { otherNames: names.otherNames } : {}),
    sex,
    dateOfBirth: birth ? formatBirthDate(birth) : '',
    placeOfBirth: { district, ...(village ? { village } : {}) },
    ...(parent('fatherName') ? { father: parent('fatherName') } : {}),
    ...(parent('motherName') ? { mother: parent('motherName') } : {}),
    ...(phones.length ? { phones } : {}),
    ...(legacyId ? { legacyId } : {}),
  };

  // The register's own rules have the last word; a parent's name it refuses is dropped, not the row.
  for (let attempt = 0; attempt < 3; attempt++) {
    const checked = validatePerson(input, ctx.now);
    if (checked.ok) break;
    let dropped = false;
    for (const error of checked.errors) {
      const parentField = error.pointer.startsWith('/father')
        ? 'fatherName'
        : error.pointer.startsWith('/mother')
          ? 'motherName'
          : undefined;
      if (parentField) {
        const which = parentField === 'fatherName' ? 'father' : 'mother';
        add(
          'parent-name-invalid',
          parentField,
          'not a name the register accepts (dropped)',
          input[which]?.name ?? '',
        );
        delete input[which];
        dropped = true;
        continue;
      }
      const mapped = registerRule(error.pointer, error.code);
      if (!problems.some((p) => p.field === mapped.field && severityOf(p.code) === 'error')) {
        add(mapped.code, mapped.field, mapped.message, mapped.field ? (rawOf(mapped.field) ?? '') : '');
      }
    }
    if (!dropped) break;
  }

  const rejected = problems.some((p) => severityOf(p.code) === 'error');
  return {
    ...base,
    problems,
    rejected,
    ...(rejected ? {} : { input }),
    deceased,
    deathDate,
    registeredOn: registeredOn ? formatBirthDate(registeredOn) : null,
    fingerprint: fingerprintOf(input, {
      deceased,
      // A value that could not be read counts as written, so two different typing errors differ.
      sex: sex || `?${sexRaw.toLowerCase()}`,
      birth: birth ? formatBirthDate(birth) : `?${birthRaw}`,
      district: district || `?${districtRaw.toLowerCase()}`,
      phones: phoneKey.join(' '),
      death: deathDate ?? deathRaw,
      registered: registeredRaw,
    }),
  };
}

/** A refusal by validatePerson that the checks above did not foresee, as a problem of ours. */
function registerRule(
  pointer: string,
  code: string,
): { code: ProblemCode; field: Field | ''; message: string } {
  const field = (
    {
      '/givenNames': 'givenNames',
      '/surname': 'surname',
      '/otherNames': 'otherNames',
      '/sex': 'sex',
      '/dateOfBirth': 'dateOfBirth',
      '/placeOfBirth/district': 'birthDistrict',
    } as Record<string, Field>
  )[pointer];
  if (field === 'givenNames' || field === 'surname' || field === 'otherNames') {
    if (code === 'required') return { code: 'name-missing', field, message: 'empty' };
    return {
      code: 'name-invalid',
      field,
      message:
        code === 'too-long' ? 'longer than 100 characters' : 'characters no name has (digits, symbols)',
    };
  }
  if (field === 'dateOfBirth' && code === 'too-old') {
    return {
      code: 'too-old',
      field,
      message: 'born more than 130 years ago: the register holds nobody older',
    };
  }
  if (field === 'dateOfBirth' && code === 'future')
    return { code: 'birth-future', field, message: 'after today' };
  return { code: 'invalid', field: field ?? '', message: `refused by the register (${pointer} ${code})` };
}

const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

/** What "the same row" means: every field as we read it, not as it was typed. */
function fingerprintOf(
  input: PersonInput,
  read: {
    deceased: boolean;
    sex: string;
    birth: string;
    district: string;
    phones: string;
    death: string;
    registered: string;
  },
): string {
  const name = (text: string | undefined) => (text ?? '').toLowerCase();
  return digest(
    [
      input.legacyId ?? '',
      name(input.surname),
      name(input.givenNames),
      name(input.otherNames),
      read.sex,
      read.birth,
      read.district,
      name(input.placeOfBirth.village),
      name(input.father?.name),
      name(input.mother?.name),
      read.phones,
      read.deceased ? 'deceased' : 'alive',
      read.death,
      read.registered,
    ].join('\u0000'),
  );
}
