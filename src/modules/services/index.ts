import './messages.js';
import './notifications.js';

export {
  type Catalogue,
  type CatalogueEntry,
  CatalogueError,
  catalogueAt,
  loadCatalogue,
} from './catalogue.js';
export {
  PUBLISHED_DEFINITION_SCHEMA,
  type ServiceDefinition,
  ServiceDefinitionSchema,
} from './definition.js';
export { DOCUMENT_REQUESTED, REGISTRY_RECORD_REQUESTED } from './outputs.js';
export { servicesRoutes } from './routes.js';
export { type ServicesSettings, SHIPPED_CATALOGUE, servicesSettings } from './settings.js';
export { APPLICATION_SUBMITTED } from './submit.js';
export { escalateOverdueTasks, listTasks, TASK_ESCALATED } from './tasks.js';
export { APPLICATION_MOVED } from './transition.js';
