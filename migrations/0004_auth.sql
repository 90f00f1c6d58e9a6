-- National login: accounts, relying parties, the OpenID provider's storage and signing keys.
CREATE SCHEMA IF NOT EXISTS auth;

-- A person's (or an officer's) login. `login` is an E.164 phone number (+266…) or a lower-cased
-- e-mail address. One account per person in the civil register (person_id unique).
CREATE TABLE auth.accounts (
  id               uuid PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('citizen', 'staff')),
  login            text NOT NULL UNIQUE,
  login_kind       text NOT NULL CHECK (login_kind IN ('phone', 'email')),
  password_hash    text NOT NULL,
  person_id        uuid UNIQUE REFERENCES identity.persons (id),
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked', 'disabled')),
  disabled_reason  text,
  failed_attempts  integer NOT NULL DEFAULT 0,
  locked_until     timestamptz,
  last_failed_at   timestamptz,
  roles            jsonb NOT NULL DEFAULT '[]',
  ministry         text,
  office           text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  last_login_at    timestamptz,
  CHECK (kind = 'staff' OR (roles = '[]' AND ministry IS NULL AND office IS NULL))
);

-- Failed sign-ins for logins that have no account, counted like an account's so the answers
-- (and the lockout) are the same whether or not the account exists. Keyed by SHA-256 of the login.
CREATE TABLE auth.login_failures (
  login_sha256     text PRIMARY KEY,
  failed_attempts  integer NOT NULL,
  locked_until     timestamptz,
  last_failed_at   timestamptz NOT NULL
);

-- Sign-in failures per client address, in one-minute windows: the per-address throttle.
CREATE TABLE auth.address_failures (
  address       text NOT NULL,
  window_start  timestamptz NOT NULL,
  failures      integer NOT NULL,
  PRIMARY KEY (address, window_start)
);

-- Relying parties: the services that sign people in through the national login.
CREATE TABLE auth.clients (
  client_id                  text PRIMARY KEY,
  name_en                    text NOT NULL,
  name_st                    text NOT NULL,
  redirect_uris              jsonb NOT NULL,
  post_logout_redirect_uris  jsonb NOT NULL DEFAULT '[]',
  auth_method                text NOT NULL
    CHECK (auth_method IN ('client_secret_basic', 'private_key_jwt', 'none')),
  -- SHA-256 (hex) of the client secret: a secret is 32 random bytes, so a fast hash is enough.
  secret_sha256              text,
  jwks                       jsonb,
  sector                     text NOT NULL,
  allowed_scopes             jsonb NOT NULL DEFAULT '["openid"]',
  allowed_claims             jsonb NOT NULL DEFAULT '[]',
  required_acr               text,
  status                     text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at                 timestamptz NOT NULL,
  CHECK (auth_method <> 'client_secret_basic' OR secret_sha256 IS NOT NULL),
  CHECK (auth_method <> 'private_key_jwt' OR jwks IS NOT NULL)
);

-- Everything oidc-provider keeps (sessions, interactions, grants, codes, tokens, PAR requests,
-- replay detection), one row per model and id. Expiry is enforced on read; consume is one
-- atomic UPDATE so a code can be redeemed once.
CREATE TABLE auth.oidc_store (
  model        text NOT NULL,
  id           text NOT NULL,
  payload      jsonb NOT NULL,
  grant_id     text,
  uid          text,
  user_code    text,
  expires_at   timestamptz,
  consumed_at  timestamptz,
  PRIMARY KEY (model, id)
);
CREATE INDEX oidc_store_grant_idx ON auth.oidc_store (grant_id) WHERE grant_id IS NOT NULL;
CREATE INDEX oidc_store_uid_idx ON auth.oidc_store (model, uid) WHERE uid IS NOT NULL;
CREATE INDEX oidc_store_user_code_idx ON auth.oidc_store (model, user_code) WHERE user_code IS NOT NULL;
CREATE INDEX oidc_store_expires_idx ON auth.oidc_store (expires_at) WHERE expires_at IS NOT NULL;

-- The provider's signing keys (ES256). The newest key signs; older keys stay published in the
-- JWKS until retire_at, when every token they signed has expired.
CREATE TABLE auth.signing_keys (
  kid          text PRIMARY KEY,
  alg          text NOT NULL,
  private_jwk  jsonb NOT NULL,
  created_at   timestamptz NOT NULL,
  retire_at    timestamptz
);

-- Random secrets the provider needs, shared by every server process: cookie signing keys and
-- the key of pairwise subjects for accounts not yet linked to a person.
CREATE TABLE auth.secrets (
  name        text PRIMARY KEY,
  value       text NOT NULL,
  created_at  timestamptz NOT NULL
);
