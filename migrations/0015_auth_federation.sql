-- Federated sign-in through an external OpenID provider (MOSIP eSignet; issue 5, item 10).

-- An account made by a federated sign-in has no password and no login a person types: its login
-- is `<issuer>#<sub>` at the external provider, its kind 'federated'. It is linked to the person
-- (the UIN) from the start.
ALTER TABLE auth.accounts DROP CONSTRAINT accounts_login_kind_check;
ALTER TABLE auth.accounts ADD CONSTRAINT accounts_login_kind_check
  CHECK (login_kind IN ('phone', 'email', 'federated'));
ALTER TABLE auth.accounts ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE auth.accounts ADD CONSTRAINT accounts_password_check
  CHECK ((login_kind = 'federated') = (password_hash IS NULL));

-- One row per sign-in sent to the external provider: the state it comes back with, the nonce
-- its id_token must carry, the PKCE verifier, and the interaction it completes. Taken once.
CREATE TABLE auth.federation_requests (
  state            text PRIMARY KEY,
  interaction_uid  text NOT NULL,
  nonce            text NOT NULL,
  code_verifier    text NOT NULL,
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  taken_at         timestamptz
);
CREATE INDEX federation_requests_expires_idx ON auth.federation_requests (expires_at);
