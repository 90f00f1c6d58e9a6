-- Kernel tables: the audit chain, the transactional outbox, idempotency records and seed marks.
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE audit.entries (
  seq         bigint PRIMARY KEY,
  id          uuid NOT NULL UNIQUE,
  at          timestamptz NOT NULL,
  actor       jsonb NOT NULL,
  action      text NOT NULL,
  subject     jsonb NOT NULL,
  purpose     text,
  before      jsonb,
  after       jsonb,
  request_id  text,
  prev_hash   text NOT NULL,
  hash        text NOT NULL UNIQUE
);
CREATE INDEX entries_subject_idx ON audit.entries USING btree ((subject->>'type'), (subject->>'id'));

CREATE TABLE audit.checkpoints (
  seq        bigint PRIMARY KEY,
  hash       text NOT NULL,
  at         timestamptz NOT NULL,
  key_id     text NOT NULL,
  signature  text NOT NULL
);

-- The log is append-only: the database itself refuses to change or remove a row.
CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON audit.entries
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON audit.entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON audit.checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON audit.checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit.entries, audit.checkpoints FROM PUBLIC;

CREATE TABLE core.outbox (
  id            uuid PRIMARY KEY,
  topic         text NOT NULL,
  payload       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  available_at  timestamptz NOT NULL DEFAULT now(),
  locked_until  timestamptz,
  attempts      integer NOT NULL DEFAULT 0,
  delivered_to  jsonb NOT NULL DEFAULT '[]',
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  last_error    text,
  finished_at   timestamptz
);
CREATE INDEX outbox_pending_idx ON core.outbox (available_at) WHERE status = 'pending';
CREATE INDEX outbox_dead_idx ON core.outbox (created_at) WHERE status = 'dead';

CREATE TABLE core.idempotency (
  actor_key      text NOT NULL,
  key            text NOT NULL,
  method         text NOT NULL,
  path           text NOT NULL,
  body_hash      text NOT NULL,
  state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done')),
  committed      boolean NOT NULL DEFAULT false,
  status_code    integer,
  content_type   text,
  response_body  text,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz NOT NULL,
  PRIMARY KEY (actor_key, key)
);
CREATE INDEX idempotency_expires_idx ON core.idempotency (expires_at);

CREATE TABLE core.seeds (
  name        text PRIMARY KEY,
  applied_at  timestamptz NOT NULL DEFAULT now()
);
