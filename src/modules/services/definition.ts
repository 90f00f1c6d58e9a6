import { type Static, Type } from 'typebox';
import { STAFF_ROLES } from '../../core/actors/index.js';

/**
 * What a ministry writes to describe a service: one JSON file per service in the catalogue,
 * checked against this schema at start. The schema is published at /api/v1/services/schema and
 * kept in the repository as src/catalogue/service-definition.schema.json.
 */

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Bilingual = (max: number, description?: string) =>
  Type.Object(
    { en: Text(max), st: Text(max) },
    { additionalProperties: false, ...(description ? { description } : {}) },
  );
const Slug = (description: string) => Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$', description });
const Pointer = Type.String({
  pattern: '^(/[A-Za-z0-9_-]+)+$',
  description: 'JSON Pointer to a field of the form data, e.g. /address/district',
});
const Closed = <T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });

export const APPLICANT_KINDS = ['citizen', 'business', 'agent'] as const;
export const ASSURANCE_LEVELS = ['low', 'substantial', 'high'] as const;
/** Who may take an action: the applicant, the platform itself (automatic actions), or a staff role. */
export const ACTION_TAKERS = ['applicant', 'system', ...STAFF_ROLES] as const;

const FieldText = Closed(
  {
    label: Bilingual(200),
    hint: Type.Optional(Bilingual(500)),
    errors: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-zA-Z]+$' }), Bilingual(300), {
        additionalProperties: false,
        description:
          'Error text per JSON Schema keyword that failed (required, pattern, enum, maxLength, format, minimum, …)',
      }),
    ),
  },
  'How a field is shown and explained, in both languages',
);

const Form = Closed({
  schema: Type.Object(
    { type: Type.Literal('object') },
    {
      additionalProperties: true,
      description: 'JSON Schema (draft 2020-12 subset Ajv accepts) of the form data; its root is an object',
    },
  ),
  pages: Type.Array(
    Closed({
      id: Slug('Page id'),
      title: Bilingual(200),
      fields: Type.Array(Pointer, { minItems: 1 }),
    }),
    { minItems: 1, description: 'The form in pages, one question group each (GOV.UK: one thing per page)' },
  ),
  fields: Type.Record(Pointer, FieldText, {
    additionalProperties: false,
    description: 'Labels, hints and error texts by field pointer',
  }),
});

const Upload = Closed({
  id: Slug('Upload id'),
  label: Bilingual(200),
  types: Type.Array(Type.String({ pattern: '^[a-z]+/[a-z0-9.+-]+$' }), {
    minItems: 1,
    description: 'Media types accepted, judged by the file content, never its name',
  }),
  maxBytes: Type.Integer({ minimum: 1, maximum: 50_000_000 }),
  required: Type.Boolean(),
});

const Lisente = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 100_000_000_00, description: `${description}, in lisente` });

const Fees = Closed({
  revenueHead: Type.String({
    pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$',
    description: 'The revenue head the fee is paid into',
  }),
  amount: Lisente('The fixed fee'),
  options: Type.Array(
    Closed({ id: Slug('Option id'), label: Bilingual(200), amount: Lisente('Added to the fee') }),
    { description: 'Optional extras the applicant may choose, such as urgent service' },
  ),
});

const State = Closed({
  label: Bilingual(100),
  final: Type.Optional(
    Type.Boolean({ description: 'The application is finished here; no action leaves it' }),
  ),
  slaHours: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 24 * 365,
      description: 'Time staff have before the task is overdue',
    }),
  ),
  automatic: Type.Optional(
    Slug('An action (by system) taken by the platform as soon as the application enters this state'),
  ),
});

const Action = Closed({
  label: Bilingual(100),
  from: Type.Array(Slug('State'), { minItems: 1 }),
  to: Slug('State'),
  by: Type.Array(Type.Enum(ACTION_TAKERS), {
    minItems: 1,
    description: 'Who may take it: applicant, system, or staff roles',
  }),
  payment: Type.Optional(
    Type.Boolean({ description: 'Records the fee as paid; the cashier gives the receipt number' }),
  ),
  correction: Type.Optional(Type.Boolean({ description: 'Carries corrected form data, checked again' })),
  commentRequired: Type.Optional(Type.Boolean()),
  checkerOf: Type.Optional(
    Type.Array(Slug('Action'), {
      minItems: 1,
      description:
        'Maker-checker: whoever took one of these actions on the application may not take this one',
    }),
  ),
});

const Output = Closed({
  when: Slug('The final state in which the output is produced'),
  document: Type.Optional(Closed({ kind: Slug('Document kind'), title: Bilingual(200) })),
  registry: Type.Optional(
    Closed({
      registry: Slug('Registry id'),
      operation: Type.Union([Type.Literal('create'), Type.Literal('change')]),
      key: Type.Optional(Pointer),
      fields: Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9_]*$' }), Pointer, {
        additionalProperties: false,
        description: 'Registry field name → form field pointer',
      }),
    }),
  ),
});

export const ServiceDefinitionSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    id: Type.String({
      pattern: '^(?!schema$)[a-z][a-z0-9-]{1,62}$',
      description: 'Service id; the file is named <id>.json',
    }),
    version: Type.Integer({ minimum: 1, description: 'Raised with every published change' }),
    referencePrefix: Type.String({
      pattern: '^[A-TV-Z]{2,4}$',
      description: 'Prefix of application references, e.g. BC for BC-2026-7K3M9Q',
    }),
    name: Bilingual(120),
    description: Bilingual(1000),
    ministry: Slug('Owning ministry, e.g. home-affairs'),
    applicants: Type.Array(Type.Enum(APPLICANT_KINDS), {
      minItems: 1,
      uniqueItems: true,
      description: 'Who may apply: citizen, business (a representative), agent (on behalf of a citizen)',
    }),
    assurance: Type.Enum(ASSURANCE_LEVELS, { description: 'Sign-in assurance an applicant needs (acr)' }),
    offices: Type.Array(Slug('Office or service centre'), {
      minItems: 1,
      uniqueItems: true,
      description: 'Where applications are worked; online applications go to the first',
    }),
    form: Form,
    uploads: Type.Array(Upload),
    fees: Type.Optional(Fees),
    workflow: Closed({
      initial: Slug('The state a new application starts in'),
      states: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }), State, {
        additionalProperties: false,
      }),
      actions: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9-]{1,62}$' }), Action, {
        additionalProperties: false,
      }),
    }),
    outputs: Type.Array(Output),
  },
  { title: 'Mmuso service definition', additionalProperties: false },
);

/** The schema as published (API and repository file): plain JSON with its own address. */
export const PUBLISHED_DEFINITION_SCHEMA: Record<string, unknown> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://mmuso.gov.ls/schemas/service-definition.json',
  ...JSON.parse(JSON.stringify(ServiceDefinitionSchema)),
};

export type ServiceDefinition = Static<typeof ServiceDefinitionSchema>;
export type WorkflowState = ServiceDefinition['workflow']['states'][string];
export type WorkflowAction = ServiceDefinition['workflow']['actions'][string];
export type ActionTaker = (typeof ACTION_TAKERS)[number];
export type ApplicantKind = (typeof APPLICANT_KINDS)[number];
