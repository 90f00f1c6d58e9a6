-- Digital registries declared as data (src/catalogue/registries/*.json): one row per record with
-- its current version, and every version ever written, with who, when and why. Versions are
-- append-only; a change writes a new one and moves the record's pointer.
CREATE SCHEMA IF NOT EXISTS registries;

CREATE TABLE registries.records (
  id          uuid PRIMARY KEY,
  registry    text NOT NULL,
  -- The key fields' values as a JSON array, in the order the definition lists them.
  record_key  text NOT NULL,
  version     integer NOT NULL CHECK (version >= 1),
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (registry, record_key)
);

CREATE TABLE registries.record_versions (
  record_id   uuid NOT NULL REFERENCES registries.records (id),
  version     integer NOT NULL,
  data        jsonb NOT NULL,
  reason      text NOT NULL,
  actor       jsonb NOT NULL,
  -- What produced it, e.g. {"type":"application","id":"CA-2026-7K3M9Q"}.
  source      jsonb,
  at          timestamptz NOT NULL,
  PRIMARY KEY (record_id, version)
);

CREATE FUNCTION registries.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'registry record versions are append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER record_versions_append_only BEFORE UPDATE OR DELETE ON registries.record_versions
  FOR EACH ROW EXECUTE FUNCTION registries.refuse_change();
CREATE TRIGGER record_versions_no_truncate BEFORE TRUNCATE ON registries.record_versions
  FOR EACH STATEMENT EXECUTE FUNCTION registries.refuse_change();
REVOKE UPDATE, DELETE, TRUNCATE ON registries.record_versions FROM PUBLIC;
