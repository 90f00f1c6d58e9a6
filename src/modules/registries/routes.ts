import { Type } from 'typebox';
import { actionContext, fieldError, problems, type RoutesPlugin } from '../../core/http/index.js';
import { change } from '../../core/kernel/index.js';
import { registryCatalogue } from './catalogue.js';
import { RegistryDefinitionSchema } from './definition.js';
import { lookUpRecord, recordHistory } from './find.js';
import { subscribeToServiceOutputs } from './outputs.js';
import { type RecordKey, registryOrNotFound } from './record.js';

const tags = ['registries'];
const Open = Type.Object({}, { additionalProperties: true });
const Bilingual = Type.Object({ en: Type.String(), st: Type.String() });
const Registry = Type.Object({
  id: Type.String(),
  name: Bilingual,
  description: Type.Optional(Bilingual),
  ministry: Type.String(),
  key: Type.Array(Type.String()),
  record: Open,
  access: Type.Object({ read: Type.Array(Type.String()), write: Type.Array(Type.String()) }),
});
const RegistryRecord = Type.Object({
  id: Type.String({ format: 'uuid' }),
  registry: Type.String(),
  key: Open,
  version: Type.Integer(),
  data: Open,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const RecordVersion = Type.Object({
  version: Type.Integer(),
  data: Open,
  reason: Type.String(),
  actor: Open,
  source: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  at: Type.String({ format: 'date-time' }),
});
const RegistryParam = Type.Object({ registry: Type.String({ pattern: '^[a-z0-9-]{1,63}$' }) });
const RecordParams = Type.Object({
  registry: Type.String({ pattern: '^[a-z0-9-]{1,63}$' }),
  id: Type.String({ format: 'uuid' }),
});
const Purpose = Type.String({
  minLength: 3,
  maxLength: 200,
  description: 'Why you need the record: recorded in the audit log',
});
/**
 * Staff whose role the registry's definition allows (checked per registry in the handler), and
 * systems holding `registry:read:<id>`.
 */
const READERS = { actors: ['staff', 'system'], scopes: ['registry:read:{registry}'] } as const;
const readers = 'Staff with a read role of the registry, or a system with the scope registry:read:<id>.';

/** The key as given in the query (`?key=…`, once per key field, in the definition's order). */
function keyFrom(registryId: string, values: readonly string[]): RecordKey {
  const { definition } = registryOrNotFound(registryId);
  if (values.length !== definition.key.length) {
    throw problems.invalid([
      {
        ...fieldError('/key', 'key', 'field.invalid', { field: 'key' }),
        in: 'querystring',
      },
    ]);
  }
  const properties = definition.record.properties as Record<string, { type?: string }>;
  return Object.fromEntries(
    definition.key.map((field, i) => {
      const value = values[i] ?? '';
      return [field, properties[field]?.type === 'integer' ? Number(value) : value];
    }),
  );
}

export const registriesRoutes: RoutesPlugin = (app, kernel) => {
  // Read now: a broken definition stops start-up, naming the file and the JSON path.
  const catalogue = registryCatalogue();
  subscribeToServiceOutputs(kernel);

  app.get(
    '/api/v1/registries',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'The registries and how each is declared',
        response: { 200: Type.Object({ items: Type.Array(Registry) }) },
      },
    },
    async () => ({ items: [...catalogue.registries] }),
  );

  app.get(
    '/api/v1/registries/schema',
    {
      config: { access: { public: true } },
      schema: { tags, summary: 'The JSON Schema of a registry definition', response: { 200: Open } },
    },
    async () => RegistryDefinitionSchema,
  );

  app.get(
    '/api/v1/registries/:registry',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: 'One registry’s definition',
        params: RegistryParam,
        response: { 200: Registry },
      },
    },
    async (request) => registryOrNotFound(request.params.registry).definition,
  );

  app.get(
    '/api/v1/registries/:registry/records',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'Look a record up by its key',
        description: `${readers} Give \`key\` once per key field of the registry, in the order of its definition.`,
        params: RegistryParam,
        querystring: Type.Object({
          key: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 4 }),
          purpose: Purpose,
        }),
        response: { 200: RegistryRecord },
      },
    },
    async (request) => {
      const key = keyFrom(request.params.registry, request.query.key);
      return change(kernel, actionContext(request), (c) =>
        lookUpRecord(c, request.params.registry, { key }, request.query.purpose),
      );
    },
  );

  app.get(
    '/api/v1/registries/:registry/records/:id',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'One record, current version',
        description: readers,
        params: RecordParams,
        querystring: Type.Object({ purpose: Purpose }),
        response: { 200: RegistryRecord },
      },
    },
    async (request) =>
      change(kernel, actionContext(request), (c) =>
        lookUpRecord(c, request.params.registry, { id: request.params.id }, request.query.purpose),
      ),
  );

  app.get(
    '/api/v1/registries/:registry/records/:id/history',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'Every version of a record, with who, when and why',
        description: readers,
        params: RecordParams,
        querystring: Type.Object({ purpose: Purpose }),
        response: { 200: Type.Object({ items: Type.Array(RecordVersion) }) },
      },
    },
    async (request) => ({
      items: await change(kernel, actionContext(request), (c) =>
        recordHistory(c, request.params.registry, request.params.id, request.query.purpose),
      ),
    }),
  );
};
