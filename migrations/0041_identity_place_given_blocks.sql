-- The place-given block (district + sex + first given name + year, surname trigram similarity at
-- least 0.2) read some 300 people with a common given name at 2.3 million to keep the few whose
-- surname is alike: the similarity is tested on the row, after it is read. Like the sound-place
-- blocks (0040), it is narrowed by letters a slip in the surname leaves as they were: the same
-- first two letters of the surname's first word, or the same last two, or (at most four letters)
-- the same first letter.
CREATE INDEX persons_block_place_given_start_idx ON identity.persons
  (birth_district, sex, (split_part(norm_given, ' ', 1)), (left(split_part(norm_surname, ' ', 1), 2)), birth_year);
CREATE INDEX persons_block_place_given_end_idx ON identity.persons
  (birth_district, sex, (split_part(norm_given, ' ', 1)), (right(split_part(norm_surname, ' ', 1), 2)), birth_year);
CREATE INDEX persons_block_place_given_short_idx ON identity.persons
  (birth_district, sex, (split_part(norm_given, ' ', 1)), (left(split_part(norm_surname, ' ', 1), 1)), birth_year)
  WHERE length(split_part(norm_surname, ' ', 1)) <= 4;
DROP INDEX identity.persons_block_place_given_idx;
