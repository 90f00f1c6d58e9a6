-- The other names, village of birth and parents' names as the duplicate search compares them
-- (normaliseName), stored with each person like norm_given and norm_surname, so the candidates of
-- a search are scored without normalising each of them again. NULL only on people stored before
-- this migration: the search normalises those when it reads them.
ALTER TABLE identity.persons
  ADD COLUMN norm_other text,
  ADD COLUMN norm_village text,
  ADD COLUMN norm_father text,
  ADD COLUMN norm_mother text;
