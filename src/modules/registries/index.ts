export {
  loadRegistries,
  type Registry,
  type RegistryCatalogue,
  RegistryDefinitionError,
  registryCatalogue,
  SHIPPED_REGISTRIES,
} from './catalogue.js';
export { changeRecord } from './change.js';
export { createRecord, type WriteOptions } from './create.js';
export { type RegistryDefinition, RegistryDefinitionSchema } from './definition.js';
export { findRecord, lookUpRecord, recordHistory } from './find.js';
export {
  checkRegistryOutput,
  type RecordRequest,
  recordFromRequest,
  writeRequestedRecord,
} from './outputs.js';
export {
  mayAccess,
  RECORD_CHANGED,
  RECORD_CREATED,
  RECORD_READ,
  type RecordKey,
  type RecordSource,
  type RecordVersion,
  type RegistryRecord,
} from './record.js';
export { registriesRoutes } from './routes.js';
export { recordErrors } from './validate.js';
