import { boolean, integer, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const auth = pgSchema('auth');

export const accounts = auth.table('accounts', {
  id: uuid('id').primaryKey(),
  kind: text('kind').$type<'citizen' | 'staff'>().notNull(),
  login: text('login').notNull(),
  loginKind: text('login_kind').$type<'phone' | 'email' | 'federated'>().notNull(),
  passwordHash: text('password_hash'),
  personId: uuid('person_id'),
  status: text('status').$type<'active' | 'locked' | 'disabled'>().notNull(),
  disabledReason: text('disabled_reason'),
  failedAttempts: integer('failed_attempts').notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  lastFailedAt: timestamp('last_failed_at', { withTimezone: true }),
  roles: jsonb('roles').$type<string[]>().notNull(),
  ministry: text('ministry'),
  office: text('office'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  /** When a code sent to the login came back (sign-up); null when nobody checked it. */
  loginVerifiedAt: timestamp('login_verified_at', { withTimezone: true }),
});
export type AccountRow = typeof accounts.$inferSelect;

export const loginFailures = auth.table('login_failures', {
  loginSha256: text('login_sha256').primaryKey(),
  failedAttempts: integer('failed_attempts').notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  lastFailedAt: timestamp('last_failed_at', { withTimezone: true }).notNull(),
});

export const clients = auth.table('clients', {
  clientId: text('client_id').primaryKey(),
  nameEn: text('name_en').notNull(),
  nameSt: text('name_st').notNull(),
  redirectUris: jsonb('redirect_uris').$type<string[]>().notNull(),
  postLogoutRedirectUris: jsonb('post_logout_redirect_uris').$type<string[]>().notNull(),
  authMethod: text('auth_method').$type<ClientAuthMethod>().notNull(),
  secretSha256: text('secret_sha256'),
  jwks: jsonb('jwks').$type<{ keys: Record<string, unknown>[] }>(),
  sector: text('sector').notNull(),
  allowedScopes: jsonb('allowed_scopes').$type<string[]>().notNull(),
  allowedClaims: jsonb('allowed_claims').$type<string[]>().notNull(),
  requiredAcr: text('required_acr'),
  dpopBound: boolean('dpop_bound').notNull(),
  status: text('status').$type<'active' | 'disabled'>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
export type ClientRow = typeof clients.$inferSelect;
export type ClientAuthMethod = 'client_secret_basic' | 'private_key_jwt' | 'none';

/** migrations/0010_auth_uin_links.sql: how an account was linked to its person, and by whom. */
export const uinLinks = auth.table('uin_links', {
  accountId: uuid('account_id').primaryKey(),
  personId: uuid('person_id').notNull(),
  method: text('method').$type<LinkMethod>().notNull(),
  evidence: jsonb('evidence').$type<Record<string, unknown>>().notNull(),
  linkedBy: jsonb('linked_by').$type<Record<string, unknown>>().notNull(),
  linkedAt: timestamp('linked_at', { withTimezone: true }).notNull(),
});
export type LinkMethod = 'registry-code' | 'in-person' | 'asserted';
