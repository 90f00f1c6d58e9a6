import { integer, jsonb, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const registries = pgSchema('registries');

export const records = registries.table('records', {
  id: uuid('id').primaryKey(),
  registry: text('registry').notNull(),
  recordKey: text('record_key').notNull(),
  version: integer('version').notNull(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});

export const recordVersions = registries.table(
  'record_versions',
  {
    recordId: uuid('record_id').notNull(),
    version: integer('version').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    reason: text('reason').notNull(),
    actor: jsonb('actor').$type<Record<string, unknown>>().notNull(),
    source: jsonb('source').$type<{ type: string; id: string } | null>(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.recordId, t.version] })],
);

export type RecordRow = typeof records.$inferSelect;
