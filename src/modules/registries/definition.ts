import { type Static, Type } from 'typebox';
import { STAFF_ROLES, type StaffRole } from '../../core/actors/index.js';

/**
 * What a ministry writes to declare a registry: one JSON file per registry in
 * src/catalogue/registries, checked against this schema at start (published at
 * GET /api/v1/registries/schema).
 */
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Bilingual = (max: number) =>
  Type.Object({ en: Text(max), st: Text(max) }, { additionalProperties: false });
const FieldName = Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]{0,62}$' });
const Role = Type.Unsafe<StaffRole>({ type: 'string', enum: [...STAFF_ROLES], description: 'A staff role' });

export const RegistryDefinitionSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id: Type.String({
      pattern: '^(?!schema$)[a-z][a-z0-9-]{1,62}$',
      description: 'Registry id; the file is named <id>.json',
    }),
    name: Bilingual(120),
    description: Type.Optional(Bilingual(1000)),
    ministry: Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$', description: 'The owning ministry' }),
    key: Type.Array(FieldName, {
      minItems: 1,
      maxItems: 4,
      uniqueItems: true,
      description:
        'The field(s) that identify a record; required strings or integers of the record, never changed',
    }),
    record: Type.Object(
      {
        type: Type.Literal('object'),
        properties: Type.Record(FieldName, Type.Object({}, { additionalProperties: true })),
        required: Type.Array(FieldName, { uniqueItems: true }),
        additionalProperties: Type.Literal(false),
      },
      {
        additionalProperties: true,
        description:
          'JSON Schema (the subset Ajv accepts in strict mode) of one record: an object that holds only the fields it declares',
      },
    ),
    access: Type.Object(
      {
        read: Type.Array(Role, { uniqueItems: true, description: 'Staff roles that may look records up' }),
        write: Type.Array(Role, {
          minItems: 1,
          uniqueItems: true,
          description: 'Staff roles whose workflow decisions may create or change records',
        }),
      },
      {
        additionalProperties: false,
        description:
          'Systems of other agencies read with the scope registry:read:<id> and write (through workflows) with registry:write:<id>',
      },
    ),
  },
  { additionalProperties: false },
);

export type RegistryDefinition = Static<typeof RegistryDefinitionSchema>;
