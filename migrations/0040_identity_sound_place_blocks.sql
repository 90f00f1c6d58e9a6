-- The sound + district + sex + year block was the largest at national scale (100 people at the
-- median, 545 at the 95th percentile at 2.3 million: common surnames in Maseru), and reading and
-- scoring them was most of what a registration cost. It is split into narrower blocks that keep the
-- slips in the first given name it found: the same first two letters, or the same last two, or
-- (for short names) the same first letter.
CREATE INDEX persons_block_sound_place_start_idx ON identity.persons
  (surname_key, birth_district, sex, (left(split_part(norm_given, ' ', 1), 2)), birth_year);
CREATE INDEX persons_block_sound_place_end_idx ON identity.persons
  (surname_key, birth_district, sex, (right(split_part(norm_given, ' ', 1), 2)), birth_year);
DROP INDEX identity.persons_block_sound_place_idx;
-- A slip in a name of at most four letters can change both its first two letters and its last two
-- (Neo/Noe, Mpho/Mhpo).
CREATE INDEX persons_block_sound_place_short_idx ON identity.persons
  (surname_key, birth_district, sex, (left(split_part(norm_given, ' ', 1), 1)), birth_year)
  WHERE length(split_part(norm_given, ' ', 1)) <= 4;
