import { char, integer, jsonb, pgSchema, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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

export type Channel = 'sms' | 'email' | 'portal';
export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'failed';

export const notifications = messaging.table('notifications', {
  id: uuid('id').primaryKey(),
  template: text('template').notNull(),
  locale: text('locale').$type<'en' | 'st'>().notNull(),
  accountId: text('account_id'),
  aboutType: text('about_type'),
  aboutId: text('about_id'),
  params: jsonb('params').$type<Record<string, string | number>>().notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const deliveries = messaging.table('deliveries', {
  id: uuid('id').primaryKey(),
  notificationId: uuid('notification_id').notNull(),
  channel: text('channel').$type<Channel>().notNull(),
  destination: text('destination').notNull(),
  title: text('title'),
  body: text('body').notNull(),
  status: text('status').$type<DeliveryStatus>().notNull(),
  reason: text('reason'),
  attempts: integer('attempts').notNull(),
  providerId: text('provider_id'),
  segments: smallint('segments'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  readAt: timestamp('read_at', { withTimezone: true }),
});

export type DeliveryRow = typeof deliveries.$inferSelect;
