-- Second factors of the national login (issue 5, item 5) and the throttle behind its protection
-- (item 8). No secret or code is stored in clear: TOTP secrets are sealed with AES-256-GCM, codes
-- are kept as HMAC-SHA-256 under keys in DATA_DIR/keys (auth-factors.v<N>.key).
CREATE SCHEMA IF NOT EXISTS auth;

-- TOTP apps and phones for SMS codes. An enrolment counts once confirmed with a first code.
CREATE TABLE auth.factor_enrolments (
  id              uuid PRIMARY KEY,
  account_id      uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('totp', 'sms')),
  secret          text CHECK (secret ~ '^v[1-9][0-9]*\.'),
  phone           text CHECK (phone ~ '^\+[1-9][0-9]{7,14}$'),
  created_at      timestamptz NOT NULL,
  confirmed_at    timestamptz,
  last_used_step  bigint,
  last_used_at    timestamptz,
  CHECK ((kind = 'totp' AND secret IS NOT NULL AND phone IS NULL)
      OR (kind = 'sms' AND phone IS NOT NULL AND secret IS NULL AND last_used_step IS NULL))
);
CREATE INDEX factor_enrolments_account_idx ON auth.factor_enrolments (account_id);
-- One authenticator app per account; a phone once per account.
CREATE UNIQUE INDEX factor_enrolments_totp_idx ON auth.factor_enrolments (account_id) WHERE kind = 'totp';
CREATE UNIQUE INDEX factor_enrolments_sms_idx ON auth.factor_enrolments (account_id, phone) WHERE kind = 'sms';

-- One-time codes sent by SMS: 6 digits, valid 5 minutes, 5 attempts.
CREATE TABLE auth.one_time_codes (
  id              uuid PRIMARY KEY,
  account_id      uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
  purpose         text NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9-]{0,39}$'),
  code_hash       text NOT NULL,
  key_version     integer NOT NULL CHECK (key_version > 0),
  destination     text NOT NULL CHECK (destination ~ '^\+[1-9][0-9]{7,14}$'),
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  consumed_at     timestamptz,
  invalidated_at  timestamptz,
  CHECK (expires_at > created_at)
);
-- At most one code in play per account and purpose: a new one invalidates the previous.
CREATE UNIQUE INDEX one_time_codes_live_idx ON auth.one_time_codes (account_id, purpose)
  WHERE consumed_at IS NULL AND invalidated_at IS NULL;
-- Sending limits per account and per phone number look back over the last hour.
CREATE INDEX one_time_codes_account_idx ON auth.one_time_codes (account_id, created_at);
CREATE INDEX one_time_codes_destination_idx ON auth.one_time_codes (destination, created_at);

-- Recovery codes: shown once, each usable once; a new set replaces the old.
CREATE TABLE auth.recovery_codes (
  id              uuid PRIMARY KEY,
  account_id      uuid NOT NULL REFERENCES auth.accounts (id) ON DELETE CASCADE,
  code_hash       text NOT NULL,
  key_version     integer NOT NULL CHECK (key_version > 0),
  created_at      timestamptz NOT NULL,
  used_at         timestamptz
);
CREATE INDEX recovery_codes_account_idx ON auth.recovery_codes (account_id);

-- Progressive throttling per key ('account:<id>', 'ip:<address>', 'second-factor:<id>', …).
CREATE TABLE auth.throttle (
  key             text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
  failures        integer NOT NULL CHECK (failures >= 0),
  window_start    timestamptz NOT NULL,
  locked_until    timestamptz,
  lockouts        integer NOT NULL CHECK (lockouts >= 0),
  last_failure_at timestamptz NOT NULL
);
CREATE INDEX throttle_last_failure_idx ON auth.throttle (last_failure_at);
