/**
 * Importing legacy civil-registry exports into the identity register, with a clean-up report.
 * See docs/identity-import.md for the mapping format and the problem kinds.
 */
export {
  compileDateFormat,
  type DateFormat,
  formatLegacyDate,
  type LegacyDateParse,
  parseLegacyDate,
} from './dates.js';
export { DISTRICT_ALIASES, type DistrictMatcher, districtKey, districtMatcher } from './districts.js';
export {
  checkImportFile,
  DEFAULT_BATCH_SIZE,
  type ImportHooks,
  type ImportOptions,
  type ImportProgress,
  type ImportSummary,
  importLegacyFile,
} from './importer.js';
export {
  compileMapping,
  FIELDS,
  type Field,
  ImportSetupError,
  loadMapping,
  type Mapping,
  MappingSchema,
  REQUIRED_FIELDS,
} from './mapping.js';
export { type PreparedRow, prepareRow } from './prepare.js';
export { PROBLEM_KINDS, type Problem, type ProblemCode, type Severity, type Twin } from './problems.js';
export { type CsvItem, readCsv } from './reader.js';
export { PROBLEM_COLUMNS, reportPaths, summaryText } from './report.js';
