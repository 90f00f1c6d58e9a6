import { bigint, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** The tables of migrations/0005_auth_factors.sql, in the `auth` schema the Login module owns. */
const auth = pgSchema('auth');

const at = (name: string) => timestamp(name, { withTimezone: true });

export const factorEnrolments = auth.table('factor_enrolments', {
  id: uuid('id').primaryKey(),
  accountId: uuid('account_id').notNull(),
  kind: text('kind').$type<'totp' | 'sms'>().notNull(),
  /** TOTP only: the secret sealed with AES-256-GCM (see keys.ts), never in clear. */
  secret: text('secret'),
  /** SMS only: E.164. */
  phone: text('phone'),
  createdAt: at('created_at').notNull(),
  confirmedAt: at('confirmed_at'),
  /** TOTP only: the newest time step accepted; a step at or before it is a replay. */
  lastUsedStep: bigint('last_used_step', { mode: 'number' }),
  lastUsedAt: at('last_used_at'),
});

export const oneTimeCodes = auth.table('one_time_codes', {
  id: uuid('id').primaryKey(),
  accountId: uuid('account_id').notNull(),
  purpose: text('purpose').notNull(),
  /** HMAC-SHA-256 of id, purpose and code under the factor MAC key of `key_version`. */
  codeHash: text('code_hash').notNull(),
  keyVersion: integer('key_version').notNull(),
  destination: text('destination').notNull(),
  createdAt: at('created_at').notNull(),
  expiresAt: at('expires_at').notNull(),
  attempts: integer('attempts').notNull(),
  consumedAt: at('consumed_at'),
  /** Set when a newer code for the same purpose replaced this one. */
  invalidatedAt: at('invalidated_at'),
});

export const recoveryCodes = auth.table('recovery_codes', {
  id: uuid('id').primaryKey(),
  accountId: uuid('account_id').notNull(),
  codeHash: text('code_hash').notNull(),
  keyVersion: integer('key_version').notNull(),
  createdAt: at('created_at').notNull(),
  usedAt: at('used_at'),
});

export const throttle = auth.table('throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStart: at('window_start').notNull(),
  lockedUntil: at('locked_until'),
  /** Lockouts so far: picks the next, longer lockout. Forgotten after a quiet period. */
  lockouts: integer('lockouts').notNull(),
  lastFailureAt: at('last_failure_at').notNull(),
});
