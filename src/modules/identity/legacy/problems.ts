import type { Field } from './mapping.js';

/**
 * What happens to a row with a problem of this kind:
 * - error: the row is not imported (fix it in the legacy system and import it again);
 * - skipped: the row is not imported because it repeats an earlier row exactly;
 * - review: the person is in the register but waits for a registrar's duplicate decision;
 * - follow-up: imported, but something is left for a registrar to do (a death to record);
 * - warning: imported without the value named (a bad phone number is dropped, and so on);
 * - info: imported; the value was tidied (spaces, capitals) and the source could be too.
 */
export type Severity = 'error' | 'skipped' | 'review' | 'follow-up' | 'warning' | 'info';

/** Problem kinds of one severity, from their descriptions. */
function kinds<S extends Severity, K extends string>(severity: S, texts: Record<K, string>) {
  return Object.fromEntries(
    Object.entries(texts).map(([code, text]) => [code, { severity, text: text as string }]),
  ) as Record<K, { severity: S; text: string }>;
}

export const PROBLEM_KINDS = {
  ...kinds('error', {
    'csv-syntax': 'a line that is not readable CSV (a quote never closed, …)',
    'column-count': 'a row with more or fewer fields than the header',
    'unreadable-characters': 'control characters or bytes that are not text in the file’s encoding',
    'name-missing': 'no surname or no given names',
    'name-invalid': 'a name with characters no name has, or over 100 characters',
    'sex-missing': 'no sex',
    'sex-unknown': 'a sex value the mapping does not list',
    'date-missing': 'no date of birth',
    'date-unparseable': 'a date of birth in none of the mapping’s formats',
    'date-impossible': 'a date of birth that does not exist (31 February)',
    'birth-future': 'born after today',
    'too-old': 'older than the mapping’s maxAgeYears, or than the register’s 130',
    'district-missing': 'no district of birth',
    'district-unknown': 'a district of birth that names no district',
    'death-date-invalid': 'a date of death that cannot be read or does not exist',
    'death-future': 'died after today',
    'death-before-birth': 'died before being born',
    invalid: 'another rule of the register refused the row',
    'import-failed': 'the register refused the row for a reason not foreseen',
  }),
  ...kinds('skipped', {
    'duplicate-exact': 'the same person as an earlier row, field for field',
  }),
  ...kinds('review', {
    'possible-duplicate': 'likely the same person as an earlier row or a person already registered',
  }),
  ...kinds('follow-up', {
    'death-pending-adjudication':
      'deceased, but waiting for adjudication: record the death once it is decided',
    'death-date-missing': 'deceased without a date of death',
    'death-date-imprecise': 'deceased with a date of death that has no day',
  }),
  ...kinds('warning', {
    'phone-invalid': 'a phone number that cannot be dialled (dropped)',
    'parent-name-invalid': 'a parent’s name that is not a name (dropped)',
    'legacy-id-missing': 'no legacy ID (re-registered without the old number?)',
    'legacy-id-check-digit': 'a legacy ID shaped like a UIN whose check digit is wrong (a typing error)',
    'legacy-id-repeated': 'the legacy ID of an earlier, different row (the row waits for adjudication)',
    'legacy-id-in-register':
      'the legacy ID of a person already in the register from elsewhere (the row waits for adjudication)',
    'status-unknown': 'a status value the mapping does not list',
    'status-conflict': 'alive, yet with a date of death (the date is ignored)',
    'registration-date-invalid': 'a registration date that cannot be read',
    'registration-date-future': 'registered after today',
    'registered-before-birth': 'registered before the date of birth',
  }),
  ...kinds('info', {
    'century-adjusted':
      'a two-digit birth year put a century earlier, so that birth comes before registration',
    'name-spaces': 'stray spaces in a name (removed)',
    'name-case': 'a name in capitals (written as a name)',
  }),
};

export type ProblemCode = keyof typeof PROBLEM_KINDS;

/** The row or register person a duplicate is linked to. */
export interface Twin {
  /** Row of this file (its line, header = 1) and that row's legacy ID. */
  row?: number;
  legacyId?: string | null;
  personId?: string;
  uin?: string | null;
}

export interface Problem {
  code: ProblemCode;
  /** Our field ('' for the whole row). */
  field: Field | '';
  message: string;
  /** The value as the file has it. */
  raw: string;
  twin?: Twin;
}

export const severityOf = (code: ProblemCode): Severity => PROBLEM_KINDS[code].severity;

export const problem = (
  code: ProblemCode,
  field: Field | '',
  message: string,
  raw = '',
  twin?: Twin,
): Problem => ({ code, field, message, raw, ...(twin ? { twin } : {}) });
