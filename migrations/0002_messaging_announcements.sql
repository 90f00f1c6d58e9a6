-- Service notices shown on the portal and at the service centres ("the Mokhotlong centre is
-- closed on Friday"). Versioned: a withdrawal is a new state, nothing is deleted.
CREATE SCHEMA IF NOT EXISTS messaging;

CREATE TABLE messaging.announcements (
  id            uuid PRIMARY KEY,
  title_en      text NOT NULL,
  title_st      text NOT NULL,
  body_en       text NOT NULL,
  body_st       text NOT NULL,
  district      char(1) CHECK (district IN ('A','B','C','D','E','F','G','H','J','K')),
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz,
  published_by  text NOT NULL,
  published_at  timestamptz NOT NULL,
  withdrawn_at  timestamptz,
  withdrawn_by  text,
  withdraw_reason text,
  CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX announcements_current_idx ON messaging.announcements (starts_at DESC) WHERE withdrawn_at IS NULL;
