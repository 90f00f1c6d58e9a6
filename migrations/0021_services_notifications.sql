-- Where an application's notifications go: the applicant's language, their portal account
-- (for an agent's application, the account linked to the person it was made for) and phone.
ALTER TABLE services.applications
  ADD COLUMN locale          text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'st')),
  ADD COLUMN notify_account  text,
  ADD COLUMN notify_phone    text CHECK (notify_phone ~ '^\+[1-9][0-9]{7,14}$');
