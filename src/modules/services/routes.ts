import { Type } from 'typebox';
import { problems, type RoutesPlugin } from '../../core/http/index.js';
import { catalogueAt } from './catalogue.js';
import {
  PUBLISHED_DEFINITION_SCHEMA,
  type ServiceDefinition,
  ServiceDefinitionSchema,
} from './definition.js';
import { servicesSettings } from './settings.js';

const tags = ['services'];
const Bilingual = Type.Object({ en: Type.String(), st: Type.String() });
const ServiceId = Type.Object({ id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }) });

const ServiceSummary = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  name: Bilingual,
  description: Bilingual,
  ministry: Type.String(),
  applicants: Type.Array(Type.String()),
  assurance: Type.String(),
  fee: Type.Union([
    Type.Object({
      amount: Type.Integer({ description: 'lisente' }),
      revenueHead: Type.String(),
      options: Type.Array(Type.Object({ id: Type.String(), label: Bilingual, amount: Type.Integer() })),
    }),
    Type.Null(),
  ]),
});

function summary(d: ServiceDefinition) {
  return {
    id: d.id,
    version: d.version,
    name: d.name,
    description: d.description,
    ministry: d.ministry,
    applicants: d.applicants,
    assurance: d.assurance,
    fee: d.fees ? { amount: d.fees.amount, revenueHead: d.fees.revenueHead, options: d.fees.options } : null,
  };
}

export const servicesRoutes: RoutesPlugin = (app, kernel) => {
  const settings = servicesSettings(kernel.config);
  // Read at start: a broken definition stops start-up here, naming the file and the path.
  const catalogue = catalogueAt(settings.catalogueDir);

  app.get(
    '/api/v1/services',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'The services one can apply for',
        querystring: Type.Object({ ministry: Type.Optional(Type.String({ maxLength: 63 })) }),
        response: { 200: Type.Object({ items: Type.Array(ServiceSummary) }) },
      },
    },
    async (request) => ({
      items: catalogue.services
        .filter((d) => !request.query.ministry || d.ministry === request.query.ministry)
        .map(summary),
    }),
  );

  app.get(
    '/api/v1/services/schema',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'The JSON Schema every service definition follows',
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      },
    },
    async () => PUBLISHED_DEFINITION_SCHEMA,
  );

  app.get(
    '/api/v1/services/:id',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'One service: its form, uploads, fees, workflow and outputs',
        params: ServiceId,
        response: { 200: ServiceDefinitionSchema },
      },
    },
    async (request) => {
      const entry = catalogue.get(request.params.id);
      if (!entry) throw problems.notFound();
      return entry.definition;
    },
  );
};
