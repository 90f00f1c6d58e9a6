-- Candidate blocks that stay small at national scale. The district + sex + year block alone is
-- 7,000-31,000 rows at 2.3 million people; these exact-match blocks each return tens of rows,
-- so no LIMIT has to throw candidates away before they are scored.
CREATE INDEX persons_block_sound_place_idx ON identity.persons (surname_key, birth_district, sex, birth_year);
CREATE INDEX persons_block_sound_given_idx ON identity.persons (surname_key, (split_part(norm_given, ' ', 1)), birth_year);
CREATE INDEX persons_block_place_given_idx ON identity.persons (birth_district, sex, (split_part(norm_given, ' ', 1)), birth_year);
DROP INDEX identity.persons_block_place_idx;
DROP INDEX identity.persons_block_sound_idx;
