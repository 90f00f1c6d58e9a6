import {
  char,
  date,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

export const identity = pgSchema('identity');

export type RegisterState = 'registered' | 'pending' | 'duplicate';
export type Sex = 'F' | 'M';

export const persons = identity.table('persons', {
  id: uuid('id').primaryKey(),
  uin: text('uin'),
  registerState: text('register_state').$type<RegisterState>().notNull(),
  duplicateOf: uuid('duplicate_of'),
  version: integer('version').notNull(),
  givenNames: text('given_names').notNull(),
  surname: text('surname').notNull(),
  otherNames: text('other_names'),
  sex: char('sex', { length: 1 }).$type<Sex>().notNull(),
  birthYear: smallint('birth_year').notNull(),
  birthMonth: smallint('birth_month'),
  birthDay: smallint('birth_day'),
  birthDistrict: char('birth_district', { length: 1 }),
  birthVillage: text('birth_village'),
  fatherId: uuid('father_id'),
  motherId: uuid('mother_id'),
  fatherName: text('father_name'),
  motherName: text('mother_name'),
  citizenship: char('citizenship', { length: 3 }).notNull(),
  vitalStatus: text('vital_status').$type<'alive' | 'deceased'>().notNull(),
  deathDate: date('death_date', { mode: 'string' }),
  phones: jsonb('phones').$type<string[]>().notNull(),
  addressDistrict: char('address_district', { length: 1 }),
  addressConstituency: text('address_constituency'),
  addressVillage: text('address_village'),
  legacyId: text('legacy_id'),
  photoSha256: text('photo_sha256'),
  normGiven: text('norm_given').notNull(),
  normSurname: text('norm_surname').notNull(),
  surnameKey: text('surname_key').notNull(),
  normOther: text('norm_other'),
  normVillage: text('norm_village'),
  normFather: text('norm_father'),
  normMother: text('norm_mother'),
  registeredAt: timestamp('registered_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export type PersonRow = typeof persons.$inferSelect;

export const personVersions = identity.table(
  'person_versions',
  {
    personId: uuid('person_id').notNull(),
    version: integer('version').notNull(),
    event: text('event').notNull(),
    data: jsonb('data').notNull(),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
    changedBy: jsonb('changed_by').notNull(),
    reason: text('reason'),
  },
  (t) => [primaryKey({ columns: [t.personId, t.version] })],
);

export const uinPool = identity.table('uin_pool', { uin: text('uin').primaryKey() });

export const issuedUins = identity.table('issued_uins', {
  uin: text('uin').primaryKey(),
  personId: uuid('person_id').notNull(),
  issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
});

export const sectorTokens = identity.table(
  'sector_tokens',
  {
    sector: text('sector').notNull(),
    keyVersion: integer('key_version').notNull(),
    token: text('token').notNull(),
    personId: uuid('person_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sector, t.token] })],
);

export const adjudications = identity.table('adjudications', {
  id: uuid('id').primaryKey(),
  personId: uuid('person_id').notNull(),
  candidates: jsonb('candidates').notNull(),
  state: text('state').$type<'open' | 'same' | 'different'>().notNull(),
  linkedTo: uuid('linked_to'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  decidedBy: text('decided_by'),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  decisionReason: text('decision_reason'),
});

export const amendments = identity.table('amendments', {
  id: uuid('id').primaryKey(),
  personId: uuid('person_id').notNull(),
  kind: text('kind').$type<'correction' | 'name-change'>().notNull(),
  changes: jsonb('changes').notNull(),
  reason: text('reason').notNull(),
  state: text('state').$type<'proposed' | 'approved' | 'rejected'>().notNull(),
  proposedBy: text('proposed_by').notNull(),
  proposedAt: timestamp('proposed_at', { withTimezone: true }).notNull(),
  decidedBy: text('decided_by'),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  decisionReason: text('decision_reason'),
});

export const importRuns = identity.table('import_runs', {
  id: uuid('id').primaryKey(),
  fileSha256: text('file_sha256').notNull(),
  mappingSha256: text('mapping_sha256').notNull(),
  fileName: text('file_name').notNull(),
  state: text('state').$type<'running' | 'finished'>().notNull(),
  rowsDone: integer('rows_done').notNull(),
  rowsImported: integer('rows_imported').notNull(),
  rowsRejected: integer('rows_rejected').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});
