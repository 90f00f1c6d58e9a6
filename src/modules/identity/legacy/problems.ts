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

export const PROBLEM_KINDS = {
  'csv-syntax': { severity: 'error', text: 'a line that is not readable CSV (a quote never closed, …)' },
  'column-count': { severity: 'error', text: 'a row with more or fewer fields than the header' },
  'unreadable-characters': {
    severity: 'error',
    text: 'control characters or bytes that are not text in the file’s encoding',
  },
  'name-missing': { severity: 'error', text: 'no surname or no given names' },
  'name-invalid': { severity: 'error', text: 'a name with characters no name has, or over 100 characters' },
  'sex-missing': { severity: 'error', text: 'no sex' },
  'sex-unknown': { severity: 'error', text: 'a sex value the mapping does not list' },
  'date-missing': { severity: 'error', text: 'no date of birth' },
  'date-unparseable': { severity: 'error', text: 'a date of birth in none of the mapping’s formats' },
  'date-impossible': { severity: 'error', text: 'a date of birth that does not exist (31 February)' },
  'birth-future': { severity: 'error', text: 'born after today' },
  'too-old': { severity: 'error', text: 'older than the mapping’s maxAgeYears, or than the register’s 130' },
  'district-missing': { severity: 'error', text: 'no district of birth' },
  'district-unknown': { severity: 'error', text: 'a district of birth that names no district' },
  'death-date-invalid': { severity: 'error', text: 'a date of death that cannot be read or does not exist' },
  'death-future': { severity: 'error', text: 'died after today' },
  'death-before-birth': { severity: 'error', text: 'died before being born' },
  invalid: { severity: 'error', text: 'another rule of the register refused the row' },
  'import-failed': { severity: 'error', text: 'the register refused the row for a reason not foreseen' },
  'duplicate-exact': { severity: 'skipped', text: 'the same person as an earlier row, field for field' },
  'possible-duplicate': {
    severity: 'review',
    text: 'likely the same person as an earlier row or a person already registered',
  },
  'death-pending-adjudication': {
    severity: 'follow-up',
    text: 'deceased, but waiting for adjudication: record the death once it is decided',
  },
  'death-date-missing': { severity: 'follow-up', text: 'deceased without a date of death' },
  'death-date-imprecise': { severity: 'follow-up', text: 'deceased with a date of death that has no day' },
  'phone-invalid': { severity: 'warning', text: 'a phone number that cannot be dialled (dropped)' },
  'parent-name-invalid': { severity: 'warning', text: 'a parent’s name that is not a name (dropped)' },
  'legacy-id-missing': { severity: 'warning', text: 'no legacy ID (re-registered without the old number?)' },
  'legacy-id-check-digit': {
    severity: 'warning',
    text: 'a legacy ID shaped like a UIN whose check digit is wrong (a typing error)',
  },
  'legacy-id-repeated': { severity: 'warning', text: 'the legacy ID of an earlier, different row' },
  'legacy-id-in-register': {
    severity: 'warning',
    text: 'the legacy ID of a person already in the register from elsewhere',
  },
  'status-unknown': { severity: 'warning', text: 'a status value the mapping does not list' },
  'status-conflict': { severity: 'warning', text: 'alive, yet with a date of death (the date is ignored)' },
  'registration-date-invalid': { severity: 'warning', text: 'a registration date that cannot be read' },
  'registration-date-future': { severity: 'warning', text: 'registered after today' },
  'registered-before-birth': { severity: 'warning', text: 'registered before the date of birth' },
  'century-adjusted': {
    severity: 'info',
    text: 'a two-digit birth year put a century earlier, so that birth comes before registration',
  },
  'name-spaces': { severity: 'info', text: 'stray spaces in a name (removed)' },
  'name-case': { severity: 'info', text: 'a name in capitals (written as a name)' },
} as const satisfies Record<string, { severity: Severity; text: string }>;

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
