import './messages.js';

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
export { servicesRoutes } from './routes.js';
export { type ServicesSettings, SHIPPED_CATALOGUE, servicesSettings } from './settings.js';
