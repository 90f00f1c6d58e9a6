-- Relying parties whose access tokens must be DPoP-bound (RFC 9449): a stolen token is useless
-- without the client's private key (issue 5, item 1: DPoP per client).
ALTER TABLE auth.clients ADD COLUMN dpop_bound boolean NOT NULL DEFAULT false;
