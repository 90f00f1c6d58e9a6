export {
  CHRISTIAN_NAMES,
  GIVEN_NAMES,
  type GivenName,
  type NameSex,
  SURNAMES,
  southAfricanSpelling,
  spellingVariants,
} from './names.js';
export { DISTRICT_POPULATION_2016, PLACES_ABROAD, VILLAGES } from './places.js';
export {
  type DuplicateVariation,
  type PopulationOptions,
  reRegister,
  type SyntheticPerson,
  type SyntheticRecord,
  synthesisePopulation,
  typo,
} from './population.js';
export { Random, WeightedTable, zipf } from './random.js';
