import { bigint, integer, jsonb, pgSchema, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Locale } from '../../core/i18n/index.js';
import type { ApplicantKind } from './definition.js';

export const services = pgSchema('services');

export const applications = services.table('applications', {
  id: uuid('id').primaryKey(),
  reference: text('reference').notNull(),
  serviceId: text('service_id').notNull(),
  serviceVersion: integer('service_version').notNull(),
  state: text('state').notNull(),
  form: jsonb('form').$type<Record<string, unknown>>().notNull(),
  feeOptions: jsonb('fee_options').$type<string[]>().notNull(),
  feeLisente: bigint('fee_lisente', { mode: 'number' }).notNull(),
  revenueHead: text('revenue_head'),
  feePaidAt: timestamp('fee_paid_at', { withTimezone: true }),
  receiptNumber: text('receipt_number'),
  applicantKind: text('applicant_kind').$type<ApplicantKind>().notNull(),
  applicantAccount: text('applicant_account'),
  applicantPerson: uuid('applicant_person'),
  business: jsonb('business').$type<{ name: string; registrationNumber: string }>(),
  agentId: text('agent_id'),
  centre: text('centre'),
  consentId: uuid('consent_id'),
  office: text('office').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  completedAt: timestamp('completed_at', { withTimezone: true }),
  locale: text('locale').$type<Locale>().notNull(),
  notifyAccount: text('notify_account'),
  notifyPhone: text('notify_phone'),
});
export type ApplicationRow = typeof applications.$inferSelect;

export const history = services.table(
  'history',
  {
    applicationId: uuid('application_id').notNull(),
    seq: integer('seq').notNull(),
    action: text('action').notNull(),
    fromState: text('from_state'),
    toState: text('to_state').notNull(),
    actorId: text('actor_id').notNull(),
    actor: jsonb('actor').$type<Record<string, unknown>>().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    comment: text('comment'),
    details: jsonb('details').$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.seq] })],
);
export type HistoryRow = typeof history.$inferSelect;

export const comments = services.table('comments', {
  id: uuid('id').primaryKey(),
  applicationId: uuid('application_id').notNull(),
  authorId: text('author_id').notNull(),
  author: jsonb('author').$type<Record<string, unknown>>().notNull(),
  visibility: text('visibility').$type<'internal' | 'applicant'>().notNull(),
  body: text('body').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
});
export type CommentRow = typeof comments.$inferSelect;

export const tasks = services.table('tasks', {
  id: uuid('id').primaryKey(),
  applicationId: uuid('application_id').notNull(),
  state: text('state').notNull(),
  roles: text('roles').array().notNull(),
  office: text('office').notNull(),
  assignee: text('assignee'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  dueAt: timestamp('due_at', { withTimezone: true }),
  breachedAt: timestamp('breached_at', { withTimezone: true }),
  escalatedTo: text('escalated_to'),
  closedAt: timestamp('closed_at', { withTimezone: true }),
});
export type TaskRow = typeof tasks.$inferSelect;

export const consents = services.table('consents', {
  id: uuid('id').primaryKey(),
  personId: uuid('person_id').notNull(),
  agentId: text('agent_id').notNull(),
  centre: text('centre').notNull(),
  method: text('method').$type<'sms-code' | 'paper'>().notNull(),
  codeHash: text('code_hash'),
  keyVersion: integer('key_version'),
  destination: text('destination'),
  attempts: integer('attempts').notNull(),
  paperSha256: text('paper_sha256'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  givenAt: timestamp('given_at', { withTimezone: true }),
  usedAt: timestamp('used_at', { withTimezone: true }),
});
export type ConsentRow = typeof consents.$inferSelect;

export const uploads = services.table(
  'uploads',
  {
    applicationId: uuid('application_id').notNull(),
    uploadId: text('upload_id').notNull(),
    sha256: text('sha256').notNull(),
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    name: text('name'),
    uploadedBy: text('uploaded_by').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.uploadId] })],
);
