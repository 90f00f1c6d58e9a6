import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { canonicalJson } from '../../../core/audit/index.js';
import { DISTRICT_CODES, type DistrictCode } from '../../../core/districts/index.js';
import { compileDateFormat, type DateFormat, DateFormatError } from './dates.js';
import { type DistrictMatcher, districtMatcher } from './districts.js';

/** Our fields a legacy column can fill. */
export const FIELDS = [
  'legacyId',
  'surname',
  'givenNames',
  'otherNames',
  'sex',
  'dateOfBirth',
  'birthDistrict',
  'birthVillage',
  'fatherName',
  'motherName',
  'phone',
  'status',
  'dateOfDeath',
  'registeredOn',
] as const;
export type Field = (typeof FIELDS)[number];

/**
 * Fields every mapping must fill. birthDistrict is among them although a column could be missing
 * from an export: the register refuses a person without a district of birth, so such a mapping
 * would only reject every row.
 */
export const REQUIRED_FIELDS: readonly Field[] = [
  'surname',
  'givenNames',
  'sex',
  'dateOfBirth',
  'birthDistrict',
];

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const MappingSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 1 })),
    encoding: Type.Optional(literals(['utf8', 'latin1'] as const)),
    /** Header as written in the file → our field. Columns not named here are ignored. */
    columns: Type.Record(Type.String({ minLength: 1 }), literals(FIELDS)),
    values: Type.Optional(
      Type.Object(
        {
          sex: Type.Optional(Type.Record(Type.String({ minLength: 1 }), literals(['M', 'F'] as const))),
          districts: Type.Optional(Type.Record(Type.String({ minLength: 1 }), literals(DISTRICT_CODES))),
          deceased: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
          alive: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
        },
        { additionalProperties: false },
      ),
    ),
    dates: Type.Optional(
      Type.Object(
        {
          formats: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
          centuryPivot: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
        },
        { additionalProperties: false },
      ),
    ),
    maxAgeYears: Type.Optional(Type.Integer({ minimum: 1, maximum: 130 })),
  },
  { additionalProperties: false },
);
export type MappingFile = Static<typeof MappingSchema>;

/** A mapping ready to use: every default applied, every lookup built. */
export interface Mapping {
  /** Where it came from, for messages; and the SHA-256 of its canonical JSON, which keys import runs. */
  file: string;
  sha256: string;
  delimiter: string;
  encoding: 'utf8' | 'latin1';
  /** Our field → the header of the column that fills it. */
  columns: ReadonlyMap<Field, string>;
  sex(text: string): 'M' | 'F' | undefined;
  districts: DistrictMatcher;
  /** 'deceased' / 'alive' for a status as written, undefined for a value nobody listed. */
  status(text: string): 'deceased' | 'alive' | undefined;
  dateFormats: readonly DateFormat[];
  /** Two-digit years at or below this are 20YY; undefined: the two digits of the current year. */
  centuryPivot: number | undefined;
  maxAgeYears: number;
}

/** A problem an operator fixes in the mapping or the command line: one line, no stack trace. */
export class ImportSetupError extends Error {}

/** Values every register understands; a mapping adds its own (numeric codes differ between systems). */
const BUILT_IN_SEX: Record<string, 'M' | 'F'> = {
  m: 'M',
  male: 'M',
  monna: 'M',
  f: 'F',
  female: 'F',
  mosali: 'F',
};
const BUILT_IN_DECEASED = ['deceased', 'dead', 'died', 'shoele', 'o shoele'];
const BUILT_IN_ALIVE = ['alive', 'living', 'phela', 'o phela', 'o ntse a phela'];

export const DEFAULT_DATE_FORMATS = ['YYYY-MM-DD', 'YYYY-MM', 'YYYY'];
/** Living people older than this are reported, not imported: the oldest Basotho are well below it. */
export const DEFAULT_MAX_AGE_YEARS = 120;

const valueKey = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

function pointerValue(value: unknown, pointer: string): unknown {
  let at: unknown = value;
  for (const part of pointer.split('/').slice(1)) {
    at = (at as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return at;
}

/** The first schema violation as one line: the JSON pointer, what was there and what is expected. */
function describeViolation(value: unknown): string | undefined {
  const errors = [...Value.Errors(MappingSchema, value)];
  const first = errors[0];
  if (!first) return undefined;
  const at = first.instancePath || '/';
  const params = first.params as Record<string, unknown>;
  if (first.keyword === 'required') {
    const missing = (params.requiredProperties as string[])[0];
    return `${first.instancePath}/${missing}: is required`;
  }
  const extra = errors.find((e) => e.keyword === 'additionalProperties');
  if (extra && (first.keyword === 'boolean' || first === extra)) {
    const name = (extra.params as { additionalProperties: string[] }).additionalProperties[0];
    return `${extra.instancePath}/${name}: is not a mapping setting`;
  }
  const shown = JSON.stringify(pointerValue(value, first.instancePath));
  if (first.keyword === 'const' || first.keyword === 'anyOf') {
    // TypeBox reports at most a few errors, so the choices are named from here, not from them.
    const [, section, sub] = first.instancePath.split('/');
    const allowed: readonly string[] =
      section === 'columns'
        ? FIELDS
        : section === 'encoding'
          ? ['utf8', 'latin1']
          : sub === 'sex'
            ? ['M', 'F']
            : sub === 'districts'
              ? DISTRICT_CODES
              : [];
    if (allowed.length > 0) return `${at}: ${shown} is not one of ${allowed.join(', ')}`;
  }
  return `${at}: ${shown} ${first.message}`;
}

/** Checks a parsed mapping file and builds the lookups; throws ImportSetupError naming the path. */
export function compileMapping(raw: unknown, file = 'mapping'): Mapping {
  const fail = (detail: string): never => {
    throw new ImportSetupError(`mapping ${file}: ${detail}`);
  };
  const violation = describeViolation(raw);
  if (violation) fail(violation);
  const spec = raw as MappingFile;

  const columns = new Map<Field, string>();
  for (const [header, field] of Object.entries(spec.columns)) {
    const earlier = columns.get(field);
    if (earlier !== undefined) {
      fail(`/columns/${header}: ${field} is already filled from column "${earlier}"`);
    }
    columns.set(field, header);
  }
  for (const field of REQUIRED_FIELDS) {
    if (!columns.has(field)) fail(`/columns: no column is mapped to ${field}, which is required`);
  }

  const dateFormats: DateFormat[] = [];
  for (const [i, source] of (spec.dates?.formats ?? DEFAULT_DATE_FORMATS).entries()) {
    try {
      dateFormats.push(compileDateFormat(source));
    } catch (error) {
      if (error instanceof DateFormatError) fail(`/dates/formats/${i}: ${error.message}`);
      throw error;
    }
  }

  const sex = new Map(Object.entries(BUILT_IN_SEX));
  for (const [text, code] of Object.entries(spec.values?.sex ?? {})) sex.set(valueKey(text), code);
  const status = new Map<string, 'deceased' | 'alive'>();
  for (const text of BUILT_IN_ALIVE) status.set(text, 'alive');
  for (const text of BUILT_IN_DECEASED) status.set(text, 'deceased');
  const alive = new Set((spec.values?.alive ?? []).map(valueKey));
  for (const key of alive) status.set(key, 'alive');
  for (const [i, text] of (spec.values?.deceased ?? []).entries()) {
    if (alive.has(valueKey(text))) fail(`/values/deceased/${i}: "${text}" is also listed as alive`);
    status.set(valueKey(text), 'deceased');
  }

  return {
    file,
    sha256: createHash('sha256')
      .update(canonicalJson(raw) ?? '')
      .digest('hex'),
    delimiter: spec.delimiter ?? ',',
    encoding: spec.encoding ?? 'utf8',
    columns,
    sex: (text) => sex.get(valueKey(text)),
    districts: districtMatcher((spec.values?.districts ?? {}) as Record<string, DistrictCode>),
    status: (text) => status.get(valueKey(text)),
    dateFormats,
    centuryPivot: spec.dates?.centuryPivot,
    maxAgeYears: spec.maxAgeYears ?? DEFAULT_MAX_AGE_YEARS,
  };
}

/** Reads and checks a mapping file. Every failure is one ImportSetupError line naming the file. */
export function loadMapping(file: string): Mapping {
  const name = path.basename(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImportSetupError(
      `mapping ${file}: cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ImportSetupError(`mapping ${name}: is not valid JSON: ${(error as Error).message}`);
  }
  return compileMapping(raw, name);
}
