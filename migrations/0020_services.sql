-- Service catalogue and case workflow (issue 6): applications moving through the states their
-- service definition allows, their full history, comments, tasks in role queues with SLA clocks,
-- and the consents citizens give to a service-centre agent applying on their behalf.
CREATE SCHEMA IF NOT EXISTS services;

CREATE TABLE services.applications (
  id                  uuid PRIMARY KEY,
  reference           text NOT NULL UNIQUE,
  service_id          text NOT NULL,
  service_version     integer NOT NULL,
  state               text NOT NULL,
  form                jsonb NOT NULL,
  fee_options         jsonb NOT NULL DEFAULT '[]',
  fee_lisente         bigint NOT NULL CHECK (fee_lisente >= 0),
  revenue_head        text,
  fee_paid_at         timestamptz,
  receipt_number      text,
  -- citizen: applied themselves; business: a representative for a business; agent: a
  -- service-centre agent on a citizen's behalf.
  applicant_kind      text NOT NULL CHECK (applicant_kind IN ('citizen', 'business', 'agent')),
  -- The citizen account that applied (null when an agent applied for a person), and the person in
  -- the civil register the application is for (known when an agent applied).
  applicant_account   text,
  applicant_person    uuid,
  business            jsonb,
  agent_id            text,
  centre              text,
  consent_id          uuid,
  office              text NOT NULL,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  completed_at        timestamptz,
  CHECK (applicant_account IS NOT NULL OR applicant_person IS NOT NULL),
  CHECK (applicant_kind <> 'agent' OR (agent_id IS NOT NULL AND centre IS NOT NULL AND consent_id IS NOT NULL))
);
CREATE INDEX applications_account_idx ON services.applications (applicant_account, created_at)
  WHERE applicant_account IS NOT NULL;
CREATE INDEX applications_person_idx ON services.applications (applicant_person, created_at)
  WHERE applicant_person IS NOT NULL;
CREATE INDEX applications_centre_idx ON services.applications (centre, created_at) WHERE centre IS NOT NULL;
CREATE INDEX applications_office_idx ON services.applications (office, created_at);

-- Every step an application took, in order: nothing about a case is overwritten.
CREATE TABLE services.history (
  application_id  uuid NOT NULL REFERENCES services.applications (id),
  seq             integer NOT NULL,
  action          text NOT NULL,
  from_state      text,
  to_state        text NOT NULL,
  actor_id        text NOT NULL,
  actor           jsonb NOT NULL,
  at              timestamptz NOT NULL,
  comment         text,
  details         jsonb,
  PRIMARY KEY (application_id, seq)
);

CREATE TABLE services.comments (
  id              uuid PRIMARY KEY,
  application_id  uuid NOT NULL REFERENCES services.applications (id),
  author_id       text NOT NULL,
  author          jsonb NOT NULL,
  -- internal: staff only; applicant: the applicant sees it too.
  visibility      text NOT NULL CHECK (visibility IN ('internal', 'applicant')),
  body            text NOT NULL,
  at              timestamptz NOT NULL
);
CREATE INDEX comments_application_idx ON services.comments (application_id, at);

-- Work waiting for staff: one open task per application, in the queue of the roles that may act
-- in its state at its office. due_at is the SLA clock; a breach is flagged and escalated once.
CREATE TABLE services.tasks (
  id              uuid PRIMARY KEY,
  application_id  uuid NOT NULL REFERENCES services.applications (id),
  state           text NOT NULL,
  roles           text[] NOT NULL,
  office          text NOT NULL,
  assignee        text,
  created_at      timestamptz NOT NULL,
  due_at          timestamptz,
  breached_at     timestamptz,
  escalated_to    text,
  closed_at       timestamptz
);
CREATE UNIQUE INDEX tasks_open_idx ON services.tasks (application_id) WHERE closed_at IS NULL;
CREATE INDEX tasks_queue_idx ON services.tasks (office, created_at) WHERE closed_at IS NULL;
CREATE INDEX tasks_due_idx ON services.tasks (due_at) WHERE closed_at IS NULL AND breached_at IS NULL;

-- A citizen's consent to an agent applying for them: a one-time code sent to the phone in the
-- civil register (kept only as an HMAC), or a signed paper form stored as an upload.
CREATE TABLE services.consents (
  id              uuid PRIMARY KEY,
  person_id       uuid NOT NULL,
  agent_id        text NOT NULL,
  centre          text NOT NULL,
  method          text NOT NULL CHECK (method IN ('sms-code', 'paper')),
  code_hash       text,
  key_version     integer,
  destination     text,
  attempts        integer NOT NULL DEFAULT 0,
  paper_sha256    text,
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  given_at        timestamptz,
  used_at         timestamptz,
  CHECK (method <> 'sms-code' OR (code_hash IS NOT NULL AND destination IS NOT NULL)),
  CHECK (method <> 'paper' OR paper_sha256 IS NOT NULL)
);
CREATE INDEX consents_agent_idx ON services.consents (agent_id, created_at);

-- Files the definition asks for, checked by content; the bytes are in the blob store. A new file
-- for the same upload replaces the old one (the audit log keeps both hashes).
CREATE TABLE services.uploads (
  application_id  uuid NOT NULL REFERENCES services.applications (id),
  upload_id       text NOT NULL,
  sha256          text NOT NULL,
  media_type      text NOT NULL,
  size            integer NOT NULL,
  name            text,
  uploaded_by     text NOT NULL,
  at              timestamptz NOT NULL,
  PRIMARY KEY (application_id, upload_id)
);
