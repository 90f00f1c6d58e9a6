-- How each login account came to be linked to a person in the civil register (issue 5): by a
-- one-time code sent to the phone the register holds, in person at a service centre (the officer
-- and what they checked), or asserted by a trusted identity provider. One link per account and
-- per person, like auth.accounts.person_id; the audit log holds the same facts, chained.
CREATE TABLE auth.uin_links (
  account_id  uuid PRIMARY KEY REFERENCES auth.accounts (id) ON DELETE CASCADE,
  person_id   uuid NOT NULL UNIQUE REFERENCES identity.persons (id),
  method      text NOT NULL CHECK (method IN ('registry-code', 'in-person', 'asserted')),
  evidence    jsonb NOT NULL,
  linked_by   jsonb NOT NULL,
  linked_at   timestamptz NOT NULL
);
