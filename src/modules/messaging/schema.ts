import { char, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const messaging = pgSchema('messaging');

export const announcements = messaging.table('announcements', {
  id: uuid('id').primaryKey(),
  titleEn: text('title_en').notNull(),
  titleSt: text('title_st').notNull(),
  bodyEn: text('body_en').notNull(),
  bodySt: text('body_st').notNull(),
  district: char('district', { length: 1 }),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }),
  publishedBy: text('published_by').notNull(),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
  withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  withdrawnBy: text('withdrawn_by'),
  withdrawReason: text('withdraw_reason'),
});
