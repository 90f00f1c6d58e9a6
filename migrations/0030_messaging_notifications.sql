-- Notifications to people (SMS, e-mail, in-portal notice) and the state of each delivery.
-- A notification is rendered once, in the person's language, when the change that causes it
-- commits; each channel then has its own delivery row that the outbox subscribers move on.
CREATE TABLE messaging.notifications (
  id            uuid PRIMARY KEY,
  template      text NOT NULL,
  locale        text NOT NULL CHECK (locale IN ('en', 'st')),
  account_id    text,
  about_type    text,
  about_id      text,
  params        jsonb NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL
);
CREATE INDEX notifications_about_idx ON messaging.notifications (about_type, about_id);

CREATE TABLE messaging.deliveries (
  id              uuid PRIMARY KEY,
  notification_id uuid NOT NULL REFERENCES messaging.notifications (id),
  channel         text NOT NULL CHECK (channel IN ('sms', 'email', 'portal')),
  -- E.164 number, e-mail address, or the account id of an in-portal notice.
  destination     text NOT NULL,
  -- E-mail subject or notice title; the SMS has none.
  title           text,
  body            text NOT NULL,
  status          text NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'failed')),
  reason          text,
  attempts        integer NOT NULL DEFAULT 0,
  provider_id     text,
  segments        smallint,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  -- In-portal notices only: when the person marked it read.
  read_at         timestamptz,
  CHECK (read_at IS NULL OR channel = 'portal')
);
CREATE INDEX deliveries_notification_idx ON messaging.deliveries (notification_id);
CREATE INDEX deliveries_notices_idx ON messaging.deliveries (destination, created_at DESC) WHERE channel = 'portal';
CREATE UNIQUE INDEX deliveries_provider_idx ON messaging.deliveries (channel, provider_id) WHERE provider_id IS NOT NULL;
