-- The civil register: persons (current state), their immutable version history, UIN issuing,
-- sector tokens, duplicate adjudication and maker-checker amendments.
CREATE SCHEMA IF NOT EXISTS identity;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE identity.persons (
  id                    uuid PRIMARY KEY,
  uin                   text UNIQUE,
  -- registered: has a UIN; pending: waits for a duplicate decision; duplicate: linked to duplicate_of
  register_state        text NOT NULL CHECK (register_state IN ('registered', 'pending', 'duplicate')),
  duplicate_of          uuid REFERENCES identity.persons (id),
  version               integer NOT NULL,
  given_names           text NOT NULL,
  surname               text NOT NULL,
  other_names           text,
  sex                   char(1) NOT NULL CHECK (sex IN ('F', 'M')),
  birth_year            smallint NOT NULL,
  birth_month           smallint CHECK (birth_month BETWEEN 1 AND 12),
  birth_day             smallint CHECK (birth_day BETWEEN 1 AND 31),
  birth_district        char(1) CHECK (birth_district IN ('A','B','C','D','E','F','G','H','J','K')),
  birth_village         text,
  father_id             uuid REFERENCES identity.persons (id),
  mother_id             uuid REFERENCES identity.persons (id),
  father_name           text,
  mother_name           text,
  citizenship           char(3) NOT NULL DEFAULT 'LSO',
  vital_status          text NOT NULL DEFAULT 'alive' CHECK (vital_status IN ('alive', 'deceased')),
  death_date            date,
  phones                jsonb NOT NULL DEFAULT '[]',
  address_district      char(1) CHECK (address_district IN ('A','B','C','D','E','F','G','H','J','K')),
  address_constituency  text,
  address_village       text,
  legacy_id             text,
  photo_sha256          text,
  -- Matching keys, kept with the record so candidate search is one indexed query.
  norm_given            text NOT NULL,
  norm_surname          text NOT NULL,
  surname_key           text NOT NULL,
  registered_at         timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  CHECK (birth_day IS NULL OR birth_month IS NOT NULL),
  CHECK (register_state <> 'duplicate' OR duplicate_of IS NOT NULL),
  CHECK (register_state <> 'registered' OR uin IS NOT NULL)
);
CREATE INDEX persons_block_place_idx ON identity.persons (birth_district, sex, birth_year);
CREATE INDEX persons_block_sound_idx ON identity.persons (surname_key, birth_year);
CREATE INDEX persons_legacy_idx ON identity.persons (legacy_id) WHERE legacy_id IS NOT NULL;
CREATE INDEX persons_surname_trgm_idx ON identity.persons USING gin (norm_surname gin_trgm_ops);

CREATE TABLE identity.person_versions (
  person_id   uuid NOT NULL REFERENCES identity.persons (id),
  version     integer NOT NULL,
  event       text NOT NULL,
  data        jsonb NOT NULL,
  changed_at  timestamptz NOT NULL,
  changed_by  jsonb NOT NULL,
  reason      text,
  PRIMARY KEY (person_id, version)
);

-- UINs are drawn from a pool made ahead of time, so issuing is one indexed delete. A number
-- once issued stays in issued_uins for ever and is never generated into the pool again.
CREATE TABLE identity.uin_pool (uin text PRIMARY KEY);
CREATE TABLE identity.issued_uins (
  uin        text PRIMARY KEY,
  person_id  uuid NOT NULL REFERENCES identity.persons (id),
  issued_at  timestamptz NOT NULL
);

CREATE TABLE identity.sector_tokens (
  sector       text NOT NULL,
  key_version  integer NOT NULL,
  token        text NOT NULL,
  person_id    uuid NOT NULL REFERENCES identity.persons (id),
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (sector, token),
  UNIQUE (sector, key_version, person_id)
);

CREATE TABLE identity.adjudications (
  id               uuid PRIMARY KEY,
  person_id        uuid NOT NULL REFERENCES identity.persons (id),
  candidates       jsonb NOT NULL,
  state            text NOT NULL CHECK (state IN ('open', 'same', 'different')),
  linked_to        uuid REFERENCES identity.persons (id),
  created_at       timestamptz NOT NULL,
  decided_by       text,
  decided_at       timestamptz,
  decision_reason  text
);
CREATE INDEX adjudications_open_idx ON identity.adjudications (created_at) WHERE state = 'open';

CREATE TABLE identity.amendments (
  id               uuid PRIMARY KEY,
  person_id        uuid NOT NULL REFERENCES identity.persons (id),
  kind             text NOT NULL CHECK (kind IN ('correction', 'name-change')),
  changes          jsonb NOT NULL,
  reason           text NOT NULL,
  state            text NOT NULL CHECK (state IN ('proposed', 'approved', 'rejected')),
  proposed_by      text NOT NULL,
  proposed_at      timestamptz NOT NULL,
  decided_by       text,
  decided_at       timestamptz,
  decision_reason  text
);
CREATE INDEX amendments_proposed_idx ON identity.amendments (proposed_at) WHERE state = 'proposed';

-- Legacy imports resume where they stopped: the last committed row of each file is kept here.
CREATE TABLE identity.import_runs (
  id              uuid PRIMARY KEY,
  file_sha256     text NOT NULL,
  mapping_sha256  text NOT NULL,
  file_name       text NOT NULL,
  state           text NOT NULL CHECK (state IN ('running', 'finished')),
  rows_done       integer NOT NULL DEFAULT 0,
  rows_imported   integer NOT NULL DEFAULT 0,
  rows_rejected   integer NOT NULL DEFAULT 0,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz,
  UNIQUE (file_sha256, mapping_sha256)
);
